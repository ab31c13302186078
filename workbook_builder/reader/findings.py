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
    "findings-omitted": ("error", "另有 {detail} 处问题未列出（每份文件最多列出 200 处，同一工作表的同类问题最多 50 处）"),
    "findings-omitted-warning": ("warning", "另有 {detail} 处提醒未列出（每份文件最多列出 200 处，同一工作表的同类问题最多 50 处）"),
    # the package: what Excel opens, and how it finds each part (reader/package.py)
    "zip-compression-unsupported": ("error", ("文件中的部件使用了 Excel 和 WPS 不支持的压缩方式（{detail}），"
                                             "文件无法打开；请在 Excel 或 WPS 中重新保存后再提交")),
    "zip-extra-data": ("error", ("文件的压缩包中夹带了不属于任何部件的数据（{detail}），不同软件读到的内容可能不同；"
                                "请在 Excel 或 WPS 中重新保存后再提交")),
    "package-invalid": ("error", "文件的部件清单或关系无效（{detail}），Excel 无法正常打开；请在 Excel 或 WPS 中重新保存后再提交"),
    "part-unreachable": ("error", ("文件中有 Excel 不会读取的部件（{detail}），可能是用来应付校验的副本；"
                                  "请使用下发的原文件填报后重新提交")),
    "part-unexpected": ("error", "文件中有模板之外的部件（{detail}），如图表页、宏表、嵌入对象；请使用下发的原文件填报"),
    "part-names-disagree": ("error", ("文件的部件关系与常规名称不一致（{detail}），Excel 显示的内容可能与表面上的不同；"
                                     "请使用下发的原文件填报")),
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
    "sheet-added": ("error", "多出模板没有的工作表 {sheet}（可能冒充模板的工作表），请删除后重新提交"),
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
    "sheet-order-changed": ("error", "工作表的顺序或首个显示的工作表被改动（应为：{expected}）"),
    "active-sheet-changed": ("error", "打开文件时显示的工作表 {sheet} 不是模板的工作表（应为：{expected}之一）"),
    "sheet-view-changed": ("error", "工作表的显示设置会隐藏内容：{detail}"),
    "merge-changed": ("error", "合并单元格与模板不同（{detail}），合并后显示的可能不是该单元格的值，请取消这处改动"),
    "drawing-over-cells": ("error", "工作表上有模板没有的{detail}，可能遮住或冒充单元格的内容，请删除"),
    "comment-changed": ("error", "批注与模板不同（现为“{found}”），请删除或恢复"),
    "hyperlink-added": ("error", "单元格上有模板没有的超链接或屏幕提示（“{found}”），请删除"),
    "validation-message-changed": ("error", "数据有效性的提示信息与模板不同（{detail}：“{found}”），审阅者会把它当作模板的说明"),
    "alignment-changed": ("error", "单元格的对齐方式会改变显示的内容（{detail}），请改回模板的格式"),
    "font-not-allowed": ("error", "使用了不允许的字体“{found}”（符号字体会把数字显示成图形），请改回宋体等常用字体"),
    "row-squeezed": ("error", "{detail}，低于可读的最小值（{expected}），其中的内容看不清"),
    "column-squeezed": ("error", "{detail}，低于可读的最小值（{expected}），其中的内容看不清"),
    "number-too-wide": ("error", "数字在当前列宽下放不下（{detail}），会显示为“###”"),
    "print-area-changed": ("error", "打印区域不包括表格的全部内容（{detail}），打印出来的表与屏幕上的不同"),
    "print-titles-changed": ("error", "打印标题（每页重复打印的{detail}）包含得分或填报内容，与模板不同"),
    "header-footer-changed": ("error", "页眉或页脚有模板没有的内容（{detail}），请删除"),
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
    "check-sheet-not-evidence": ("error", ("校验结果工作表显示“{found}”，但{detail}：该表只是上次在 Excel 中计算的结果，"
                                          "不能作为文件没有问题的依据")),
    # the bureau's prefilled figures (signed, or validate --against 预填名单)
    "prefill-changed": ("error", "财政局预填的数据被改动：{detail}；请改回预填的数值，确有错误请与财政局联系"),
    "prefill-unverifiable": ("error", "预填数据的记录无法读取（{detail}），无法核对财政局预填的数值"),
    "against-department-unknown": ("error", "预填名单中没有这个部门（{detail}），无法核对预填的数值；请核对部门名称"),
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
    "findings-omitted": "其余问题未列出",
    "findings-omitted-warning": "其余提醒未列出",
    "zip-compression-unsupported": "压缩方式不支持",
    "zip-extra-data": "压缩包夹带数据",
    "package-invalid": "部件关系无效",
    "part-unreachable": "有不被读取的部件",
    "part-unexpected": "有模板外的部件",
    "part-names-disagree": "部件名称不一致",
    "active-sheet-changed": "打开的工作表改变",
    "sheet-view-changed": "工作表视图改变",
    "merge-changed": "合并单元格改变",
    "drawing-over-cells": "单元格上有图形",
    "comment-changed": "批注改变",
    "hyperlink-added": "添加了超链接",
    "validation-message-changed": "输入提示改变",
    "alignment-changed": "对齐方式改变",
    "font-not-allowed": "字体不允许",
    "row-squeezed": "行高过小",
    "column-squeezed": "列宽过小",
    "number-too-wide": "数字显示为###",
    "print-area-changed": "打印区域改变",
    "print-titles-changed": "打印标题改变",
    "header-footer-changed": "页眉页脚改变",
    "check-sheet-not-evidence": "校验结果不可信",
    "prefill-changed": "预填数据被改",
    "prefill-unverifiable": "预填数据无法核对",
    "against-department-unknown": "名单中无此部门",
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
                        "duplicate-part", "duplicate-cell", "too-slow", "unreadable", "zip-compression-unsupported",
                        "zip-extra-data", "package-invalid", "part-unreachable", "part-unexpected",
                        "part-names-disagree"})


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


