"""`grade`: a qualitative level chosen from a list.

Fixed mode: each level gives ``share`` of the weight (达成目标 1 / 基本达成目标 0.75 / …) or
an absolute ``score``. Range mode (the national rule): each level has ``min``/``max``
shares and a ``default``; the evaluator types a score (自评分) which is clamped into the
chosen level's [min × weight, max × weight]; left blank, default × weight is used
(庆城 scores its 健全/规范 rows at 90%).
"""

from __future__ import annotations

import re

from ..numeric import fmt_num
from .base import EntryCheck, Problem, Rule, Slot, xl_text
from .text import ParamError, fold, join_items, points_text, split_items

_RANGE = re.compile(r"^(\d+(?:\.\d+)?)%[~至-](\d+(?:\.\d+)?)%(?:,?(?:空白|不填)按(\d+(?:\.\d+)?)%)?$")


def is_range(leaf) -> bool:
    r = leaf.memo.get("grade_range")
    if r is None:
        r = leaf.memo["grade_range"] = any("min" in lv for lv in (leaf.rule or {}).get("levels", []))
    return r


class Grade(Rule):
    kind = "grade"
    label = "等级评定"
    udf_name = "WB_GRADE_SHARE"
    udf_help = "等级评定：按所选评价等级取分值的相应比例"

    def slots(self, leaf):
        names = tuple(lv["name"] for lv in self.params(leaf).get("levels", []))
        s = [Slot("actual", "choice", choices=names)]
        if is_range(leaf):
            s.append(Slot("score", "number", required=False))
        return s

    def check(self, leaf):
        lv = self.params(leaf).get("levels")
        if not lv:
            return [Problem("error", "等级评定（grade）需要非空的等级列表 levels")]
        p = []
        names = [x.get("name") for x in lv]
        if len(set(names)) != len(names):
            p.append(Problem("error", "等级名称有重复"))
        for i, x in enumerate(lv):
            if is_range(leaf):
                if not all(k in x for k in ("min", "max", "default")):
                    p.append(Problem("error", f"第 {i + 1} 个等级需要 min、max 和 default（区间计分）"))
                elif not 0 <= x["min"] <= x["default"] <= x["max"] <= 1:
                    p.append(Problem("error", f"第 {i + 1} 个等级应满足 0 ≤ min ≤ default ≤ max ≤ 1"))
            elif ("share" in x) == ("score" in x):
                p.append(Problem("error", f"第 {i + 1} 个等级需要 share（比例）或 score（分数）二者之一"))
            elif "share" in x and not 0 <= x["share"] <= 1:
                p.append(Problem("error", f"第 {i + 1} 个等级的 share 应在 0 至 1 之间"))
            elif "score" in x and not 0 <= x["score"] <= leaf.weight:
                p.append(Problem("error", f"第 {i + 1} 个等级的 score 应在 0 至分值之间"))
        return p

    def _points(self, leaf, x, key="share"):
        return x["score"] if key == "share" and "score" in x else x[key] * leaf.weight

    def raw(self, leaf, v):
        by_name = leaf.memo.get("levels")
        if by_name is None:
            by_name = leaf.memo["levels"] = {x["name"]: x for x in self.params(leaf)["levels"]}
        x = by_name[v["actual"]]
        if not is_range(leaf):
            return self._points(leaf, x)
        lo, hi = x["min"] * leaf.weight, x["max"] * leaf.weight
        s = v.get("score")
        return x["default"] * leaf.weight if s is None else min(hi, max(lo, s))

    def raw_excel(self, leaf, r):
        a = r["actual"]
        lv = self.params(leaf)["levels"]
        w = fmt_num(leaf.weight)
        out = "0"
        for x in reversed(lv):
            if not is_range(leaf):
                val = fmt_num(x["score"]) if "score" in x else f"{fmt_num(x['share'])}*{w}"
            else:
                s = r["score"]
                val = (f"IF({r['score?']},MIN({fmt_num(x['max'])}*{w},MAX({fmt_num(x['min'])}*{w},{s})),"
                       f"{fmt_num(x['default'])}*{w})")
            out = f'IF({a}="{x["name"]}",{val},{out})'
        return out

    def as_composition(self, leaf):
        if is_range(leaf):
            return None  # a blank 自评分 takes the level's default; a composed range stays blank until typed
        levels = [{"name": x["name"], "score": {"points": x["score"]} if "score" in x else {"share": x["share"]}}
                  for x in self.params(leaf)["levels"]]
        return {"kind": "compose", "values": [{"name": "等级", "type": "level"}],
                "score": {"part": "levels", "value": "等级", "levels": levels}}

    def needs_reason(self, leaf, v, score):
        """A level below the top one was chosen (or, with the stricter rule, any score below the weight)."""
        if leaf.reason_when == "below-weight":
            return score < leaf.weight
        return v["actual"] != self.top_level(leaf)

    def needs_reason_excel(self, leaf, r, score_ref):
        if leaf.reason_when == "below-weight":
            return super().needs_reason_excel(leaf, r, score_ref)
        return f'{r["actual"]}<>"{self.top_level(leaf)}"'

    def top_level(self, leaf) -> str:
        """The level that means the indicator was achieved: the one worth the most (memoised on the leaf)."""
        top = leaf.memo.get("top_level")
        if top is None:
            def worth(x):
                return x.get("max", x.get("share", x.get("score", 0) / leaf.weight if leaf.weight else 0))
            top = leaf.memo["top_level"] = max(self.params(leaf)["levels"], key=worth)["name"]
        return top

    def score_range(self, leaf, level: str) -> tuple[float, float] | None:
        """The points a typed 自评分 may take at ``level`` (range mode), or None."""
        if not is_range(leaf):
            return None
        for x in self.params(leaf)["levels"]:
            if x["name"] == level:
                return x["min"] * leaf.weight, x["max"] * leaf.weight
        return None

    def value_of_text(self, leaf, text, percent):
        names = [x["name"] for x in self.params(leaf)["levels"]]
        v = str(text).strip()
        if v not in names:
            raise ParamError(f"等级“{v}”不在评分标准的等级中（{'、'.join(names)}）")
        return v

    def chosen_range(self, leaf, value):
        return self.score_range(leaf, value)

    def score_bounds(self, leaf, sv):
        level = sv.get("actual")
        return self.score_range(leaf, level) if isinstance(level, str) else None

    def entry_check_excel(self, leaf, slot, refs):
        """Range mode: the typed 自评分 lies in the chosen level's range (the formula face of ``score_range``)."""
        if slot != "score" or not is_range(leaf):
            return None
        return EntryCheck(level_range_excel(self.params(leaf)["levels"], refs["actual"], refs["score"],
                                            fmt_num(leaf.weight)),
                          "自评分应在所选评价等级的分数范围内（见评分标准）",
                          "先选择评价等级，再在该等级的分数范围内填写自评分；不填则按该等级的默认比例计分")

    def describe(self, leaf):
        lv = self.params(leaf)["levels"]
        if is_range(leaf):
            parts = [f"{x['name']}得分值的{_pc(x['min'])}～{_pc(x['max'])}（不填按{_pc(x['default'])}）" for x in lv]
            return "先选评价等级，再在该等级范围内填写自评分：" + "；".join(parts)
        parts = [f"{x['name']}得{points_text(x['score'])}分" if "score" in x else f"{x['name']}得分值的{_pc(x['share'])}"
                 for x in lv]
        return "按评价等级计分：" + "；".join(parts)

    def params_text(self, leaf):
        out = []
        for x in self.params(leaf)["levels"]:
            if "min" in x:
                out.append(f"{x['name']}={_pc(x['min'])}~{_pc(x['max'])}，空白按{_pc(x['default'])}")
            elif "score" in x:
                out.append(f"{x['name']}={points_text(x['score'])}分")
            else:
                out.append(f"{x['name']}={_pc(x['share'])}")
        return join_items(out)

    def parse_params(self, text, percent, weight=None):
        levels = []
        for item in split_items(text):
            name, eq, v = item.replace("＝", "=").rpartition("=")
            name, v = name.strip(), fold(v)
            if not eq or not name:
                raise ParamError(f"“{item}”应写成 等级名称=分值比例（如 达成目标=100%，或 达成年度指标=80%~100%，空白按90%）")
            if re.search(r"[,，、;；]", name):
                raise ParamError(f"等级名称“{name}”里不能有逗号、顿号或分号（下拉列表会把它拆开）")
            m = _RANGE.match(v)
            if m:
                lo, hi = float(m.group(1)) / 100, float(m.group(2)) / 100
                lo, hi = min(lo, hi), max(lo, hi)
                levels.append({"name": name, "min": lo, "max": hi,
                               "default": float(m.group(3)) / 100 if m.group(3) else hi})
            elif re.fullmatch(r"\d+(?:\.\d+)?%", v):
                levels.append({"name": name, "share": float(v[:-1]) / 100})
            elif re.fullmatch(r"\d+(?:\.\d+)?分", v):
                levels.append({"name": name, "score": float(v[:-1])})
            else:
                raise ParamError(f"等级“{name}”的“{v}”看不懂：写比例（100%）、分数（3分）或区间（80%~100%，空白按90%）")
        if not levels:
            raise ParamError("等级评定要在“参数”里列出各等级（如 达成目标=100%；基本达成=75%）")
        if len({"min" in x for x in levels}) > 1:
            raise ParamError("各等级要么都写区间（80%~100%），要么都写比例或分数，不能混用")
        return {"kind": self.kind, "levels": levels}

    def udf_args(self, leaf, refs):
        return [refs["actual"], fmt_num(leaf.weight), xl_text(render_levels(self.params(leaf)["levels"])),
                refs.get("score", '""')]



