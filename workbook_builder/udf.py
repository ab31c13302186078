"""xlwings user-defined functions: one per rule kind, plus the grade and a workbook check.

Each UDF only marshals its arguments into a leaf and calls the rule library
(``Rule.udf``), so it scores exactly as the engine and the workbook formulas do.
Blank inputs give "" like the workbook. Off Windows, xlwings' decorators do nothing
and the functions are plain Python.

Parameter texts (used in cells, e.g. ``=WB_BANDS(E9,5,"[0.9,+):5;[0.8,0.9):4;(-,0.8):0")``):

* bands: ``[min,max):score`` items separated by ``;`` — ``[``/``]`` inclusive, ``(``/``)``
  exclusive, ``-``/``+`` for an open end;
* grade levels: ``名称=0.75`` (share), ``名称=3分`` (points) or ``名称=0.8~1@0.9`` (range with default);
* grade bands: ``优=90;良=80;中=60;差=0``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .model import Actual, GradeBand, Node, Target, Template
from .numeric import fmt_num
from .rules import RULES
from .rules.bands import parse_bands, render_bands
from .rules.grade import parse_levels, render_levels

__all__ = ["parse_bands", "render_bands", "parse_levels", "render_levels"]

try:  # pragma: no cover - exercised only where xlwings is installed
    import xlwings as xw

    func, arg, ret = xw.func, xw.arg, xw.ret
except ImportError:  # pragma: no cover
    def func(f=None, **_):
        return f if f is not None else (lambda g: g)

    def arg(*_, **__):
        return lambda g: g

    ret = arg


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v == "")


def _leaf(kind: str, weight: Any, rule: dict | None = None, op: str | None = None, atype: str = "number") -> Node:
    return Node(id="udf", name="udf", weight=float(weight), target=Target(op=op) if op else None,
                actual=Actual("entry", type=atype), rule={"kind": kind, **(rule or {})})


# parameter texts are parsed and rendered by their rule modules (rules/bands.py, rules/grade.py)
# --- the UDFs ---------------------------------------------------------------------------------

@func
@arg("actual", doc="实际完成值")
@arg("target", doc="年度指标值")
@arg("weight", doc="分值")
@arg("direction", doc='指标方向：">="正向、"<="反向、"="等于')
@arg("overshoot_threshold", doc="可选：实际值/指标值超过此比例时调减分值（如 1.5）")
@arg("overshoot_k", doc="可选：超出部分每 1 倍调减的分值比例，默认 1")
@arg("reverse", doc='可选：反向指标超出时 "inverse" 按 指标值/实际值×分值')
@arg("tolerance", doc="可选：= 方向允许的偏差比例（如 0.05）")
def WB_RATIO(actual, target, weight, direction=">=", overshoot_threshold="", overshoot_k=1, reverse="", tolerance=""):
    """按完成比例计分：达到年度指标值得满分，未达到按 实际完成值/年度指标值×分值；反向指标按偏离度扣减。"""
    rule = {} if _blank(overshoot_threshold) else {"overshoot": {"threshold": float(overshoot_threshold), "k": float(overshoot_k)}}
    if not _blank(reverse):
        rule["reverse"] = str(reverse)
    if not _blank(tolerance):
        rule["tolerance"] = float(tolerance)
    n = _leaf("ratio", weight, rule, op=direction)
    return RULES["ratio"].udf(n, actual=actual, target=target)


@func
@arg("value", doc="指标值")
@arg("weight", doc="分值")
@arg("floor", doc="得 0 分的指标值（如 0.6）")
@arg("full", doc="得满分的指标值（如 1）")
def WB_LINEAR(value, weight, floor, full):
    """线性插值计分：(指标值−下限)/(满分值−下限)×分值，限定在 0 与分值之间。"""
    return RULES["linear"].udf(_leaf("linear", weight, {"floor": float(floor), "full": float(full)}), actual=value)


@func
@arg("value", doc="指标值")
@arg("weight", doc="分值")
@arg("bands", doc='分档，如 "[0.9,+):5;[0.8,0.9):4;(-,0.8):0"')
@arg("else_score", doc="不在任何档内时的得分，默认 0")
def WB_BANDS(value, weight, bands, else_score=0):
    """分档计分：按指标值所在区间取对应分数。"""
    return RULES["bands"].udf(_leaf("bands", weight, {"bands": parse_bands(bands), "else": float(else_score)}), actual=value)


@func
@arg("value", doc="指标值")
@arg("weight", doc="分值")
@arg("threshold", doc="满分阈值（如 1 表示 100%）")
@arg("per", doc="每多少扣一次（如 0.01 表示每个百分点）")
@arg("points", doc="每次扣的分数")
@arg("direction", doc='"above" 超过阈值扣分，"below" 低于阈值扣分')
@arg("step", doc='"continuous" 按实际扣，"floor" 只扣整档，"ceil" 不足一档按一档')
def WB_DEDUCT(value, weight, threshold, per, points, direction="above", step="continuous"):
    """超限扣分：阈值以内得满分，每超过（或低于）一个单位扣若干分，扣完为止。"""
    rule = {"threshold": float(threshold), "per": float(per), "points": float(points), "direction": direction, "step": step}
    return RULES["deduct"].udf(_leaf("deduct", weight, rule), actual=value)


@func
@arg("count", doc="不符合（或已完成）的项数")
@arg("weight", doc="分值")
@arg("per_item", doc="每项扣（得）的分数，或分值的比例")
@arg("mode", doc='"deduct" 按不符合项扣分，"earn" 按完成项得分')
@arg("unit", doc='"points" per_item 为分数，"share" 为分值的比例')
def WB_CHECKLIST(count, weight, per_item, mode="deduct", unit="points"):
    """清单计分：每出现一项不符合扣分（或每完成一项得分），扣完为止。"""
    rule = {"mode": mode, ("share" if unit == "share" else "points"): float(per_item)}
    return RULES["checklist"].udf(_leaf("checklist", weight, rule), actual=count)


@func
@arg("level", doc="评价等级")
@arg("weight", doc="分值")
@arg("levels", doc='等级表，如 "达成目标=1;基本达成目标=0.75" 或 "达成年度指标=0.8~1@0.9"')
@arg("score", doc="区间等级时评价人填写的自评分，可空")
def WB_GRADE_SHARE(level, weight, levels, score=""):
    """等级评定：按所选等级取分值的相应比例；区间等级时取自评分（限定在等级区间内），空白时取默认比例。"""
    return RULES["grade"].udf(_leaf("grade", weight, {"levels": parse_levels(levels)}), actual=level, score=score)


@func
@arg("answer", doc="是 / 否")
@arg("weight", doc="分值")
def WB_YES_NO(answer, weight):
    """是否判断：是得满分，否得 0 分。"""
    return RULES["yes_no"].udf(_leaf("yes_no", weight), actual=answer)


@func
@arg("score", doc="评价人填写的得分")
@arg("weight", doc="分值")
def WB_MANUAL(score, weight):
    """人工评分：限定在 0 与分值之间。"""
    return RULES["manual"].udf(_leaf("manual", weight), score=score)


@func
@arg("name", doc="三级指标名称")
@arg("nature", doc="指标性质：≥、≤、= 或 定性")
@arg("target", doc="年度指标值（定性指标为文字）")
@arg("actual", doc="实际完成值（定性指标为评价等级）")
@arg("weight", doc="分值")
@arg("score", doc="定性指标的自评分（可空）")
@arg("levels", doc="定性等级，如 达成=0.8~1@1;部分达成=0.6~0.8@0.7;未达成=0~0.6@0.3")
@arg("reverse", doc='可选：反向指标超出时 "inverse" 按 指标值/实际值×分值')
@arg("tolerance", doc="可选：= 方向允许的偏差比例")
def WB_OPEN(name, nature, target, actual, weight, score="", levels="", reverse="", tolerance=""):
    """部门填写的指标行：按指标性质和填写的分值计分；什么都没填的行返回空。"""
    rule = {"levels": parse_levels(levels) if not _blank(levels) else []}
    if not _blank(reverse):
        rule["reverse"] = str(reverse)
    if not _blank(tolerance):
        rule["tolerance"] = float(tolerance)
    n = _leaf("open", 0, rule)
    return RULES["open"].udf(n, name=name, nature=nature, target=target, actual=actual, weight=weight,
                             score=None if _blank(score) else score)


@func
@arg("spec", doc='组合计分的参数，如 "数值=完成率(%)、问题(项)；按差扣分=完成率低于100%每1%扣1分；计数扣分=问题每项扣0.5分"')
@arg("weight", doc="分值")
@arg("value1", doc="第1个数值（参数“数值”中的顺序）")
@arg("value2", doc="第2个数值，可空")
@arg("value3", doc="第3个数值，可空")
@arg("value4", doc="第4个数值，可空")
@arg("na", doc="“不适用”或空")
@arg("score", doc="评分标准给出分数范围时评价人填写的自评分，可空")
def WB_COMPOSE(spec, weight, value1="", value2="", value3="", value4="", na="", score=""):
    """组合计分：按参数中的各部分（条件、分档、等级、计算式、扣分、不适用）计分。"""
    from .rules.compose import parse_params, slot_names
    rule = parse_params(str(spec), False, float(weight))
    n = _leaf("compose", weight, {k: v for k, v in rule.items() if k != "kind"})
    vals = dict(zip(slot_names(rule).values(), (value1, value2, value3, value4)))
    return RULES["compose"].udf(n, **vals, na=None if _blank(na) else na, score=None if _blank(score) else score)


@func
@arg("total", doc="总分")
@arg("bands", doc='等级线，如 "优=90;良=80;中=60;差=0"')
def WB_GRADE(total, bands):
    """评价等级：按总分所在的等级线给出等级。"""
    if _blank(total) or isinstance(total, str):
        return ""
    grades = [GradeBand(n.strip(), float(v)) for n, _, v in (x.rpartition("=") for x in str(bands).split(";") if x.strip())]
    t = Template("udf", "", "", 0, "", [], [], [], grades, None)  # type: ignore[arg-type]
    return t.grade_for(float(total))



def grade_bands_text(t: Template) -> str:
    return ";".join(f"{g.name}={fmt_num(g.min)}" for g in t.grades)


UDFS: dict[str, Callable] = {f.__name__: f for f in (WB_RATIO, WB_LINEAR, WB_BANDS, WB_DEDUCT, WB_CHECKLIST,
                                                      WB_GRADE_SHARE, WB_YES_NO, WB_MANUAL, WB_COMPOSE, WB_GRADE)}


# --- checking from inside Excel ----------------------------------------------------------------

CHECK_HEADER = ["工作表", "单元格", "代码", "严重程度", "说明"]


def findings_rows(path: str) -> list[list[str]]:
    """The 校验结果 rows for a saved workbook: header, then one row per finding (or a pass line)."""
    from .reader import validate_file

    rep = validate_file(path)
    rows = [CHECK_HEADER]
    rows += [[f.sheet, f.cell, f.code, f.severity, f.message] for f in rep.findings]
    if not rep.findings:
        total = "尚未填完" if rep.total is None else f"{rep.total:g}，等级 {rep.grade}"
        rows.append(["", "", "ok", "info", f"未发现问题。重新计算总分 {total}"])
    return rows


@func
@ret(expand="table")
def WB_CHECK(caller=None):  # xlwings passes the calling range to an argument named "caller"
    """校验本工作簿（按最近一次保存的文件）：返回问题清单（工作表、单元格、代码、严重程度、说明）。"""
    return findings_rows(caller.sheet.book.fullname)


def check_workbook():  # pragma: no cover - needs Windows Excel (RunPython)
    """RunPython entry point: validate the active, saved workbook and write a 校验结果 sheet."""
    book = xw.Book.caller()
    rows = findings_rows(book.fullname)
    name = "校验结果"
    sheet = book.sheets[name] if name in [s.name for s in book.sheets] else book.sheets.add(name, after=book.sheets[-1])
    sheet.clear_contents()
    sheet["A1"].value = rows
