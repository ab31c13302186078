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
from .base import Problem, Rule, is_percent, xl_text
from .text import ParamError, fold, join_items, num_text, parse_num, parse_points, points_text, split_items

_NUMP = r"([+-]?\d+(?:\.\d+)?%?)"
_TWO = re.compile(rf"^(?:{_NUMP}(≤|<))?[xX](?:(≤|<){_NUMP})?$")
_LOW = re.compile(rf"^[xX](≥|>){_NUMP}$")
_EQ = re.compile(rf"^[xX]={_NUMP}$")


def band_bounds(b: dict) -> tuple[float, float, bool, bool]:
    lo = b.get("min", float("-inf"))
    hi = b.get("max", float("inf"))
    return lo, hi, b.get("min_inclusive", True), b.get("max_inclusive", False)


def band_xl(a: str, b: dict) -> str:
    """The Excel condition that value ``a`` (a cell reference) lies in band ``b``."""
    lo, hi, li, hinc = band_bounds(b)
    conds = []
    if lo != float("-inf"):
        conds.append(f"{a}{'>=' if li else '>'}{fmt_num(lo)}")
    if hi != float("inf"):
        conds.append(f"{a}{'<=' if hinc else '<'}{fmt_num(hi)}")
    return "TRUE" if not conds else conds[0] if len(conds) == 1 else f"AND({','.join(conds)})"


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
            cond = band_xl(a, b)
            out = f"IF({cond},{fmt_num(b['score'])},{out})"
        return out

    def undecided(self, leaf, value, text):
        if isinstance(value, float) and not any(band_contains(b, value) for b in self.params(leaf)["bands"]):
            return "实际值不在评分标准写到的任何一档内"
        return ""

    def as_composition(self, leaf):
        q = self.params(leaf)
        bands = [{**{k: v for k, v in b.items() if k not in ("score", "label")}, "score": {"points": b["score"]}}
                 for b in q["bands"]]
        return {"kind": "compose", "values": [{"name": "实际值", "type": "percent" if is_percent(leaf) else "number"}],
                "score": {"part": "bands", "value": "实际值", "bands": bands, "else": {"points": q.get("else", 0)}}}

    def describe(self, leaf):
        q, pc = self.params(leaf), is_percent(leaf)
        out = [f"{band_words(b, pc)}得{points_text(b['score'])}分" for b in q["bands"]]
        open_low = any("min" not in b for b in q["bands"])
        open_high = any("max" not in b for b in q["bands"])
        if q.get("else", 0) or not (open_low and open_high) or any(p.severity == "warning" for p in self.check(leaf)):
            out.append(f"其他情况得{points_text(q.get('else', 0))}分")
        return "；".join(out)

    def params_text(self, leaf):
        q, pc = self.params(leaf), is_percent(leaf)
        items = [f"{band_condition(b, pc)}：{points_text(b['score'])}分" for b in q["bands"]]
        if q.get("else", 0):
            items.append(f"其他：{points_text(q['else'])}分")
        return join_items(items)

    def parse_params(self, text, percent, weight=None):
        bands, other = [], None
        for item in split_items(text):
            f = fold(item)
            cond, sep, score = f.rpartition(":")
            if not sep:
                raise ParamError(f"“{item}”应写成 区间：分数（如 85%≤x<95%：3分）")
            pts = parse_points(score, "分数")
            if cond == "其他":
                other = pts
                continue
            b: dict[str, Any] = {}
            m2, ml, me = _TWO.match(cond), _LOW.match(cond), _EQ.match(cond)
            if me:
                v = parse_num(me.group(1), percent, "区间")
                b.update(min=v, max=v, max_inclusive=True)
            elif ml:
                b["min"] = parse_num(ml.group(2), percent, "区间")
                if ml.group(1) == ">":
                    b["min_inclusive"] = False
            elif m2 and (m2.group(1) or m2.group(4)):
                if m2.group(1):
                    b["min"] = parse_num(m2.group(1), percent, "区间")
                    if m2.group(2) == "<":
                        b["min_inclusive"] = False
                if m2.group(4):
                    b["max"] = parse_num(m2.group(4), percent, "区间")
                    if m2.group(3) == "≤":
                        b["max_inclusive"] = True
            else:
                raise ParamError(f"区间“{cond}”看不懂：写成 x≥95%、85%≤x<95%、x<75% 或 x=0")
            b["score"] = pts
            bands.append(b)
        if not bands:
            raise ParamError("分档计分要在“参数”里列出各档（如 x≥90%：5分；80%≤x<90%：4分；x<80%：0分）")
        out: dict[str, Any] = {"kind": self.kind, "bands": bands}
        if other is not None:
            out["else"] = other
        return out

    def udf_args(self, leaf, refs):
        p = self.params(leaf)
        return [refs["actual"], fmt_num(leaf.weight), xl_text(render_bands(p["bands"])), fmt_num(p.get("else", 0))]



def band_condition(b: dict, pc: bool) -> str:
    """``85%≤x<95%``: a band as typed in the 参数 column."""
    lo, hi, li, hinc = band_bounds(b)
    if lo == hi and li and hinc:
        return f"x={num_text(lo, pc)}"
    left = f"{num_text(lo, pc)}{'≤' if li else '<'}" if lo != float("-inf") else ""
    right = f"{'≤' if hinc else '<'}{num_text(hi, pc)}" if hi != float("inf") else ""
    if left and not right:
        return f"x{'≥' if li else '>'}{num_text(lo, pc)}"
    return f"{left}x{right}"


def band_words(b: dict, pc: bool) -> str:
    """``85%（含）至95%``: a band in the words rubrics use."""
    lo, hi, li, hinc = band_bounds(b)
    has_lo, has_hi = lo != float("-inf"), hi != float("inf")
    if has_lo and has_hi and lo == hi:
        return f"等于{num_text(lo, pc)}"
    if has_lo and has_hi:
        if not li and not hinc:
            return f"高于{num_text(lo, pc)}且低于{num_text(hi, pc)}"
        return f"{num_text(lo, pc)}{'（含）' if li else ''}至{num_text(hi, pc)}{'（含）' if hinc else ''}"
    if has_lo:
        return f"{num_text(lo, pc)}（含）以上" if li else f"高于{num_text(lo, pc)}"
    if has_hi:
        return f"{num_text(hi, pc)}（含）以下" if hinc else f"低于{num_text(hi, pc)}"
    return "任何值"


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
