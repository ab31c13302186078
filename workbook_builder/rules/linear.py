"""`linear`: (value − floor)/(full − floor) × weight, clamped to [0, weight].

陇县: (指标值 − 60%)/(100% − 60%) × 赋分值. ``full`` may be below ``floor`` for
"lower is better" values. At value = floor the score is 0; at value = full, full marks.
"""

from __future__ import annotations

from ..numeric import fmt_num
from .base import Problem, Rule, is_percent, need
from .text import ParamError, join_items, key_values, num_text, parse_num

_KEYS = {"零分点": "floor", "满分点": "full"}


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

    def as_composition(self, leaf):
        q = self.params(leaf)
        f, u = fmt_num(q["floor"]), fmt_num(q["full"])
        return {"kind": "compose", "values": [{"name": "实际值", "type": "percent" if is_percent(leaf) else "number"}],
                "score": {"part": "formula", "expr": f"(实际值-{f})/({u}-{f})×分值"}}

    def describe(self, leaf):
        q, pc = self.params(leaf), is_percent(leaf)
        f, u = num_text(q["floor"], pc), num_text(q["full"], pc)
        return f"按（实际值－{f}）/（{u}－{f}）×分值计分：实际值为{f}时得0分，达到{u}得满分"

    def params_text(self, leaf):
        q, pc = self.params(leaf), is_percent(leaf)
        return join_items([f"零分点={num_text(q['floor'], pc)}", f"满分点={num_text(q['full'], pc)}"])

    def parse_params(self, text, percent, weight=None):
        kv = key_values(text, _KEYS, "线性插值")
        missing = [k for k, v in _KEYS.items() if v not in kv]
        if missing:
            raise ParamError(f"线性插值需要参数 {'、'.join(missing)}（如 零分点=60%；满分点=100%）")
        return {"kind": self.kind, "floor": parse_num(kv["floor"], percent, "零分点"),
                "full": parse_num(kv["full"], percent, "满分点")}

    def udf_args(self, leaf, refs):
        p = self.params(leaf)
        return [refs["actual"], fmt_num(leaf.weight), fmt_num(p["floor"]), fmt_num(p["full"])]
