"""`base`: a fixed score to start from (full marks unless said): “基础分8分”, the start of “扣完为止” rules."""

from __future__ import annotations

from ...numeric import fmt_num
from ..text import points_text
from . import OUTCOME_SCHEMA, Part, outcome_check, outcome_py, outcome_text, outcome_xl, parse_outcome


class Base(Part):
    key = "base"
    label = "基础分"
    param_key = "基础分"
    SCHEMA = {"type": "object", "required": ["part"], "additionalProperties": False,
              "properties": {"part": {"const": "base"}, "score": OUTCOME_SCHEMA}}
    PHRASINGS = ("得满分，每…扣…分", "基础分8分", "以满分为基础")
    EXAMPLE = "基础分=满分"

    def outcome(self, p):
        return p.get("score") or {"share": 1.0}

    def check(self, p, comp, w):
        return outcome_check(self.outcome(p), w, "基础分")

    def py(self, p, env, w):
        return outcome_py(self.outcome(p), w, None)

    def xl(self, p, r, w):
        return outcome_xl(self.outcome(p), w, r)

    def describe(self, p, comp, w):
        o = self.outcome(p)
        v = o.get("points", o.get("share", 1) * w)
        return "以满分为基础" if v == w else f"以{points_text(v)}分为基础"

    def text(self, p, comp):
        return outcome_text(self.outcome(p))

    def parse(self, text, comp, w):
        o = parse_outcome(text, w)
        return {"part": "base"} if o == {"share": 1.0} else {"part": "base", "score": o}


def full() -> dict:
    return {"part": "base"}


__all__ = ["Base", "full", "fmt_num"]
