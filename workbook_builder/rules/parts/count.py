"""`count`: a deduction per counted item (问题, 缺项, 投诉), with its own cap.

``{part: count, value: 问题, points: 0.5, cap: 3}`` — “每发现一处问题扣0.5分，最多扣3分”. The value is a
whole number ≥ 0 the department types (the count of 问题 items).
"""

from __future__ import annotations

import re

from ...numeric import fmt_num
from ..text import ParamError, fold, points_text
from . import Part
from .steps import cap_xl


class Count(Part):
    key = "count"
    label = "计数扣分"
    param_key = "计数扣分"
    role = "deduct"
    SCHEMA = {"type": "object", "required": ["part", "value"], "additionalProperties": False,
              "properties": {"part": {"const": "count"}, "value": {"type": "string"},
                             "points": {"type": "number", "exclusiveMinimum": 0},
                             "share": {"type": "number", "exclusiveMinimum": 0}, "cap": {"type": "number", "minimum": 0}}}
    PHRASINGS = ("每发现一处问题扣0.5分，最多扣3分", "每出现一例扣1分", "每发现一项不完备的，扣25%分值")
    EXAMPLE = "计数扣分=问题每项扣0.5分，最多扣3分"

    def slots(self, p):
        return [p["value"]]

    def _per(self, p, w):
        return p["points"] if p.get("points") is not None else p["share"] * w

    def check(self, p, comp, w):
        return [] if (p.get("points") is None) != (p.get("share") is None) else ["计数扣分需要每项扣的分数或比例其中之一"]

    def py(self, p, env, w):
        out = env[p["value"]] * self._per(p, w)
        return out if p.get("cap") is None else min(p["cap"], out)

    def xl(self, p, r, w):
        per = fmt_num(p["points"]) if p.get("points") is not None else f"{fmt_num(p['share'])}*{w}"
        return cap_xl(f"{r[p['value']]}*{per}", p.get("cap"))

    def describe(self, p, comp, w):
        per = f"{points_text(p['points'])}分" if p.get("points") is not None else f"分值的{points_text(p['share'] * 100)}%"
        out = f"{p['value']}的扣{per}" if comp.type(p["value"]) == "flag" else f"每有一项{p['value']}扣{per}"
        if p.get("cap") is not None:
            out += f"，最多扣{points_text(p['cap'])}分"
        return out

    def text(self, p, comp):
        per = f"{points_text(p['points'])}分" if p.get("points") is not None else f"{points_text(p['share'] * 100)}%"
        return f"{p['value']}每项扣{per}" + (f"，最多扣{points_text(p['cap'])}分" if p.get("cap") is not None else "")

    def parse(self, text, comp, w):
        m = re.fullmatch(r"(.+?)每项扣(\d+(?:\.\d+)?)(分|%)(?:,最多扣(\d+(?:\.\d+)?)分)?", fold(text))
        if not m:
            raise ParamError(f"计数扣分“{text}”应写成 问题每项扣0.5分（或 每项扣25%），可加 ，最多扣3分")
        out = {"part": "count", "value": comp.name(m.group(1), "integer")}
        if m.group(3) == "%":
            out["share"] = float(m.group(2)) / 100
        else:
            out["points"] = float(m.group(2))
        if m.group(4):
            out["cap"] = float(m.group(4))
        return out


__all__ = ["Count", "fmt_num"]
