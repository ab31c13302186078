"""`ratio`: the national rule for quantitative indicators (财预〔2020〕10号).

Direction from the target's comparison (指标方向):

* ``>=`` (正向): actual ≥ target → full marks; otherwise weight × actual/target
  (0 when target ≤ 0).
* ``<=`` (反向): actual ≤ target → full marks; otherwise weight × (1 − (actual − target)/target),
  which reaches 0 at twice the target (0 when target ≤ 0).
* ``=``: actual = target → full marks; otherwise weight × (1 − |actual − target|/target)
  (0 when target ≤ 0).

Options:

* ``overshoot: {threshold: 1.5, k: 1}`` (庆城 三.4: a target set far too low): for ``>=``,
  when actual/target > threshold the share is max(0, 1 − (actual/target − threshold) × k).
* ``reason_at: 1.3``: a 偏差原因 is required once actual/target ≥ 1.3, even at full marks.
* ``reverse: inverse`` (the project form's 反向 rule): for ``<=``, over the target the score is
  weight × target/actual.
* ``reason_below: 0.9`` (四川's 预算执行率): a reason is required only below 90 % of the target,
  not for every score below the weight.
* ``tolerance: 0.05`` (the project form's ``=``): |actual − target| ≤ 5 % of |target| → full marks.

``share`` and ``share_excel`` hold the arithmetic with the weight as a number or a cell, so the
project form's open rows (rules/open.py) score their typed 分值 with the same rule.
"""

from __future__ import annotations

from ..numeric import fmt_num
from .base import Problem, Rule, Slot, actual_type, target_words, xl_text
from .text import ParamError, fold, join_items, key_values, num_text, parse_num, points_text

_KEYS = {"超额扣分起点": "threshold", "超额扣分系数": "k", "说明原因起点": "reason_at", "反向计分": "reverse",
         "允许偏差": "tolerance"}
REVERSE = {"inverse": "指标值/实际值"}


def score(op: str, a: float, t: float, w: float, q) -> float:
    """The unclamped score for direction ``op``, weight ``w`` and the rule's options ``q``."""
    if op == ">=":
        if a >= t:
            o = q.get("overshoot")
            if o and t > 0 and a / t > o["threshold"]:
                return max(0.0, 1 - (a / t - o["threshold"]) * o.get("k", 1)) * w
            return w
        return 0.0 if t <= 0 else a / t * w
    if op == "<=":
        if a <= t:
            return w
        if t <= 0:
            return 0.0
        return t / a * w if q.get("reverse") == "inverse" else (1 - (a - t) / t) * w
    tol = q.get("tolerance")
    if a == t or (tol is not None and abs(a - t) <= tol * abs(t)):
        return w
    return 0.0 if t <= 0 else (1 - abs(a - t) / t) * w


def score_excel(op: str, a: str, t: str, w: str, q) -> str:
    """The formula face of ``score`` (``a``, ``t``, ``w`` are formula texts)."""
    if op == ">=":
        met = w
        o = q.get("overshoot")
        if o:
            th, k = fmt_num(o["threshold"]), fmt_num(o.get("k", 1))
            met = f"IF(AND({t}>0,{a}/{t}>{th}),MAX(0,1-({a}/{t}-{th})*{k})*{w},{w})"
        return f"IF({a}>={t},{met},IF({t}<=0,0,{a}/{t}*{w}))"
    if op == "<=":
        over = f"{t}/{a}*{w}" if q.get("reverse") == "inverse" else f"(1-({a}-{t})/{t})*{w}"
        return f"IF({a}<={t},{w},IF({t}<=0,0,{over}))"
    tol = q.get("tolerance")
    met = f"{a}={t}" if tol is None else f"OR({a}={t},ABS({a}-{t})<={fmt_num(tol)}*ABS({t}))"
    return f"IF({met},{w},IF({t}<=0,0,(1-ABS({a}-{t})/{t})*{w}))"


