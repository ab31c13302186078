"""`open`: a row of the 项目支出绩效自评表 that the department fills in itself (an "open row").

The project's indicators come from its 绩效目标申报表; where they were not prefilled, the department
types them under each 二级指标: 三级指标 name, 指标性质 (≥ 正向, ≤ 反向, = 等于, 定性), 年度指标值,
实际完成值, 分值 and, for 定性, a 自评分 within the chosen level's range. The weight is a typed
cell, so this rule writes its whole formula itself instead of the base class's ``MIN(weight, …)``.

* A row where nothing is typed is *unused*: its score is blank and does not hold up the subtotals
  (``used`` / ``used_excel``; anything typed, even a space, makes the row used).
* A used row scores once its name, 指标性质, 分值 (> 0), 年度指标值 and 实际完成值 are all there:
  ≥ ≤ = by the ratio rule (rules/ratio.py, with the form's ``reverse`` and ``tolerance``), 定性 by
  the chosen level's range (the typed 自评分 clamped into it; blank → the level's default).
* Params: ``levels`` (range mode, as in rules/grade.py), ``reverse``, ``tolerance``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Input
from ..numeric import SCORE_DECIMALS, VALUE_DECIMALS, as_text, as_value, fmt_num, valid_number_excel, xl_round
from . import ratio
from .base import EntryCheck, Problem, Rule, Slot, xl_text
from .grade import level_range_excel, render_levels

NATURES = ("≥", "≤", "=", "定性")
OPS = {"≥": ">=", "≤": "<=", "=": "="}
QUALITATIVE = "定性"
#: slot -> the label of its column on the project sheet
LABELS = {"name": "三级指标", "nature": "指标性质", "target": "年度指标值", "actual": "实际完成值",
          "weight": "分值", "score": "自评分"}
SLOTS = tuple(LABELS)


def _filled(v: Any) -> bool:
    """Excel's LEN(x)>0: anything but an empty cell or empty text."""
    return v is not None and v != ""