#: findings listed per file; the rest are counted in one last finding (bounded reports, bounded memory)
MAX_FINDINGS = 200
#: findings listed per code and sheet
MAX_PER_KIND = 50


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
    #: the 自评表's input values as read (input id -> value), for checks against the bureau's lists
    inputs: dict[str, Any] = field(default_factory=dict)
    #: how the bureau's prefilled figures were checked: "signed", "against" (a prefill list) or "" (not checked)
    prefill_checked: str = ""
    _kinds: dict[tuple[str, str], int] = field(default_factory=dict, repr=False, compare=False)

    def add(self, code: str, **kw) -> Finding:
        """Record a finding; past MAX_PER_KIND of one code on one sheet, or MAX_FINDINGS in all, it is only
        counted, in one last ``findings-omitted`` (so a mass edit of one sheet leaves room for the others)."""
        f = Finding(code, **kw)
        key = (code, f.sheet)
        seen = self._kinds[key] = self._kinds.get(key, 0) + 1
        omit = self.findings[-1] if self.findings and self.findings[-1].code.startswith("findings-omitted") else None
        listed = len(self.findings) - (omit is not None)
        if seen <= MAX_PER_KIND and listed < MAX_FINDINGS:
            self.findings.insert(listed, f)
        elif omit is not None:
            omit.detail = str(int(omit.detail) + 1)
            if f.severity == "error":
                omit.code = "findings-omitted"
        else:
            self.findings.append(Finding("findings-omitted" if f.severity == "error" else "findings-omitted-warning",
                                         detail="1"))
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

    @property
    def omitted(self) -> int:
        """Findings counted but not listed (past MAX_FINDINGS)."""
        last = self.findings[-1] if self.findings else None
        return int(last.detail) if last is not None and last.code.startswith("findings-omitted") else 0

    def flatten(self, fields: list[str]) -> list[list[Any]]:
        """Findings as rows of the named fields, e.g. ``["code", "sheet", "cell"]``."""
        return [[getattr(f, k) for k in fields] for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "valid": self.valid, "template": self.template, "version": self.version,
                "department": self.department, "year": self.year, "total": self.total, "grade": self.grade,
                "found_total": self.found_total, "found_grade": self.found_grade,
                "errors": len(self.errors), "warnings": len(self.warnings), "omitted": self.omitted,
                "projects": self.projects, "prefill_checked": self.prefill_checked,
                "findings": [f.to_dict() for f in self.findings]}


if __name__ == "__main__":
    print(codes_table())
