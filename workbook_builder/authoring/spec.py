"""The authoring workbook (指标体系.xlsx): its sheets, their columns and the Chinese names of things.

Export writes from these tables and import reads with them, so neither hard-codes a header.
"""

from __future__ import annotations

from ..model import INPUT_TYPES
from ..rules import RULES

SHEET_SYSTEM = "指标体系"
SHEET_INPUTS = "基础数据"
SHEET_DERIVED = "计算指标"
SHEET_GRADES = "评价等级"
SHEET_INFO = "基本信息"
SHEET_LAYOUT = "表样"
SHEET_CHECKS = "数据核对"
SHEET_GUIDE = "使用说明"
SHEET_LISTS = "_下拉"
SHEETS = (SHEET_SYSTEM, SHEET_INPUTS, SHEET_DERIVED, SHEET_GRADES, SHEET_INFO, SHEET_LAYOUT, SHEET_CHECKS)

LEVELS = ("一级指标", "二级指标", "三级指标", "评分要点")
MAX_DEPTH = len(LEVELS)


def level_weight(depth: int) -> str:
    """The column holding a parent's weight: ``一级分值``."""
    return LEVELS[depth - 1].removesuffix("指标") + "分值"


def level_explanation(depth: int) -> str:
    return LEVELS[depth - 1] + "解释"


#: leaf columns of 指标体系 after the level names: (header, aliases)
LEAF_COLUMNS = [
    ("分值", ("权重", "三级分值", "指标分值", "赋分值", "标准分值")),
    ("评分标准", ("评分办法", "评分细则", "计分标准", "评价标准", "考核标准")),
    ("计分方法", ("计分方式", "评分方法", "计分规则")),
    ("参数", ("计分参数", "规则参数")),
    ("年度指标值", ("指标值", "目标值", "年度目标值")),
    ("单位", ("计量单位",)),
    ("实际值来源", ("实际值", "数据来源", "取值来源")),
    ("指标解释", ("指标说明", "指标内涵")),
    ("说明", ("备注说明", "设计说明")),
    ("编号", ("指标编号", "id")),
]
#: written by export and by `templates check`, ignored by import
OUTPUT_COLUMNS = ("解析结果", "检查")
IGNORED = ("序号", "备注", "得分", "实际完成值", "自评分", "完成率") + OUTPUT_COLUMNS

ENTRY_TARGET = "部门填写"

RULE_NAMES = {r.label: kind for kind, r in RULES.items() if r.authoring}
RULE_ALIASES = {
    "按比例计分": "ratio", "完成率计分": "ratio", "比例计分": "ratio", "正向指标": "ratio", "反向指标": "ratio",
    "线性计分": "linear", "插值计分": "linear", "区间计分": "bands", "分段计分": "bands", "分档": "bands",
    "扣分": "deduct", "扣分制": "deduct", "每超扣分": "deduct", "清单": "checklist", "逐项扣分": "checklist",
    "定性": "grade", "等级": "grade", "定性评价": "grade", "是否": "yes_no", "是否判断": "yes_no",
    "人工": "manual", "手工评分": "manual", "评价人打分": "manual",
}

INPUT_TYPE_NAMES = {"number": "数值", "percent": "百分比", "money": "金额", "integer": "整数", "text": "文字",
                    "choice": "选项", "date": "日期"}
assert set(INPUT_TYPE_NAMES) == set(INPUT_TYPES)
DERIVED_TYPES = {"percent": "百分比", "number": "数值", "money": "金额"}

INFO_FIELDS = [  # (key, Chinese name); list fields may repeat
    ("id", "编号"), ("title", "标题"), ("region", "地区"), ("year", "年度"), ("version", "版本"),
    ("description", "说明"), ("layout_title", "表头标题"), ("reason_when", "扣分原因要求"),
    ("reason_min_length", "原因最少字数"), ("guide_notes", "填报说明"), ("decisions", "设计说明"),
    ("layout_notes", "表注"),
]
LIST_FIELDS = ("guide_notes", "decisions", "layout_notes")
REASON_WHEN = {"not-achieved": "未达成时填写", "below-weight": "低于分值时填写"}

COLUMN_NAMES = {"criteria": "评分标准", "explanation": "指标解释", "target": "年度指标值", "actual": "实际完成值",
                "unit": "单位", "weight": "分值", "rate": "完成率", "entry_score": "自评分", "score": "得分",
                "reason": "偏差原因"}


def column_name(key: str) -> str:
    """The Chinese name of a 自评表 column key (``level2_score`` → ``二级指标得分``)."""
    if key.startswith("level"):
        n, _, suffix = key[5:].partition("_")
        base = LEVELS[int(n) - 1]
        return base + {"": "", "weight": "分值", "score": "得分"}[suffix]
    return COLUMN_NAMES[key]


def column_key(name: str) -> str | None:
    for key, v in COLUMN_NAMES.items():
        if v == name:
            return key
    for i, base in enumerate(LEVELS, 1):
        for suffix, k in (("", ""), ("分值", "_weight"), ("得分", "_score")):
            if name == base + suffix:
                return f"level{i}{k}"
    return None


LAYOUT_HEADERS = ("列内容", "表头", "列宽")
BUDGET_HEADERS = ("资金表行", "年初预算数", "全年预算数", "全年执行数", "执行率")
BUDGET_KEYS = ("label", "initial", "year", "executed", "rate")
CHECK_HEADERS = ("核对方式", "项目", "对比项目", "系数", "容差")
CHECK_KINDS = {"le": "不大于", "sum": "合计等于"}
INPUT_HEADERS = ("名称", "类型", "单位", "最小值", "最大值", "选项", "必填", "说明", "编号")
DERIVED_HEADERS = ("名称", "计算式", "类型", "单位", "说明", "编号")
GRADE_HEADERS = ("等级", "最低分")
INFO_HEADERS = ("项目", "内容")
