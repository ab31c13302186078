"""`deduct`: full marks within a threshold, minus ``points`` per ``per`` beyond it, floor 0.

"每超过一个百分点扣0.5分，扣完为止" = ``{threshold: 1.0, direction: above, per: 0.01, points: 0.5}``;
"每减少一个百分点扣0.2分" = ``direction: below``. ``step`` says how a part of a unit counts:
``continuous`` (default: 1.5 points over → 1.5 × points), ``floor`` (only whole units:
"每下降5个百分点扣1分" → 4.9 points below deducts nothing) or ``ceil`` (any part counts as a unit).
The number of units is rounded to 6 decimals before ``floor``/``ceil`` so that
(1 − 0.95)/0.05 counts as exactly 1 in every engine.
"""

from __future__ import annotations

import math

from ..numeric import fmt_num, xl_round
from .base import Problem, Rule, need, xl_text

STEPS = ("continuous", "floor", "ceil")


class Deduct(Rule):
    kind = "deduct"
    label = "超限扣分"
    udf_name = "WB_DEDUCT"
    udf_help = "超限扣分：在阈值以内得满分，每超过（或低于）一个单位扣若干分，扣完为止"

    def check(self, leaf):
        p = need(leaf, "threshold", "per", "points")
        q = self.params(leaf)
        if q.get("direction", "above") not in ("above", "below"):
            p.append(Problem("error", "扣分规则的 direction 应为 above（超过扣分）或 below（低于扣分）"))
        if q.get("step", "continuous") not in STEPS:
            p.append(Problem("error", f"扣分规则的 step 应为 {'、'.join(STEPS)} 之一"))
        if q.get("per") is not None and q["per"] <= 0:
            p.append(Problem("error", "扣分规则的 per（每多少扣一次）应为正数"))
        if q.get("points") is not None and q["points"] <= 0:
            p.append(Problem("error", "扣分规则的 points（每次扣几分）应为正数"))
        return p

    def raw(self, leaf, v):
        q = self.params(leaf)
        d = v["actual"] - q["threshold"] if q.get("direction", "above") == "above" else q["threshold"] - v["actual"]
        if d <= 0:
            return leaf.weight
        units = xl_round(d / q["per"], 6)
        step = q.get("step", "continuous")
        if step == "floor":
            units = math.floor(units)
        elif step == "ceil":
            units = math.ceil(units)
        return leaf.weight - units * q["points"]

    def raw_excel(self, leaf, r):
        q = self.params(leaf)
        a, th = r["actual"], fmt_num(q["threshold"])
        d = f"({a}-{th})" if q.get("direction", "above") == "above" else f"({th}-{a})"
        units = f"ROUND({d}/{fmt_num(q['per'])},6)"
        step = q.get("step", "continuous")
        if step == "floor":
            units = f"INT({units})"
        elif step == "ceil":
            units = f"(-INT(-{units}))"
        w = fmt_num(leaf.weight)
        return f"IF({d}<=0,{w},{w}-{units}*{fmt_num(q['points'])})"

    def udf_args(self, leaf, refs):
        p = self.params(leaf)
        return [refs["actual"], fmt_num(leaf.weight), fmt_num(p["threshold"]), fmt_num(p["per"]), fmt_num(p["points"]),
                xl_text(p.get("direction", "above")), xl_text(p.get("step", "continuous"))]
