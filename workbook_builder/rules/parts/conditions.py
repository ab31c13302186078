"""`conditions`: cases on one or more named values, the first that holds gives its outcome.

``{part: conditions, cases: [{all: [[覆盖率, ">=", 0.95], [回访次数, ">=", 2]], score: {share: 1}},
{any: [[覆盖率, ">=", 0.8], [回访次数, ">=", 1]], score: {share: 0.5}}], else: {points: 0}}`` —
“覆盖率达95%以上且回访2次以上的得满分；覆盖率达80%或回访1次的得一半分”. A comparison is
``[name, op, x]`` with op ≥ ≤ > < = (``>=`` …), or ``[name, is, 等级名]`` on a level value.
"""

from __future__ import annotations

from ...numeric import fmt_num
from ..text import ParamError, fold
from . import (
    OUTCOME_SCHEMA,
    Chooser,
    compare_py,
    compare_xl,
    comparison_text,
    comparison_words,
    is_range,
    outcome_check,
    outcome_text,
    outcome_words,
    outcome_xl,
    parse_comparisons,
    parse_outcome,
)

_CMPS = {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 3, "maxItems": 3}}


def _holds(c, env) -> bool:
    name, op, x = c
    return env[name] == x if op == "is" else compare_py(env[name], op, x)


def _holds_xl(c, r) -> str:
    name, op, x = c
    if op == "is":
        return f'{r[name]}="{x}"'
    return compare_xl(r[name], op, x)


class Conditions(Chooser):
    key = "conditions"
    label = "条件"
    param_key = "条件"
    SCHEMA = {"type": "object", "required": ["part", "cases"], "additionalProperties": False,
              "properties": {"part": {"const": "conditions"},
                             "cases": {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                                                  "required": ["score"],
                                                                  "properties": {"all": _CMPS, "any": _CMPS,
                                                                                 "score": OUTCOME_SCHEMA}}},
                             "else": OUTCOME_SCHEMA}}
    PHRASINGS = ("覆盖率达95%以上且回访2次以上的得满分", "覆盖率达80%或回访1次的得一半分", "其余不得分")
    EXAMPLE = "条件=覆盖率≥95%且回访次数≥2:满分，覆盖率≥80%或回访次数≥1:50%，其他:0分"

    def _else(self, p):
        return p.get("else") or {"points": 0.0}

    def slots(self, p):
        return list(dict.fromkeys(c[0] for case in p["cases"] for c in case.get("all", case.get("any", []))))

    def ranges(self, p):
        return any(is_range(c["score"]) for c in p["cases"]) or is_range(self._else(p))

    def _pick(self, p, env):
        for case in p["cases"]:
            if "all" in case and all(_holds(c, env) for c in case["all"]):
                return case["score"]
            if "any" in case and any(_holds(c, env) for c in case["any"]):
                return case["score"]
        return self._else(p)

    def check(self, p, comp, w):
        out = []
        for i, case in enumerate(p["cases"]):
            if ("all" in case) == ("any" in case):
                out.append(f"第 {i + 1} 个条件需要 all（且）或 any（或）其中之一")
            for c in case.get("all", case.get("any", [])):
                if c[0] not in comp.names:
                    out.append(f"条件里的“{c[0]}”不是本项的数值")
            out += outcome_check(case["score"], w, f"第 {i + 1} 个条件")
        return out + outcome_check(self._else(p), w, "其他情况")

    def pick(self, p, env):
        return self._pick(p, env)

    def xl(self, p, r, w):
        out = outcome_xl(self._else(p), w, r)
        for case in reversed(p["cases"]):
            cs = [_holds_xl(c, r) for c in case.get("all", case.get("any", []))]
            join = "AND" if "all" in case else "OR"
            cond = cs[0] if len(cs) == 1 else f"{join}({','.join(cs)})"
            out = f"IF({cond},{outcome_xl(case['score'], w, r)},{out})"
        return out

    def describe(self, p, comp, w):
        out = []
        for case in p["cases"]:
            word = "且" if "all" in case else "或"
            cs = [comparison_words(c[0], c[1], c[2], comp.percent(c[0])) for c in case.get("all", case.get("any", []))]
            out.append(f"{word.join(cs)}的{outcome_words(case['score'], w)}")
        out.append(f"其他情况{outcome_words(self._else(p), w)}")
        return "；".join(out)

    def text(self, p, comp):
        items = []
        for case in p["cases"]:
            word = "且" if "all" in case else "或"
            cs = [comparison_text(c[0], c[1], c[2], comp.percent(c[0])) for c in case.get("all", case.get("any", []))]
            items.append(f"{word.join(cs)}:{outcome_text(case['score'])}")
        if self._else(p) != {"points": 0.0}:
            items.append(f"其他:{outcome_text(self._else(p))}")
        return "，".join(items)

    def parse(self, text, comp, w):
        cases, other = [], None
        for item in filter(None, fold(text).split(",")):
            cond, sep, score = item.rpartition(":")
            if not sep:
                raise ParamError(f"条件“{item}”应写成 条件:得分（如 覆盖率≥95%且回访次数≥2:满分）")
            o = parse_outcome(score, w)
            if cond == "其他":
                other = o
                continue
            if "且" in cond and "或" in cond:
                raise ParamError(f"条件“{cond}”里“且”和“或”只能用一种")
            key, parts = ("any", cond.split("或")) if "或" in cond else ("all", cond.split("且"))
            cases.append({key: [list(c) for part in parts for c in parse_comparisons(part, comp)], "score": o})
        if not cases:
            raise ParamError("条件要列出各种情况（如 覆盖率≥95%且回访次数≥2:满分，其他:0分）")
        out = {"part": "conditions", "cases": cases}
        if other is not None:
            out["else"] = other
        return out


__all__ = ["Conditions", "fmt_num"]
