"""Typed findings of a validation, modelled on frictionless-py's report.

Each finding has a stable kebab-case code (documented in docs/findings.md), a severity,
a Chinese message, and where known the sheet, the cell and expected vs found values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: code -> (severity, Chinese message template)
CODES: dict[str, tuple[str, str]] = {
    # the file itself
    "not-a-workbook": ("error", "文件不是有效的 .xlsx 工作簿（{detail}）"),
    "encrypted-or-legacy": ("error", "文件为加密工作簿或旧版 .xls 格式，无法读取，请另存为未加密的 .xlsx"),
    "macros-present": ("error", "文件包含宏（VBA 项目），出于安全原因拒绝读取"),
    "external-links": ("error", "文件包含外部链接：{detail}"),
    "zip-bomb": ("error", "文件解压后过大（{detail}），疑似压缩炸弹，拒绝读取"),
    "xml-entities": ("error", "文件的 XML 含有 DTD/实体声明（{detail}），拒绝读取"),
    "file-too-large": ("error", "文件或工作表过大（{detail}），拒绝读取"),
    "xml-invalid": ("error", "文件内部结构无效（{detail}）"),
    "corrupt-file": ("error", "文件已损坏（{detail}），请重新保存或重新发送"),
    "unsupported-format": ("error", "不支持的文件格式：{detail}；请在 Excel 或 WPS 中另存为 .xlsx 后再提交"),
    "duplicate-part": ("error", "文件中同一部件出现两次（{detail}），不同软件会读到不同内容，拒绝读取"),
    "duplicate-cell": ("error", "同一单元格在文件中出现两次（{detail}），不同软件会显示不同的值，拒绝读取"),
    "too-slow": ("error", "读取该文件超过 {detail} 仍未完成，文件结构异常，已放弃"),
    "unreadable": ("error", "无法读取该文件：{detail}"),
    # identity
    "metadata-missing": ("error", "找不到模板元数据（_meta 工作表），无法识别模板"),
    "template-unknown": ("error", "未知模板 {found}"),
    "template-version-unknown": ("error", "模板 {template} 的版本 {found} 不是本工具所带的版本 {expected}"),
    "metadata-edited": ("error", "元数据或锁定内容的指纹不符，文件的模板信息被修改过"),
    "signature-invalid": ("error", "签名校验失败：锁定内容或部门信息被修改，或签名密钥不同"),
    "signature-missing": ("error", "文件没有签名，但本次校验要求签名"),
    "file-name-mismatch": ("warning", "文件名“{found}”与表内的部门和年度（{expected}）不一致，请确认没有交错文件"),
    # structure and locked content
    "sheet-missing": ("error", "缺少工作表 {sheet}"),
    "sheet-added": ("warning", "多出工作表 {sheet}"),
    "formula-replaced": ("error", "公式被替换为手工填写的值"),
    "formula-edited": ("error", "公式被修改"),
    "locked-value-changed": ("error", "锁定内容被修改（分值、指标值、评分标准或指标名称等）"),
    "unexpected-content": ("error", "模板之外的单元格有内容（可能插入或移动了行、列）"),
    "protection-removed": ("warning", "工作表保护被取消"),
    "validation-removed": ("warning", "数据有效性设置被删除或减少"),
    "defined-name-changed": ("warning", "名称 {detail} 被删除或指向了别的单元格"),
    "defined-name-ambiguous": ("error", "名称 {detail} 被重复定义或被工作表级名称覆盖（{found}），不同软件会指向不同的单元格"),
    "content-outside-table": ("error", "工作表 {sheet} 的表格数据区之外有单元格内容（{detail}），不同软件显示的内容可能不同"),
    "phonetic-text": ("error", "锁定的文字带有注音（拼音）内容，不同软件显示的文字可能不同"),
    # what the reviewer sees
    "number-format-changed": ("error", "数字格式被改动（{detail}）：审阅者看到“{found}”，应显示“{expected}”"),
    "conditional-format-hides": ("error", "条件格式会改变或隐藏该单元格的显示（{detail}）"),
    "text-invisible": ("error", "字体颜色与底色相近或字号过小，内容看不见（{detail}）"),
    "row-hidden": ("error", "{detail}被隐藏，审阅者看不到其中的内容"),
    "column-hidden": ("error", "{detail}被隐藏，审阅者看不到其中的内容"),
    "sheet-hidden": ("error", "工作表 {sheet} 被隐藏"),
    "sheet-order-changed": ("warning", "工作表的顺序或首个显示的工作表被改动（应为：{expected}）"),
    "helper-sheet-shown": ("warning", "隐藏的辅助工作表 {sheet} 被显示出来"),
    "cell-unlocked": ("error", "锁定的单元格被取消锁定（可以被改写）"),
    "protection-weakened": ("error", "工作表保护的选项被放宽，现在允许：{detail}"),
    "protection-password-changed": ("warning", "工作表保护的密码被更改或去除"),
    "structure-unlocked": ("warning", "工作簿结构保护被取消（可以增删、隐藏工作表）"),
    "validation-changed": ("warning", "数据有效性设置被改动"),
    # values
    "required-missing": ("error", "必填项未填写：{detail}"),
    "not-a-number": ("error", "应为数值，实际不是数值：{detail}"),
    "input-formula": ("error", "填报单元格中填写了公式，请直接填写数值或选项：{detail}"),
    "value-out-of-range": ("error", "数值超出允许范围：{detail}"),
    "value-not-in-list": ("error", "取值不在可选项中：{detail}"),
    "cross-check-failed": ("error", "填报数据前后矛盾：{detail}"),
    "reason-missing": ("error", "指标未达成（或偏差较大），但未填写扣分原因：{detail}"),
    "reason-too-short": ("warning", "扣分原因过于简单：{detail}"),
    "score-outside-level": ("error", "自评分超出所选评价等级的分数范围（{detail}）"),
    "open-row-incomplete": ("error", "自填指标行没有填写完整，无法计分：{detail}"),
    "allotment-mismatch": ("error", "一级指标下各指标的分值合计与规定分值不符：{detail}"),
    # a project workbook against the bureau's 项目清单 (validate --projects)
    "listing-form-differs": ("error", "工作簿的表样与项目清单所用的表样不同：{detail}"),
    "listing-department-unknown": ("error", "项目清单中没有这个部门：{detail}"),
    "listing-project-missing": ("error", "项目清单中的项目不在工作簿中：{detail}"),
    "listing-project-extra": ("error", "工作簿中的项目不在项目清单中：{detail}"),
    "listing-project-changed": ("error", "项目信息或绩效指标与项目清单不符：{detail}"),
    "listing-fund-changed": ("error", "项目资金与项目清单不符：{detail}"),
    # computed values
    "not-recalculated": ("warning", "文件没有保存计算结果（从未在 Excel/WPS 中重新计算并保存），以下得分为本工具重新计算的结果"),
    "cached-value-mismatch": ("error", "单元格显示的值与重新计算的结果不符"),
    "grade-mismatch": ("error", "评价等级与总分不符"),
}


#: code -> the short Chinese name a reviewer reads in the 汇总表's 问题 sheet (the code itself stays in a
#: narrow last column); every code has one
LABELS: dict[str, str] = {
    "not-a-workbook": "不是有效的工作簿",
    "encrypted-or-legacy": "加密或旧版文件",
    "macros-present": "含有宏",
    "external-links": "含有外部链接",
    "zip-bomb": "解压后过大",
    "xml-entities": "含有实体声明",
    "file-too-large": "文件过大",
    "xml-invalid": "内部结构无效",
    "corrupt-file": "文件已损坏",
    "unsupported-format": "不支持的格式",
    "duplicate-part": "部件重复",
    "duplicate-cell": "单元格重复",
    "too-slow": "读取超时",
    "unreadable": "无法读取",
    "metadata-missing": "缺少模板信息",
    "template-unknown": "未知模板",
    "template-version-unknown": "模板版本不符",
    "metadata-edited": "模板信息被改",
    "signature-invalid": "签名不符",
    "signature-missing": "缺少签名",
    "file-name-mismatch": "文件名与内容不符",
    "sheet-missing": "缺少工作表",
    "sheet-added": "多出工作表",
    "formula-replaced": "公式被改成数值",
    "formula-edited": "公式被修改",
    "locked-value-changed": "锁定内容被改",
    "unexpected-content": "模板外有内容",
    "protection-removed": "保护被取消",
    "validation-removed": "数据有效性被删",
    "defined-name-changed": "名称被改",
    "defined-name-ambiguous": "名称重复定义",
    "content-outside-table": "表外有内容",
    "phonetic-text": "文字带注音",
    "number-format-changed": "数字格式被改",
    "conditional-format-hides": "条件格式改变显示",
    "text-invisible": "内容看不见",
    "row-hidden": "行被隐藏",
    "column-hidden": "列被隐藏",
    "sheet-hidden": "工作表被隐藏",
    "sheet-order-changed": "工作表顺序被改",
    "helper-sheet-shown": "辅助表被显示",
    "cell-unlocked": "单元格被解锁",
    "protection-weakened": "保护选项被放宽",
    "protection-password-changed": "保护密码被改",
    "structure-unlocked": "结构保护被取消",
    "validation-changed": "数据有效性被改",
    "required-missing": "必填项未填",
    "not-a-number": "应为数值",
    "input-formula": "填报项填了公式",
    "value-out-of-range": "数值超出范围",
    "value-not-in-list": "不在可选项中",
    "cross-check-failed": "数据前后矛盾",
    "reason-missing": "缺少扣分原因",
    "reason-too-short": "扣分原因过简",
    "score-outside-level": "自评分超出等级范围",
    "open-row-incomplete": "自填指标未填完",
    "allotment-mismatch": "分值合计不符",
    "listing-form-differs": "表样与清单不同",
    "listing-department-unknown": "清单中无此部门",
    "listing-project-missing": "缺少清单项目",
    "listing-project-extra": "项目不在清单中",
    "listing-project-changed": "项目与清单不符",
    "listing-fund-changed": "资金与清单不符",
    "not-recalculated": "未保存计算结果",
    "cached-value-mismatch": "显示值与重算不符",
    "grade-mismatch": "等级与总分不符",
}


def label(code: str) -> str:
    """The finding's short Chinese name (``LABELS``)."""
    return LABELS.get(code) or CODES.get(code, ("", "问题"))[1].split("：")[0].split("（")[0][:16]


