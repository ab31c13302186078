"""`steps`: a deduction per step of deviation of a named value from a reference, with its own cap.

``{part: steps, value: 完成率, from: 1, direction: below, per: 0.01, points: 1, step: continuous, cap: 5}`` —
“完成率每低1%扣1分，最多扣5分”; ``direction`` above (超过), below (低于) or either (“与目标值每相差2个百分点扣1分”);
``step`` as in rules/deduct.py: continuous (parts count), floor (whole steps only), ceil (any part is a step).
"""

from __future__ import annotations

import math
import re

from ...numeric import fmt_num, xl_round
from ..text import ParamError, fold, num_text, points_text
from . import Part

DIRECTIONS = {"above": "超过", "below": "低于", "either": "偏离"}
STEPS = {"continuous": "", "floor": "整档", "ceil": "不足一档按一档"}


def cap_xl(d: str, cap) -> str:
    return d if cap is None else f"MIN({fmt_num(cap)},{d})"


class Steps(Part):
    key = "steps"
    label = "按差扣分"
    param_key = "按差扣分"
    role = "deduct"
    SCHEMA = {"type": "object", "required": ["part", "value", "from", "direction", "per", "points"], "additionalProperties": False,
              "properties": {"part": {"const": "steps"}, "value": {"type": "string"}, "from": {"type": "number"},
                             "direction": {"enum": list(DIRECTIONS)}, "per": {"type": "number", "exclusiveMinimum": 0},
                             "points": {"type": "number", "exclusiveMinimum": 0}, "step": {"enum": list(STEPS)},
                             "cap": {"type": "number", "minimum": 0}}}
    PHRASINGS = ("每低1%扣1分", "每超过1个百分点扣0.5分，最多扣5分", "与目标值每相差2个百分点扣1分")
    EXAMPLE = "按差扣分=完成率低于100%每1%扣1分，最多扣5分"

    def slots(self, p):
        return [p["value"]]

    def check(self, p, comp, w):
        out = []
        if p["per"] <= 0 or p["points"] <= 0:
            out.append("按差扣分的每档和扣分应为正数")
        if p.get("direction") not in DIRECTIONS:
            out.append("按差扣分的方向应为超过、低于或偏离")
        return out

    def py(self, p, env, w):
        a, th = env[p["value"]], p["from"]
        d = {"above": a - th, "below": th - a}.get(p["direction"], abs(a - th))
        if d <= 0:
            return 0.0
        units = xl_round(d / p["per"], 6)
        if p.get("step") == "floor":
            units = math.floor(units)
        elif p.get("step") == "ceil":
            units = math.ceil(units)
        out = units * p["points"]
        return out if p.get("cap") is None else min(p["cap"], out)

    def xl(self, p, r, w):
        a, th = r[p["value"]], fmt_num(p["from"])
        d = {"above": f"({a}-{th})", "below": f"({th}-{a})"}.get(p["direction"], f"ABS({a}-{th})")
        units = f"ROUND({d}/{fmt_num(p['per'])},6)"
        if p.get("step") == "floor":
            units = f"INT({units})"
        elif p.get("step") == "ceil":
            units = f"(-INT(-{units}))"
        amount = cap_xl(units + "*" + fmt_num(p["points"]), p.get("cap"))
        return f"IF({d}<=0,0,{amount})"

    def _per(self, p, pc):
        return f"{points_text(p['per'] * 100)}个百分点" if pc else num_text(p["per"], False)

    def describe(self, p, comp, w):
        pc = comp.percent(p["value"])
        word = {"above": "超过", "below": "低于", "either": "与之相差"}[p["direction"]]
        out = f"{p['value']}以{num_text(p['from'], pc)}为准，每{word}{self._per(p, pc)}扣{points_text(p['points'])}分"
        if p.get("step") == "floor":
            out += "（不足一档不扣）"
        elif p.get("step") == "ceil":
            out += "（不足一档按一档扣）"
        if p.get("cap") is not None:
            out += f"，最多扣{points_text(p['cap'])}分"
        return out

    def text(self, p, comp):
        pc = comp.percent(p["value"])
        out = (f"{p['value']}{DIRECTIONS[p['direction']]}{num_text(p['from'], pc)}每{num_text(p['per'], pc)}"
               f"扣{points_text(p['points'])}分")
        if p.get("step") in ("floor", "ceil"):
            out += f"，{STEPS[p['step']]}"
        if p.get("cap") is not None:
            out += f"，最多扣{points_text(p['cap'])}分"
        return out

    def parse(self, text, comp, w):
        s = fold(text)
        m = re.fullmatch(r"(.+?)(超过|低于|偏离)([+-]?\d+(?:\.\d+)?%?)每(\d+(?:\.\d+)?%?)扣(\d+(?:\.\d+)?)分"
                         r"(?:,(整档|不足一档按一档))?(?:,最多扣(\d+(?:\.\d+)?)分)?", s)
        if not m:
            raise ParamError(f"按差扣分“{text}”应写成 完成率低于100%每1%扣1分（或 超过、偏离），可加 ，最多扣5分")
        name = comp.name(m.group(1))
        out = {"part": "steps", "value": name, "from": comp.value_of(name, m.group(3)),
               "direction": {v: k for k, v in DIRECTIONS.items()}[m.group(2)], "per": comp.value_of(name, m.group(4)),
               "points": float(m.group(5))}
        if m.group(6):
            out["step"] = {v: k for k, v in STEPS.items()}[m.group(6)]
        if m.group(7):
            out["cap"] = float(m.group(7))
        return out