def _pc(x: float) -> str:
    return f"{points_text(x * 100)}%"


# --- the parameter text of the WB_GRADE_SHARE UDF: 名称=0.75, 名称=3分 or 名称=0.8~1@0.9 --------

def parse_levels(text: str) -> list[dict]:
    out = []
    for item in filter(None, (x.strip() for x in str(text).split(";"))):
        name, _, v = item.rpartition("=")
        if "~" in v:
            rng, _, default = v.partition("@")
            lo, _, hi = rng.partition("~")
            out.append({"name": name, "min": float(lo), "max": float(hi), "default": float(default or lo)})
        elif v.endswith("分"):
            out.append({"name": name, "score": float(v[:-1])})
        else:
            out.append({"name": name, "share": float(v)})
    return out


def render_levels(levels: list[dict]) -> str:
    def one(x):
        if "min" in x:
            return f"{x['name']}={fmt_num(x['min'])}~{fmt_num(x['max'])}@{fmt_num(x['default'])}"
        if "score" in x:
            return f"{x['name']}={fmt_num(x['score'])}分"
        return f"{x['name']}={fmt_num(x['share'])}"
    return ";".join(one(x) for x in levels)


def level_range_excel(levels: list[dict], level_ref: str, score_ref: str, weight: str) -> str:
    """TRUE where the number at ``score_ref`` lies in the range, × ``weight``, of the level chosen at
    ``level_ref`` (0 … weight while no level is chosen)."""
    lo, hi = "0", weight
    for x in reversed(levels):
        lo = f'IF({level_ref}="{x["name"]}",{fmt_num(x["min"])}*{weight},{lo})'
        hi = f'IF({level_ref}="{x["name"]}",{fmt_num(x["max"])}*{weight},{hi})'
    return f"AND(ISNUMBER({score_ref}),{score_ref}>={lo},{score_ref}<={hi})"