class Open(Rule):
    kind = "open"
    label = "部门填写指标"
    udf_name = "WB_OPEN"
    udf_help = "部门自行填写的指标行：按指标性质（≥、≤、=、定性）和填写的分值计分"
    #: not offered in the authoring workbook's 计分方法 list: only the project form makes open rows
    authoring = False

    def slots(self, leaf):
        return [Slot("name", "text", required=False), Slot("nature", "choice", required=False, choices=NATURES),
                Slot("target", "text", required=False), Slot("actual", "text", required=False),
                Slot("weight", "number", required=False), Slot("score", "number", required=False)]

    def needs_entry_score(self, leaf):
        return False  # the project sheet has its own 自评分 column (projects/layout.py)

    def levels(self, leaf) -> list[dict]:
        return self.params(leaf).get("levels", [])

    def check(self, leaf):
        p = []
        for i, x in enumerate(self.levels(leaf)):
            if not all(k in x for k in ("min", "max", "default")) or not 0 <= x["min"] <= x["default"] <= x["max"] <= 1:
                p.append(Problem("error", f"定性指标第 {i + 1} 个等级需要 0 ≤ min ≤ default ≤ max ≤ 1"))
        if not self.levels(leaf):
            p.append(Problem("error", "部门填写指标需要定性指标的等级（levels）"))
        return p

    def entry_inputs(self, leaf):
        out = []
        for s in self.slots(leaf):
            label = f"{leaf.name}·{LABELS[s.name]}"
            lo, hi = (0, None) if s.name in ("weight", "score") else (None, None)
            choices = list(s.choices) if s.name == "nature" else []
            out.append(Input(id=f"{leaf.id}.{s.name}", label=label, type=s.type, min=lo, max=hi, choices=choices,
                             required=False, leaf=leaf.id, slot=s.name,
                             unit="分" if s.name in ("weight", "score") else ""))
        return out

    # --- Python face ----------------------------------------------------------------------
    def used(self, leaf, sv: Mapping[str, Any]) -> bool:
        return any(_filled(sv.get(k)) for k in SLOTS)

    def values(self, leaf, sv):
        nature = as_text(sv.get("nature"))
        w = as_value(sv.get("weight"))
        if not _filled(sv.get("name")) or nature not in NATURES or w is None:
            return None
        w = xl_round(w, VALUE_DECIMALS)
        if w <= 0:
            return None
        out = {"nature": nature, "weight": w}
        if nature in OPS:
            a, t = as_value(sv.get("actual")), as_value(sv.get("target"))
            if a is None or t is None:
                return None
            out |= {"actual": xl_round(a, VALUE_DECIMALS), "target": xl_round(t, VALUE_DECIMALS)}
        else:
            level = as_text(sv.get("actual"))
            if not _filled(sv.get("target")) or level not in {x["name"] for x in self.levels(leaf)}:
                return None
            s = as_value(sv.get("score"))
            out |= {"actual": level, "score": None if s is None else xl_round(s, VALUE_DECIMALS)}
        return out

    def problems(self, leaf, sv: Mapping[str, Any]) -> list[str]:
        """Why a used row gives no score, in Chinese (empty exactly when ``values`` is not None)."""
        def number(slot: str) -> list[str]:
            if as_value(sv.get(slot)) is not None:
                return []
            return [f"未填写{LABELS[slot]}" if not _filled(sv.get(slot)) else f"{LABELS[slot]}应为数值"]

        out = [] if _filled(sv.get("name")) else ["未填写三级指标名称"]
        nature = as_text(sv.get("nature"))
        if nature not in NATURES:
            out.append("未选择指标性质" if not _filled(sv.get("nature")) else f"指标性质应为{'、'.join(NATURES)}之一")
        w = number("weight")
        out += w or ([] if xl_round(as_value(sv.get("weight")), VALUE_DECIMALS) > 0 else ["分值应大于 0"])
        if nature in OPS:
            out += number("target") + number("actual")
        elif nature == QUALITATIVE:
            out += [] if _filled(sv.get("target")) else ["未填写年度指标值"]
            names = [x["name"] for x in self.levels(leaf)]
            if as_text(sv.get("actual")) not in names:
                out.append(f"实际完成值应为评价等级：{'、'.join(names)}")
        return out

    def score_bounds(self, leaf, sv):
        """定性 rows: the chosen level's range × the row's 分值."""
        v = self.values(leaf, sv)
        if v is None or v["nature"] != QUALITATIVE:
            return None
        x = next(x for x in self.levels(leaf) if x["name"] == v["actual"])
        return x["min"] * v["weight"], x["max"] * v["weight"]

    def raw(self, leaf, v):
        w = v["weight"]
        if v["nature"] in OPS:
            return ratio.score(OPS[v["nature"]], v["actual"], v["target"], w, self.params(leaf))
        x = next(x for x in self.levels(leaf) if x["name"] == v["actual"])
        s = v.get("score")
        return x["default"] * w if s is None else min(x["max"] * w, max(x["min"] * w, s))

    def score_values(self, leaf, v):
        return xl_round(min(v["weight"], max(0.0, self.raw(leaf, v))), SCORE_DECIMALS)

    def needs_reason(self, leaf, v, score):
        return score < v["weight"]

    # --- formula face ---------------------------------------------------------------------
    def used_excel(self, refs: Mapping[str, str]) -> str:
        return "(" + "+".join(f"LEN({refs[k]})" for k in SLOTS) + ">0)"

    def formula(self, leaf, refs):
        name, nat, t, a, w, s = (refs[k] for k in SLOTS)
        r = {k: f"ROUND({refs[k]},{VALUE_DECIMALS})" for k in ("target", "actual", "weight", "score")}
        wr = r["weight"]

        def scored(raw: str) -> str:
            return f"ROUND(MIN({wr},MAX(0,{raw})),{SCORE_DECIMALS})"

        q = self.params(leaf)
        by_op = ratio.score_excel("=", r["actual"], r["target"], wr, q)
        for sym in ("≤", "≥"):
            by_op = f'IF({nat}="{sym}",{ratio.score_excel(OPS[sym], r["actual"], r["target"], wr, q)},{by_op})'
        quant = f'IF(AND({valid_number_excel(a)},{valid_number_excel(t)}),{scored(by_op)},"")'
        by_level = "0"
        for x in reversed(self.levels(leaf)):
            lo, hi, d = (f"{fmt_num(x[k])}*{wr}" for k in ("min", "max", "default"))
            val = f"IF({valid_number_excel(s)},MIN({hi},MAX({lo},{r['score']})),{d})"
            by_level = f'IF({a}="{x["name"]}",{val},{by_level})'
        levels_ok = ",".join(f'{a}="{x["name"]}"' for x in self.levels(leaf))
        qual = f'IF(AND({nat}="{QUALITATIVE}",LEN({t})>0,OR({levels_ok})),{scored(by_level)},"")'
        quant_nat = ",".join(f'{nat}="{sym}"' for sym in OPS)
        return (f'IF(OR(LEN({name})=0,NOT({valid_number_excel(w)})),"",IF({wr}<=0,"",'
                f'IF(OR({quant_nat}),{quant},{qual})))')

    def needs_reason_excel(self, leaf, r, score_ref):
        return f"{score_ref}<{r['weight']}"

    def entry_check_excel(self, leaf, slot, refs):
        """年度指标值 and 实际完成值 are numbers unless the row is 定性 (then 实际完成值 is a level);
        a 自评分 only on a 定性 row, inside the chosen level's range of the row's 分值."""
        nat, names = refs["nature"], [x["name"] for x in self.levels(leaf)]
        is_qual = f'{nat}="{QUALITATIVE}"'
        if slot == "target":
            return EntryCheck(f"OR({is_qual},ISNUMBER({refs['target']}))",
                              "指标性质为 ≥、≤、= 的指标，年度指标值应为数值（百分比可输入如 95%）",
                              "≥、≤、= 指标填数值；定性指标填文字目标，如“明显改善”")
        if slot == "actual":
            a = refs["actual"]
            levels = ",".join(f'{a}="{n}"' for n in names)
            return EntryCheck(f"IF({is_qual},OR({levels}),ISNUMBER({a}))",
                              f"定性指标的实际完成值请填评价等级：{'、'.join(names)}；≥、≤、= 指标请填数值",
                              f"≥、≤、= 指标填数值；定性指标填评价等级：{'、'.join(names)}")
        if slot == "score":
            return EntryCheck(f"AND({is_qual},{level_range_excel(self.levels(leaf), refs['actual'], refs['score'], refs['weight'])})",
                              "自评分只用于定性指标，且应在所选评价等级的分数范围内（分值 × 等级比例）",
                              "定性指标：先选择评价等级，再在该等级的分数范围内填写自评分；不填则按该等级的默认比例计分")
        return None

    def describe(self, leaf):
        return "由部门填写指标、指标性质、年度指标值和分值：≥、≤、= 按完成比例计分，定性指标按评价等级的分数范围计分"

    def udf_args(self, leaf, refs):
        q = self.params(leaf)
        return [*(refs[k] for k in SLOTS), xl_text(render_levels(self.levels(leaf))), xl_text(q.get("reverse") or ""),
                fmt_num(q["tolerance"]) if q.get("tolerance") is not None else '""']
