"""`checklist`: named items (①②③…), counted.

The value typed is a count. ``mode: deduct`` (default): the count of failed items
(不符合/不完备的项数); each deducts ``points`` or ``share`` × weight ("每发现一项不完备的，扣25%分值"),
floor 0. ``mode: earn``: the count of completed items; each earns ``points`` ("每完成一项得1分"),
capped at the weight. Counts are whole numbers ≥ 0.
"""

from __future__ import annotations

import re

from ..numeric import fmt_num
from .base import Problem, Rule, Slot, number_of_text, xl_text
from .text import FLOOR_STATED, ParamError, fold, join_items, key_values, parse_points, points_text

_KEYS = {"每项扣": "deduct", "每项得": "earn", "项目": "items", "检查项": "items"}


class Checklist(Rule):
    kind = "checklist"
    label = "清单计分"
    udf_name = "WB_CHECKLIST"
    udf_help = "清单计分：按不符合项数扣分（或按完成项数得分），扣完为止"

    def slots(self, leaf):
        return [Slot("actual", "integer")]

    def check(self, leaf):
        q = self.params(leaf)
        p = []
        if q.get("mode", "deduct") not in ("deduct", "earn"):
            p.append(Problem("error", "清单计分的 mode 应为 deduct（扣分）或 earn（得分）"))
        if (q.get("points") is None) == (q.get("share") is None):
            p.append(Problem("error", "清单计分需要 points（每项分数）或 share（每项比例）二者之一"))
        if q.get("mode") == "earn" and q.get("items") and q.get("points"):
            if len(q["items"]) * q["points"] < leaf.weight:
                p.append(Problem("warning", "清单计分（得分制）：全部项目加起来也达不到分值"))
        return p

    def _per(self, leaf):
        q = self.params(leaf)
        return q["points"] if q.get("points") is not None else q["share"] * leaf.weight

    def raw(self, leaf, v):
        n = v["actual"] * self._per(leaf)
        return n if self.params(leaf).get("mode") == "earn" else leaf.weight - n

    def raw_excel(self, leaf, r):
        q = self.params(leaf)
        per = fmt_num(q["points"]) if q.get("points") is not None else f"{fmt_num(q['share'])}*{fmt_num(leaf.weight)}"
        n = f"{r['actual']}*{per}"
        return n if q.get("mode") == "earn" else f"{fmt_num(leaf.weight)}-{n}"

    def value_of_text(self, leaf, text, percent):
        return number_of_text(text, percent, need_sign=False)  # a count, whatever the indicator's unit

    def value_of_met(self, leaf, met):
        q = self.params(leaf)
        if q.get("mode") == "earn":
            return len(set(met))
        if q.get("items"):
            return len(q["items"]) - len(set(met))
        raise ParamError("这条评分标准没有列出①②③各项；请用 --actual 给出不符合的项数")

    def undecided(self, leaf, value, text):
        q = self.params(leaf)
        if q.get("mode", "deduct") == "deduct" and isinstance(value, float) and value * self._per(leaf) > leaf.weight + 1e-9 \
                and not FLOOR_STATED.search(text):
            return "扣分超过了分值，评分标准没有写扣完为止"
        return ""

    def as_composition(self, leaf):
        q = self.params(leaf)
        values = [{"name": "项数", "type": "integer"}]
        if q.get("mode") == "earn":
            per = fmt_num(q["points"]) if q.get("points") is not None else f"{fmt_num(q['share'])}×分值"
            return {"kind": "compose", "values": values, "score": {"part": "formula", "expr": f"项数×{per}"}}
        count = {"part": "count", "value": "项数"}
        count.update({"points": q["points"]} if q.get("points") is not None else {"share": q["share"]})
        return {"kind": "compose", "values": values, "score": {"part": "base"}, "deduct": [count]}

    def describe(self, leaf):
        q = self.params(leaf)
        per = (f"{points_text(q['points'])}分" if q.get("points") is not None
               else f"分值的{points_text(q['share'] * 100)}%")
        if q.get("mode") == "earn":
            out = f"填写完成的项数：每完成一项得{per}，最高{fmt_num(leaf.weight)}分"
        else:
            out = f"填写不符合要求的项数：每出现一项扣{per}，扣完为止"
        if q.get("items"):
            out += f"（检查项：{'、'.join(q['items'])}）"
        return out

    def params_text(self, leaf):
        q = self.params(leaf)
        key = "每项得" if q.get("mode") == "earn" else "每项扣"
        per = points_text(q["points"]) if q.get("points") is not None else f"分值的{points_text(q['share'] * 100)}%"
        items = [f"{key}={per}"]
        if q.get("items"):
            items.append(f"项目={join_names(q['items'])}")
        return join_items(items)

    def parse_params(self, text, percent, weight=None):
        kv = key_values(text, _KEYS, "清单计分")
        if ("deduct" in kv) == ("earn" in kv):
            raise ParamError("清单计分要写“每项扣”或“每项得”其中一个（如 每项扣=1 或 每项扣=分值的25%）")
        mode = "earn" if "earn" in kv else "deduct"
        out = {"kind": self.kind, "mode": mode}
        v = fold(kv[mode])
        if v.startswith("分值的") and v.endswith("%"):
            out["share"] = parse_points(v[3:-1], "每项比例") / 100
        else:
            out["points"] = parse_points(v, "每项分数")
        if "items" in kv:
            out["items"] = split_names(kv["items"])
        return out

    def udf_args(self, leaf, refs):
        p = self.params(leaf)
        unit = "share" if p.get("share") is not None else "points"
        return [refs["actual"], fmt_num(leaf.weight), fmt_num(p[unit]), xl_text(p.get("mode", "deduct")), xl_text(unit)]


def join_names(names: list[str]) -> str:
    """Item names separated by 、; a name that itself holds 、 or a comma is written in 「」 so it reads back whole."""
    return "、".join(f"「{n}」" if re.search(r"[、,，「」]", n) else n for n in names)


def split_names(text: str) -> list[str]:
    """The inverse of ``join_names``: 、/,/， separate names except inside 「」."""
    out, cur, depth = [], [], 0
    for ch in str(text):
        if ch == "「":
            depth += 1
            if depth == 1:
                continue
        elif ch == "」" and depth:
            depth -= 1
            if depth == 0:
                continue
        if ch in "、,，" and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return [x.strip() for x in out if x.strip()]