def codes_table() -> str:
    """The table of docs/findings.md, made from CODES (``python3 -m workbook_builder.reader.findings``)."""
    rows = ["| code | label (问题 sheet) | severity | message (Chinese, as shown to users) |", "|---|---|---|---|"]
    rows += [f"| `{code}` | {label(code)} | {sev} | {msg} |" for code, (sev, msg) in CODES.items()]
    return "\n".join(rows)


#: codes that mean the file itself could not be read
FILE_CODES = frozenset({"not-a-workbook", "encrypted-or-legacy", "macros-present", "external-links", "zip-bomb",
                        "xml-entities", "file-too-large", "xml-invalid", "corrupt-file", "unsupported-format",
                        "duplicate-part", "duplicate-cell", "too-slow", "unreadable"})


@dataclass
class Finding:
    code: str
    sheet: str = ""
    cell: str = ""
    expected: Any = None
    found: Any = None
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    @property
    def message(self) -> str:
        return CODES[self.code][1].format(detail=self.detail, sheet=self.sheet, found=self.found,
                                          expected=self.expected, **self.extra)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        d["severity"] = self.severity
        d["message"] = self.message
        return d


@dataclass
class FileReport:
    file: str
    findings: list[Finding] = field(default_factory=list)
    template: str = ""
    version: str = ""
    department: str = ""
    year: str = ""
    total: float | None = None  # recomputed
    grade: str = ""
    found_total: Any = None  # what the workbook shows
    found_grade: Any = None
    scores: dict[str, float | None] = field(default_factory=dict)
    #: a project workbook's projects: name, sheet, budget, executed, rate, total, grade, found_total
    projects: list[dict[str, Any]] = field(default_factory=list)

    def add(self, code: str, **kw) -> Finding:
        f = Finding(code, **kw)
        self.findings.append(f)
        return f

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def unreadable(self) -> bool:
        """Refused before its content could be checked (corrupt, hostile, another format, …)."""
        return any(f.code in FILE_CODES for f in self.findings)

    def flatten(self, fields: list[str]) -> list[list[Any]]:
        """Findings as rows of the named fields, e.g. ``["code", "sheet", "cell"]``."""
        return [[getattr(f, k) for k in fields] for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "valid": self.valid, "template": self.template, "version": self.version,
                "department": self.department, "year": self.year, "total": self.total, "grade": self.grade,
                "found_total": self.found_total, "found_grade": self.found_grade,
                "errors": len(self.errors), "warnings": len(self.warnings), "projects": self.projects,
                "findings": [f.to_dict() for f in self.findings]}


if __name__ == "__main__":
    print(codes_table())
