"""`yes_no`: 是 → full marks, 否 → 0."""

from __future__ import annotations

from ..numeric import fmt_num
from .base import Rule, Slot
from .text import ParamError

YES, NO = "是", "否"


class YesNo(Rule):
    kind = "yes_no"
    label = "是否判断"
    udf_name = "WB_YES_NO"
    udf_help = "是否判断：是得满分，否得0分"

    def slots(self, leaf):
        return [Slot("actual", "choice", choices=(YES, NO))]

    def raw(self, leaf, v):
        return leaf.weight if v["actual"] == YES else 0.0

    def raw_excel(self, leaf, r):
        return f'IF({r["actual"]}="{YES}",{fmt_num(leaf.weight)},0)'

    def value_of_text(self, leaf, text, percent):
        v = {"yes": YES, "no": NO, "true": YES, "false": NO}.get(str(text).strip().lower(), str(text).strip())
        if v not in (YES, NO):
            raise ParamError(f"“{text}”应为 是 或 否")
        return v

    def value_of_met(self, leaf, met):
        return YES if met else NO

    def as_composition(self, leaf):
        return {"kind": "compose", "values": [{"name": "是否", "type": "level"}],
                "score": {"part": "levels", "value": "是否",
                          "levels": [{"name": YES, "score": {"share": 1.0}}, {"name": NO, "score": {"points": 0.0}}]}}

    def describe(self, leaf):
        return f"选“是”得满分（{fmt_num(leaf.weight)}分），选“否”不得分"

    def udf_args(self, leaf, refs):
        return [refs["actual"], fmt_num(leaf.weight)]
