"""`bands`: intervals of one named value, each with its outcome; a value in no band scores ``else``.

``{part: bands, value: 完成率, bands: [{min: 1, min_inclusive: false, score: {min: 3, max: 5}}, …], else: {points: 0}}``
— bounds as in rules/bands.py (``min`` inclusive, ``max`` exclusive unless said); the first band
that holds the value wins. An outcome may be a range: “完成率>100%的得3-5分”.
"""

from __future__ import annotations

from ..bands import band_bounds, band_contains, band_words, band_xl
from ..text import ParamError, fold, num_text
from . import (
    OUTCOME_SCHEMA,
    Chooser,
    is_range,
    outcome_check,
    outcome_text,
    outcome_words,
    outcome_xl,
    parse_comparisons,
    parse_outcome,
)

_BAND = {"type": "object", "required": ["score"], "additionalProperties": False,
         "properties": {"min": {"type": "number"}, "max": {"type": "number"}, "min_inclusive": {"type": "boolean"},
                        "max_inclusive": {"type": "boolean"}, "score": OUTCOME_SCHEMA}}


class Bands(Chooser):
    key = "bands"
    label = "分档"
    param_key = "分档"
    SCHEMA = {"type": "object", "required": ["part", "value", "bands"], "additionalProperties": False,
              "properties": {"part": {"const": "bands"}, "value": {"type": "string"}, "bands": {"type": "array", "items": _BAND},
                             "else": OUTCOME_SCHEMA}}
    PHRASINGS = ("90%（含）以上得5分，80%-90%得3分，低于80%不得分", "完成率>100%的得3-5分", "达到95%得满分，否则不得分")
    EXAMPLE = "分档=完成率>100%:3~5分，80%≤完成率≤100%:2分，其他:0分"

    def slots(self, p):
        return [p["value"]]

    def _else(self, p):
        return p.get("else") or {"points": 0.0}

    def ranges(self, p):
        return any(is_range(b["score"]) for b in p["bands"]) or is_range(self._else(p))

    def _pick(self, p, a):
        for b in p["bands"]:
            if band_contains(b, a):
                return b["score"]
        return self._else(p)

    def check(self, p, comp, w):
        out = []
        for i, b in enumerate(p["bands"]):
            lo, hi, li, hinc = band_bounds(b)
            if lo > hi or (lo == hi and not (li and hinc)):
                out.append(f"第 {i + 1} 档是空的")
            out += outcome_check(b["score"], w, f"第 {i + 1} 档")
        iv = sorted((band_bounds(b) + (i,) for i, b in enumerate(p["bands"])), key=lambda x: (x[0], not x[2]))
        for (_, hi1, _, hinc1, i1), (lo2, _, li2, _, i2) in zip(iv, iv[1:]):
            if hi1 > lo2 or (hi1 == lo2 and hinc1 and li2):
                out.append(f"第 {i1 + 1} 档与第 {i2 + 1} 档重叠")
        return out + outcome_check(self._else(p), w, "其他情况")

    def pick(self, p, env):
        return self._pick(p, env[p["value"]])

    def xl(self, p, r, w):
        a = r[p["value"]]
        out = outcome_xl(self._else(p), w, r)
        for b in reversed(p["bands"]):
            cond = band_xl(a, b)
            out = f"IF({cond},{outcome_xl(b['score'], w, r)},{out})"
        return out

    def describe(self, p, comp, w):
        pc = comp.percent(p["value"])
        out = [f"{p['value']}{band_words(b, pc)}{outcome_words(b['score'], w)}" for b in p["bands"]]
        out.append(f"其他情况{outcome_words(self._else(p), w)}")
        return "；".join(out)

    def text(self, p, comp):
        pc = comp.percent(p["value"])
        items = []
        for b in p["bands"]:
            lo, hi, li, hinc = band_bounds(b)
            n = p["value"]
            if lo == hi:
                cond = f"{n}={num_text(lo, pc)}"
            elif lo != float("-inf") and hi != float("inf"):
                cond = f"{num_text(lo, pc)}{'≤' if li else '<'}{n}{'≤' if hinc else '<'}{num_text(hi, pc)}"
            elif lo != float("-inf"):
                cond = f"{n}{'≥' if li else '>'}{num_text(lo, pc)}"
            else:
                cond = f"{n}{'≤' if hinc else '<'}{num_text(hi, pc)}"
            items.append(f"{cond}:{outcome_text(b['score'])}")
        if self._else(p) != {"points": 0.0}:
            items.append(f"其他:{outcome_text(self._else(p))}")
        return "，".join(items)

    def parse(self, text, comp, w):
        bands, other, name = [], None, None
        for item in filter(None, fold(text).split(",")):
            cond, sep, score = item.rpartition(":")
            if not sep:
                raise ParamError(f"分档“{item}”应写成 条件:得分（如 完成率≥95%:满分）")
            o = parse_outcome(score, w)
            if cond == "其他":
                other = o
                continue
            b: dict = {}
            for n, op, x in parse_comparisons(cond, comp):
                if name not in (None, n):
                    raise ParamError("分档只能按一个数值分档；几个数值的请用“条件”")
                name = n
                if op in (">=", ">"):
                    b["min"] = x
                    if op == ">":
                        b["min_inclusive"] = False
                elif op in ("<=", "<"):
                    b["max"] = x
                    if op == "<=":
                        b["max_inclusive"] = True
                elif op == "=":
                    b.update(min=x, max=x, max_inclusive=True)
                else:
                    raise ParamError("分档的条件应为数值比较")
            b["score"] = o
            bands.append(b)
        if not bands:
            raise ParamError("分档要列出各档（如 完成率≥95%:满分，其他:0分）")
        out = {"part": "bands", "value": name, "bands": bands}
        if other is not None:
            out["else"] = other
        return out
