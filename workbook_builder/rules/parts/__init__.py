"""The parts a composed rule (rules/compose.py) is built from, one module each with all its faces.

A composition is ``{kind: compose, values: [...], score: <main part>, deduct: [<deduction part>, …], na: …}``:

* ``values``: the named values the department types (``{name: 覆盖率, type: percent}``; types number,
  percent, integer — a count such as 问题 — or level, a choice among the levels part's names);
* ``score``: one main part — ``base`` (a fixed score), ``bands`` (intervals of one value),
  ``conditions`` (cases on one or more values, joined by 且/或), ``levels`` (a chosen level), or
  ``formula`` (an arithmetic expression over named values and 分值);
* ``deduct``: deduction streams subtracted from the main score, each with its own ``cap``:
  ``steps`` (per step of deviation from a value) and ``count`` (per counted item);
* ``na``: a 不适用 choice and the score it gives (full marks by default).

The score is ``ROUND(MIN(分值, MAX(0, main − Σ MIN(cap, deduction))), 2)``; 不适用 gives its own score.

Every part gives the same faces: ``py`` (Python scorer), ``xl`` (formula text, Excel 2010 / WPS /
LibreOffice functions only), ``describe`` (Chinese reading), ``text``/``parse`` (the 参数 text the
bureau types, ``键=值``), ``slots`` (the values it reads, which fix the UDF argument order),
``SCHEMA`` (its JSON schema) and ``PHRASINGS`` (the 评分标准 wording the reader maps onto it).

An *outcome* (what a band, case or level gives) is ``{points: 5}``, ``{share: 0.6}`` (of 分值) or a
range the evaluator scores within, ``{min: 3, max: 5}`` (points); its faces are below.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...numeric import fmt_num, xl_round
from ..text import ParamError, fold, num_text, points_text

OUTCOME_SCHEMA = {"type": "object", "additionalProperties": False,
                  "properties": {"points": {"type": "number"}, "share": {"type": "number"},
                                 "min": {"type": "number"}, "max": {"type": "number"}}}

#: a value the Python face gives where the evaluator must still type a score inside a range
PENDING = None

_NUM = r"\d+(?:\.\d+)?"


def is_range(o: Mapping[str, Any]) -> bool:
    return "min" in o


def outcome_py(o: Mapping[str, Any], w: float, score: float | None) -> float | None:
    if "points" in o:
        return o["points"]
    if "share" in o:
        return o["share"] * w
    return PENDING if score is None else min(o["max"], max(o["min"], score))


def outcome_xl(o: Mapping[str, Any], w: str, r: Mapping[str, str]) -> str:
    if "points" in o:
        return fmt_num(o["points"])
    if "share" in o:
        return f"{fmt_num(o['share'])}*{w}"
    return f'IF({r["score?"]},MIN({fmt_num(o["max"])},MAX({fmt_num(o["min"])},{r["score"]})),"")'


def outcome_bounds(o: Mapping[str, Any], w: float) -> tuple[float, float]:
    if is_range(o):
        return o["min"], o["max"]
    v = o["points"] if "points" in o else o["share"] * w
    return v, v


def outcome_words(o: Mapping[str, Any], w: float) -> str:
    """``得5分``, ``得分值的60%``, ``得满分``, ``不得分``, ``在3～5分之间评分``."""
    if is_range(o):
        return f"在{points_text(o['min'])}～{points_text(o['max'])}分之间评分"
    v = o["points"] if "points" in o else xl_round(o["share"] * w, 9)
    if v == w:
        return "得满分"
    if v == 0:
        return "不得分"
    return f"得{points_text(v)}分" if "points" in o else f"得分值的{points_text(o['share'] * 100)}%"


def outcome_text(o: Mapping[str, Any]) -> str:
    """The 参数 form: ``5分``, ``60%``, ``3~5分``."""
    if is_range(o):
        return f"{points_text(o['min'])}~{points_text(o['max'])}分"
    if "points" in o:
        return f"{points_text(o['points'])}分"
    return "满分" if o["share"] == 1 else f"{points_text(o['share'] * 100)}%"


def parse_outcome(text: str, w: float | None = None) -> dict[str, Any]:
    """``满分`` / ``不得分`` / ``5分`` / ``60%`` / ``3~5分`` / ``60%~80%`` (as points of ``w`` if given)."""
    s = fold(text).removeprefix("得").removeprefix("计")
    if s in ("满分", "全部分值", "100%"):
        return {"share": 1.0}
    if s in ("不得分", "0分", "0", "不计分", "0%"):
        return {"points": 0.0}
    if s in ("一半分", "一半分值", "分值的一半", "半分"):
        return {"share": 0.5}
    m = re.fullmatch(rf"(?:分值的)?({_NUM})(%|分)?", s)
    if m:
        return {"share": xl_round(float(m.group(1)) / 100, 12)} if m.group(2) == "%" else {"points": float(m.group(1))}
    m = re.fullmatch(rf"(?:分值的)?({_NUM})(%|分)?[-~至]({_NUM})(%|分)?", s)
    if m:
        lo, hi = float(m.group(1)), float(m.group(3))
        if "%" in (m.group(2), m.group(4)):
            if w is None:
                raise ParamError(f"“{text}”：比例区间需要分值")
            lo, hi = xl_round(lo / 100 * w, 9), xl_round(hi / 100 * w, 9)
        return {"min": min(lo, hi), "max": max(lo, hi)}
    raise ParamError(f"得分“{text}”看不懂：写 满分、不得分、5分、60% 或 3~5分")


def outcome_check(o: Mapping[str, Any], w: float, where: str) -> list[str]:
    lo, hi = outcome_bounds(o, w)
    if lo > hi:
        return [f"{where}的得分区间下限大于上限"]
    if lo < 0 or hi > w + 1e-9:
        return [f"{where}的得分（{points_text(lo)}～{points_text(hi)}）不在 0 至分值 {points_text(w)} 之间"]
    return []


# --- comparisons on a named value -----------------------------------------------------------------

OPS = (">=", "<=", ">", "<", "=")
OP_SIGN = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}
SIGN_OP = {v: k for k, v in OP_SIGN.items()}
OP_WORDS = {">=": "达到", "<=": "不超过", ">": "高于", "<": "低于", "=": "等于"}


def compare_py(a: float, op: str, x: float) -> bool:
    return {">=": a >= x, "<=": a <= x, ">": a > x, "<": a < x, "=": a == x}[op]


def compare_xl(a: str, op: str, x: float) -> str:
    return f"{a}{op}{fmt_num(x)}"


def value_text(x: float, percent: bool) -> str:
    return num_text(x, percent)


class Part:
    """One part: see the module docstring for its faces."""

    key = ""
    label = ""
    #: the 参数 key it is typed under in the authoring workbook
    param_key = ""
    SCHEMA: dict = {}
    PHRASINGS: tuple[str, ...] = ()
    #: a 参数 item as typed in the authoring workbook (its 使用说明 sheet shows it)
    EXAMPLE = ""
    #: a main part (``score``) or a deduction (``deduct``)
    role = "score"

    def slots(self, p: Mapping[str, Any]) -> list[str]:
        """The named values this part reads (in the composition's ``values`` order for the UDF)."""
        return []

    def check(self, p: Mapping[str, Any], comp, w: float) -> list[str]:
        return []

    def ranges(self, p: Mapping[str, Any]) -> bool:
        """Whether some outcome is a range the evaluator scores within (needs a 自评分 cell)."""
        return False

    def py(self, p: Mapping[str, Any], env: Mapping[str, Any], w: float) -> float | None:
        raise NotImplementedError

    def xl(self, p: Mapping[str, Any], r: Mapping[str, str], w: str) -> str:
        raise NotImplementedError

    def bounds(self, p: Mapping[str, Any], env: Mapping[str, Any], w: float) -> tuple[float, float] | None:
        """For a main part whose chosen outcome is a range: that range in points; else None."""
        return None

    def describe(self, p: Mapping[str, Any], comp, w: float) -> str:
        raise NotImplementedError

    def text(self, p: Mapping[str, Any], comp) -> str:
        raise NotImplementedError

    def parse(self, text: str, comp, w: float | None) -> dict[str, Any]:
        raise NotImplementedError


class Chooser(Part):
    """A part whose score is the outcome it picks from the values (bands, conditions, levels)."""

    def pick(self, p: Mapping[str, Any], env: Mapping[str, Any]) -> Mapping[str, Any]:
        raise NotImplementedError

    def py(self, p, env, w):
        return outcome_py(self.pick(p, env), w, env.get("__score__"))

    def bounds(self, p, env, w):
        o = self.pick(p, env)
        return outcome_bounds(o, w) if is_range(o) else None


# --- the 参数 text of a comparison: 完成率≥95%, 80%≤完成率<95%, 回访次数≥2 ---------------------------

_CMP = r"(≥|≤|>|<|=)"
_VAL = rf"([+-]?{_NUM}%?)"


def parse_value(s: str, percent: bool, what: str) -> float:
    from ..text import parse_num
    return parse_num(s, percent and s.endswith("%"), what) if percent else parse_num(s, False, what)


def parse_comparisons(text: str, comp) -> list[tuple[str, str, float]]:
    """``80%≤完成率<95%`` → [('完成率', '>=', 0.8), ('完成率', '<', 0.95)]; names must be the composition's."""
    s = fold(text)
    m = re.fullmatch(rf"{_VAL}{_CMP}([^≥≤<>=]+?){_CMP}{_VAL}", s)
    if m:
        lo, op1, name, op2, hi = m.groups()
        flip = {"≤": ">=", "<": ">", "≥": "<=", ">": "<", "=": "="}
        return [(comp.name(name), flip[op1], comp.value_of(name, lo)), (comp.name(name), SIGN_OP[op2], comp.value_of(name, hi))]
    m = re.fullmatch(rf"([^≥≤<>=]+?){_CMP}{_VAL}", s)
    if m:
        name, op, v = m.groups()
        return [(comp.name(name), SIGN_OP[op], comp.value_of(name, v))]
    m = re.fullmatch(r"([^≥≤<>=]+?)=([^≥≤<>=\d]+)", s)
    if m and comp.is_level(m.group(1)):
        return [(comp.name(m.group(1)), "is", m.group(2))]
    raise ParamError(f"条件“{text}”看不懂：写成 完成率≥95%、80%≤完成率<95% 或 回访次数≥2")


def comparison_text(name: str, op: str, x: Any, percent: bool) -> str:
    if op == "is":
        return f"{name}={x}"
    return f"{name}{OP_SIGN[op]}{num_text(x, percent)}"


def comparison_words(name: str, op: str, x: Any, percent: bool) -> str:
    if op == "is":
        return f"{name}为“{x}”"
    return f"{name}{OP_WORDS[op]}{num_text(x, percent)}"
