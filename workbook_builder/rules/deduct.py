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
from .base import Problem, Rule, is_percent, need, xl_text
from .text import FLOOR_STATED, ParamError, join_items, key_values, num_text, parse_num, parse_points, points_text

_KEYS = {"标准": "threshold", "每超过": "above", "每高于": "above", "每低于": "below", "每减少": "below",
         "每下降": "below", "扣": "points", "不足一档": "step"}
_STEP_TEXT = {"continuous": "按比例", "floor": "不扣", "ceil": "按一档"}

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

    def undecided(self, leaf, value, text):
        q = self.params(leaf)
        d = value - q["threshold"] if q.get("direction", "above") == "above" else q["threshold"] - value
        if d <= 0:
            return ""
        units = xl_round(d / q["per"], 6)
        if units != int(units):
            return "评分标准没有规定不足一档的部分怎样扣分"
        if units * q["points"] > leaf.weight + 1e-9 and not FLOOR_STATED.search(text):
            return "扣分超过了分值，评分标准没有写扣完为止"
        return ""

    def as_composition(self, leaf):
        q = self.params(leaf)
        step = {"part": "steps", "value": "实际值", "from": q["threshold"], "direction": q.get("direction", "above"),
                "per": q["per"], "points": q["points"]}
        if q.get("step", "continuous") != "continuous":
            step["step"] = q["step"]
        return {"kind": "compose", "values": [{"name": "实际值", "type": "percent" if is_percent(leaf) else "number"}],
                "score": {"part": "base"}, "deduct": [step]}

    def describe(self, leaf):
        q, pc = self.params(leaf), is_percent(leaf)
        th = num_text(q["threshold"], pc) + ("" if pc else leaf.unit)
        per = f"{points_text(q['per'] * 100)}个百分点" if pc else f"{num_text(q['per'], False)}{leaf.unit}"
        if q.get("direction", "above") == "above":
            out = f"不超过{th}得满分；超过{th}后每超过{per}扣{points_text(q['points'])}分，扣完为止"
        else:
            out = f"达到{th}得满分；低于{th}后每低于{per}扣{points_text(q['points'])}分，扣完为止"
        step = q.get("step", "continuous")
        if step == "floor":
            out += f"（不足{per}的部分不扣分）"
        elif step == "ceil":
            out += f"（不足{per}的部分按{per}扣分）"
        return out

    def params_text(self, leaf):
        q, pc = self.params(leaf), is_percent(leaf)
        d = "每超过" if q.get("direction", "above") == "above" else "每低于"
        items = [f"标准={num_text(q['threshold'], pc)}", f"{d}={num_text(q['per'], pc)}", f"扣={points_text(q['points'])}"]
        if q.get("step", "continuous") != "continuous":
            items.append(f"不足一档={_STEP_TEXT[q['step']]}")
        return join_items(items)

    def parse_params(self, text, percent, weight=None):
        kv = key_values(str(text).replace("个百分点", "%"), _KEYS, "超限扣分")
        if "above" in kv and "below" in kv:
            raise ParamError("“每超过”和“每低于”只能写一个")
        missing = [k for k, have in (("标准", "threshold" in kv), ("每超过（或每低于）", "above" in kv or "below" in kv),
                                     ("扣", "points" in kv)) if not have]
        if missing:
            raise ParamError(f"超限扣分需要参数 {'、'.join(missing)}（如 标准=100%；每超过=1%；扣=0.5）")
        direction = "above" if "above" in kv else "below"
        out = {"kind": self.kind, "threshold": parse_num(kv["threshold"], percent, "标准"), "direction": direction,
               "per": parse_num(kv[direction], percent, "每超过" if direction == "above" else "每低于"),
               "points": parse_points(kv["points"], "扣")}
        if "step" in kv:
            steps = {v: k for k, v in _STEP_TEXT.items()}
            if kv["step"] not in steps:
                raise ParamError(f"不足一档=“{kv['step']}”应为 按比例、不扣 或 按一档")
            if steps[kv["step"]] != "continuous":
                out["step"] = steps[kv["step"]]
        return out

    def udf_args(self, leaf, refs):
        p = self.params(leaf)
        return [refs["actual"], fmt_num(leaf.weight), fmt_num(p["threshold"]), fmt_num(p["per"]), fmt_num(p["points"]),
                xl_text(p.get("direction", "above")), xl_text(p.get("step", "continuous"))]
