"""`manual`: the evaluator types a score (自评分), clamped to [0, weight]."""

from __future__ import annotations

from ..numeric import fmt_num
from .base import Rule, Slot


class Manual(Rule):
    kind = "manual"
    label = "人工评分"
    udf_name = "WB_MANUAL"
    udf_help = "人工评分：评价人填写得分，限定在0与分值之间"

    def slots(self, leaf):
        return [Slot("score", "number")]

    def raw(self, leaf, v):
        return v["score"]

    def raw_excel(self, leaf, r):
        return r["score"]

    def describe(self, leaf):
        return f"由评价人在0至{fmt_num(leaf.weight)}分之间填写得分"

    def udf_args(self, leaf, refs):
        return [refs["score"], fmt_num(leaf.weight)]
