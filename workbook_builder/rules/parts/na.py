"""`na`: a 不适用 choice — “未安排该项任务的不扣分”, “无新建项目的单位按满分计算” — and the score it gives.

``na: {score: {share: 1}}`` (full marks, the default; ``na: true`` means the same). The department
chooses 不适用 in its own cell (a list of 适用/不适用); the values are then not needed. Left blank or 适用,
the rule scores from its values as usual: a blank is never taken as 不适用.
"""

from __future__ import annotations

from . import OUTCOME_SCHEMA, outcome_check, outcome_py, outcome_text, outcome_words, outcome_xl, parse_outcome

APPLIES, NOT_APPLICABLE = "适用", "不适用"
CHOICES = (APPLIES, NOT_APPLICABLE)
SCHEMA = {"oneOf": [{"type": "boolean"}, {"type": "object", "additionalProperties": False,
                                           "properties": {"score": OUTCOME_SCHEMA, "when": {"type": "string"}}}]}
PHRASINGS = ("未安排该项任务的不扣分", "无新建项目的单位按满分计算", "不涉及的得满分", "因政策调整的除外")
LABEL = "不适用"
PARAM_KEY = "不适用"
EXAMPLE = "不适用=满分"


def outcome(na) -> dict:
    return (na.get("score") if isinstance(na, dict) else None) or {"share": 1.0}


def check(na, w: float) -> list[str]:
    return outcome_check(outcome(na), w, "不适用")


def py(na, w: float) -> float:
    return outcome_py(outcome(na), w, None)


def xl(na, w: str) -> str:
    return outcome_xl(outcome(na), w, {})


def describe(na, w: float) -> str:
    when = na.get("when") if isinstance(na, dict) else None
    return f"{when or '不适用'}（选“不适用”）的{outcome_words(outcome(na), w)}"


def text(na) -> str:
    return outcome_text(outcome(na))


def parse(s: str, w: float | None):
    o = parse_outcome(s, w)
    return True if o == {"share": 1.0} else {"score": o}
