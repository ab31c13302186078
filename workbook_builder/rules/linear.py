"""`linear`: (value − floor)/(full − floor) × weight, clamped to [0, weight].

陇县: (指标值 − 60%)/(100% − 60%) × 赋分值. ``full`` may be below ``floor`` for
"lower is better" values. At value = floor the score is 0; at value = full, full marks.
"""

from __future__ import annotations

from ..numeric import fmt_num
from .base import Problem, Rule, need


class Linear(Rule):
    kind = "linear"
    label = "线性插值"
    udf_name = "WB_LINEAR"
    udf_help = "线性插值计分：(指标值−下限)/(满分值−下限)×分值，限定在0与分值之间"

    def check(self, leaf):
        p = need(leaf, "floor", "full")
        if not p and self.params(leaf)["floor"] == self.params(leaf)["full"]:
            p.append(Problem("error", "线性计分的 floor（零分点）与 full（满分点）不能相同"))
        return p

    def raw(self, leaf, v):
        f, u = self.params(leaf)["floor"], self.params(leaf)["full"]
        return (v["actual"] - f) / (u - f) * leaf.weight

    def raw_excel(self, leaf, r):
        f, u = self.params(leaf)["floor"], self.params(leaf)["full"]
        return f"({r['actual']}-{fmt_num(f)})/({fmt_num(u)}-{fmt_num(f)})*{fmt_num(leaf.weight)}"

    def udf_args(self, leaf, refs):
        p = self.params(leaf)
        return [refs["actual"], fmt_num(leaf.weight), fmt_num(p["floor"]), fmt_num(p["full"])]
