"""`bands`: stepped bands on a value.

``bands: [{min: 0.9, score: 5}, {min: 0.8, max: 0.9, score: 4}, ...]``. Each band's
``min`` is inclusive and ``max`` exclusive unless ``min_inclusive: false`` /
``max_inclusive: true`` says otherwise; a missing bound is open. The first band
(in the order written) that contains the value gives the score; a value in no
band scores ``else`` (default 0).
"""

from __future__ import annotations

import re
from typing import Any

from ..numeric import fmt_num
from .base import Problem, Rule, xl_text


def band_bounds(b: dict) -> tuple[float, float, bool, bool]:
    lo = b.get("min", float("-inf"))
    hi = b.get("max", float("inf"))
    return lo, hi, b.get("min_inclusive", True), b.get("max_inclusive", False)


def band_contains(b: dict, x: float) -> bool:
    lo, hi, li, hi_inc = band_bounds(b)
    return (x >= lo if li else x > lo) and (x <= hi if hi_inc else x < hi)


class Bands(Rule):
    kind = "bands"
    label = "分档计分"
    udf_name = "WB_BANDS"
    udf_help = "分档计分：按指标值所在区间取对应分数"

    def check(self, leaf):
        bands = self.params(leaf).get("bands")
        if not bands:
            return [Problem("error", "分段计分（bands）需要非空的分段列表 bands")]
        p = []
        for i, b in enumerate(bands):
            lo, hi, li, hinc = band_bounds(b)
            if "score" not in b:
                p.append(Problem("error", f"第 {i + 1} 个分段（bands[{i}]）没有得分 score"))
            elif not 0 <= b["score"] <= leaf.weight:
                p.append(Problem("error", f"第 {i + 1} 个分段的得分 {b['score']} 不在 0 至分值 {leaf.weight:g} 之间"))
            if lo > hi or (lo == hi and not (li and hinc)):
                p.append(Problem("error", f"第 {i + 1} 个分段是空的：下限 {lo}，上限 {hi}"))
        # gaps and overlaps, over the sorted bands
        iv = sorted((band_bounds(b) + (i,) for i, b in enumerate(bands)), key=lambda x: (x[0], not x[2]))
        for (lo1, hi1, li1, hinc1, i1), (lo2, hi2, li2, hinc2, i2) in zip(iv, iv[1:]):
            if hi1 > lo2 or (hi1 == lo2 and hinc1 and li2):
                p.append(Problem("error", f"第 {i1 + 1} 个与第 {i2 + 1} 个分段在 {lo2:g} 处重叠"))
            elif hi1 < lo2 or (hi1 == lo2 and not hinc1 and not li2):
                p.append(Problem("warning", f"第 {i1 + 1} 个与第 {i2 + 1} 个分段之间（{hi1:g}～{lo2:g}）没有分段，按 {self.params(leaf).get('else', 0)} 分计"))
        return p

    def raw(self, leaf, v):
        for b in self.params(leaf)["bands"]:
            if band_contains(b, v["actual"]):
                return b["score"]
        return self.params(leaf).get("else", 0)

    def raw_excel(self, leaf, r):
        a = r["actual"]
        out = fmt_num(self.params(leaf).get("else", 0))
        for b in reversed(self.params(leaf)["bands"]):
            lo, hi, li, hinc = band_bounds(b)
            conds = []
            if lo != float("-inf"):
                conds.append(f"{a}{'>=' if li else '>'}{fmt_num(lo)}")
            if hi != float("inf"):
                conds.append(f"{a}{'<=' if hinc else '<'}{fmt_num(hi)}")
            cond = "TRUE" if not conds else conds[0] if len(conds) == 1 else f"AND({','.join(conds)})"
            out = f"IF({cond},{fmt_num(b['score'])},{out})"
        return out

    def udf_args(self, leaf, refs):
        p = self.params(leaf)
        return [refs["actual"], fmt_num(leaf.weight), xl_text(render_bands(p["bands"])), fmt_num(p.get("else", 0))]



# --- the parameter text of the WB_BANDS UDF: [min,max):score items separated by ';' ---------------

_BAND = re.compile(r"^\s*([\[(])\s*([^,]*)\s*,\s*([^\])]*)\s*([\])])\s*:\s*(.+?)\s*$")


def parse_bands(text: str) -> list[dict]:
    out = []
    for item in filter(None, (x.strip() for x in str(text).split(";"))):
        m = _BAND.match(item)
        if not m:
            raise ValueError(f"cannot read band {item!r}; write [min,max):score")
        lb, lo, hi, rb, score = m.groups()
        b: dict[str, Any] = {"score": float(score)}
        if lo not in ("", "-"):
            b["min"] = float(lo)
            b["min_inclusive"] = lb == "["
        if hi not in ("", "+"):
            b["max"] = float(hi)
            b["max_inclusive"] = rb == "]"
        out.append(b)
    return out


def render_bands(bands: list[dict]) -> str:
    items = []
    for b in bands:
        lo = fmt_num(b["min"]) if "min" in b else "-"
        hi = fmt_num(b["max"]) if "max" in b else "+"
        lb = "[" if "min" in b and b.get("min_inclusive", True) else "("
        rb = "]" if "max" in b and b.get("max_inclusive", False) else ")"
        items.append(f"{lb}{lo},{hi}{rb}:{fmt_num(b['score'])}")
    return ";".join(items)