class Ratio(Rule):
    kind = "ratio"
    label = "完成比例"
    udf_name = "WB_RATIO"
    udf_help = "按完成比例计分：达到指标值得满分，否则按实际完成值/指标值×分值（反向指标按偏离度扣减）"

    def shows_rate(self, leaf):
        return True

    def slots(self, leaf):
        t = actual_type(leaf)
        return [Slot("actual", t), Slot("target", t)]

    def check(self, leaf):
        p = []
        if leaf.target is None or leaf.target.op not in (">=", "<=", "="):
            p.append(Problem("error", "完成比例计分需要带比较方向（>=、<= 或 =）的年度指标值"))
        elif leaf.target.value is None and not leaf.target.entry:
            p.append(Problem("error", "完成比例计分需要年度指标值（或 target.entry: true 由部门填写）"))
        elif leaf.target.value is not None and leaf.target.value <= 0:
            p.append(Problem("warning", "年度指标值 ≤ 0：未达到时无法计算比例，按 0 分计"))
        o = self.params(leaf).get("overshoot")
        if o is not None:
            if not isinstance(o, dict) or "threshold" not in o or o["threshold"] <= 1:
                p.append(Problem("error", "overshoot.threshold（超额扣分起点）应为大于 1 的数"))
            if leaf.target and leaf.target.op != ">=":
                p.append(Problem("error", "overshoot 只适用于 >= 方向的指标"))
        ra = self.params(leaf).get("reason_at")
        if ra is not None and (not isinstance(ra, (int, float)) or ra <= 1):
            p.append(Problem("error", "reason_at 应为大于 1 的比例（如 1.3）"))
        rv = self.params(leaf).get("reverse")
        if rv is not None and (rv not in REVERSE or (leaf.target and leaf.target.op != "<=")):
            p.append(Problem("error", "reverse（反向计分）只能是 inverse（指标值/实际值），且只适用于 <= 方向的指标"))
        tol = self.params(leaf).get("tolerance")
        if tol is not None and (not isinstance(tol, (int, float)) or not 0 <= tol < 1
                                or (leaf.target and leaf.target.op != "=")):
            p.append(Problem("error", "tolerance（允许偏差）应为 0 至 1 之间的比例，且只适用于 = 方向的指标"))
        return p

    def raw(self, leaf, v):
        return score(leaf.target.op, v["actual"], v["target"], leaf.weight, self.params(leaf))

    def raw_excel(self, leaf, r):
        return score_excel(leaf.target.op, r["actual"], r["target"], fmt_num(leaf.weight), self.params(leaf))

    def needs_reason(self, leaf, v, score):
        ra = self.params(leaf).get("reason_at")
        if ra and v["target"] > 0 and v["actual"] / v["target"] >= ra:
            return True
        rb = self.params(leaf).get("reason_below")
        if rb is not None:
            return v["target"] > 0 and v["actual"] / v["target"] < rb
        return score < leaf.weight

    def needs_reason_excel(self, leaf, r, score_ref):
        rb = self.params(leaf).get("reason_below")
        if rb is not None:
            a, t = r["actual"], r["target"]
            base = f"AND({t}>0,{a}/{t}<{fmt_num(rb)})"
        else:
            base = super().needs_reason_excel(leaf, r, score_ref)
        ra = self.params(leaf).get("reason_at")
        if not ra:
            return base
        a, t = r["actual"], r["target"]
        return f"OR({base},AND({t}>0,{a}/{t}>={fmt_num(ra)}))"

    def describe(self, leaf):
        op = leaf.target.op if leaf.target else ">="
        tw = target_words(leaf)
        q = self.params(leaf)
        if op == "<=" and q.get("reverse") == "inverse":
            out = f"反向指标：实际完成值不超过{tw}得满分；超出的按年度指标值/实际完成值×分值计分"
        elif op == "<=":
            out = f"反向指标：实际完成值不超过{tw}得满分；超出的按（1－超出部分/年度指标值）×分值计分，超出一倍及以上不得分"
        elif op == "=":
            within = f"（偏离不超过年度指标值的{num_text(q['tolerance'], True)}）" if q.get("tolerance") is not None else ""
            out = f"实际完成值等于{tw}{within}得满分；偏离的按（1－偏离部分/年度指标值）×分值计分"
        else:
            out = f"正向指标：实际完成值达到{tw}得满分；未达到的按实际完成值/年度指标值×分值计分"
        q = self.params(leaf)
        o = q.get("overshoot")
        if o:
            out += (f"；完成比例超过{num_text(o['threshold'], True)}时（指标值定得过低），"
                    f"按（1－（完成比例－{num_text(o['threshold'], True)}）×{points_text(o.get('k', 1))}）×分值计分")
        if q.get("reason_at"):
            out += f"；完成比例达到{num_text(q['reason_at'], True)}及以上须说明偏差原因"
        if q.get("reason_below") is not None:
            out += f"；完成比例低于{num_text(q['reason_below'], True)}须说明原因"
        return out

    def params_text(self, leaf):
        q = self.params(leaf)
        items = []
        if q.get("overshoot"):
            items.append(f"超额扣分起点={num_text(q['overshoot']['threshold'], True)}")
            items.append(f"超额扣分系数={points_text(q['overshoot'].get('k', 1))}")
        if q.get("reason_at"):
            items.append(f"说明原因起点={num_text(q['reason_at'], True)}")
        if q.get("reverse"):
            items.append(f"反向计分={REVERSE[q['reverse']]}")
        if q.get("tolerance") is not None:
            items.append(f"允许偏差={num_text(q['tolerance'], True)}")
        return join_items(items)

    def parse_params(self, text, percent, weight=None):
        kv = key_values(text, _KEYS, "完成比例")
        out = {"kind": self.kind}
        if "threshold" in kv:
            out["overshoot"] = {"threshold": parse_num(kv["threshold"], True, "超额扣分起点")}
            if "k" in kv:
                out["overshoot"]["k"] = float(parse_num(kv["k"], False, "超额扣分系数"))
        elif "k" in kv:
            raise ParamError("写了超额扣分系数，还要写超额扣分起点（如 超额扣分起点=150%）")
        if "reason_at" in kv:
            out["reason_at"] = parse_num(kv["reason_at"], True, "说明原因起点")
        if "reverse" in kv:
            rv = {v: k for k, v in REVERSE.items()}.get(fold(kv["reverse"]).replace("÷", "/"))
            if rv is None:
                raise ParamError(f"反向计分只能写“{'、'.join(REVERSE.values())}”")
            out["reverse"] = rv
        if "tolerance" in kv:
            out["tolerance"] = parse_num(kv["tolerance"], True, "允许偏差")
        return out

    def udf_args(self, leaf, refs):
        q = self.params(leaf)
        o = q.get("overshoot")
        extra = [fmt_num(o["threshold"]), fmt_num(o.get("k", 1))] if o else []
        if q.get("reverse") or q.get("tolerance") is not None:
            extra = (extra or ['""', "1"]) + [xl_text(q.get("reverse") or ""),
                                              fmt_num(q["tolerance"]) if q.get("tolerance") is not None else '""']
        return [refs["actual"], refs["target"], fmt_num(leaf.weight), xl_text(leaf.target.op), *extra]
