"""What every rule kind shares: slots, blank handling, clamping and rounding.

A rule kind implements ``raw`` (Python) and ``raw_excel`` (formula text) for the
case where all its values are present and valid; this base class wraps both the
same way, so the two engines agree on blanks, bounds and rounding:

* a required slot that is blank (or not a number within ±1e15, or not one of the
  allowed choices) makes the score blank: ``None`` in Python, ``""`` in Excel;
* numeric values are first rounded to ``VALUE_DECIMALS`` decimals;
* the raw score is clamped to ``[0, weight]`` and rounded to 2 decimals with
  Excel's ROUND (half away from zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import Input, Node
from ..numeric import SCORE_DECIMALS, VALUE_DECIMALS, as_text, as_value, fmt_num, valid_number_excel, xl_round
from .text import ParamError


@dataclass(frozen=True)
class Slot:
    """A value a leaf's rule reads: 'actual', 'target' or 'score' (an open row also its 'name',
    'nature' and 'weight')."""

    name: str
    type: str  # number | percent | integer | choice | text
    required: bool = True
    choices: tuple[str, ...] = ()
    numeric: bool = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "numeric", self.type not in ("choice", "text"))


@dataclass(frozen=True)
class EntryCheck:
    """A custom data validation: ``formula`` is TRUE where the typed value fits; ``error`` when it does
    not and ``prompt`` on selecting the cell are shown in Chinese."""
    formula: str
    error: str
    prompt: str


@dataclass(frozen=True)
class Problem:
    severity: str  # error | warning
    message: str


class Rule:
    kind: str = ""
    label: str = ""  # Chinese name shown in docs and UDF help
    udf_name: str = ""
    udf_help: str = ""
    #: offered in the authoring workbook's 计分方法 list
    authoring: bool = True

    # --- to implement -----------------------------------------------------------
    def slots(self, leaf: Node) -> list[Slot]:
        return [Slot("actual", actual_type(leaf))]

    def raw(self, leaf: Node, v: Mapping[str, Any]) -> float:
        raise NotImplementedError

    def raw_excel(self, leaf: Node, r: Mapping[str, str]) -> str:
        raise NotImplementedError

    def check(self, leaf: Node) -> list[Problem]:
        return []

    # --- Chinese text faces (authoring workbook, rubric reading) ----------------
    def describe(self, leaf: Node) -> str:
        """The rule in plain Chinese, for the bureau to confirm (解析结果)."""
        raise NotImplementedError

    def params_text(self, leaf: Node) -> str:
        """The rule's parameters as typed in the authoring workbook's 参数 column (``键=值；…``)."""
        return ""

    def parse_params(self, text: str, percent: bool, weight: float | None = None) -> dict[str, Any]:
        """The rule dict (``kind`` included) from a 参数 text; raises ``ParamError`` in Chinese."""
        if str(text or "").strip():
            raise ParamError(f"{self.label}不需要参数，请清空“参数”")
        return {"kind": self.kind}

    def needs_reason(self, leaf: Node, v: Mapping[str, Any], score: float) -> bool:
        return score < leaf.weight

    def score_bounds(self, leaf: Node, sv: Mapping[str, Any]) -> tuple[float, float] | None:
        """The points a typed 自评分 may take, given the leaf's slot values ``sv`` (the reader's face of
        the 自评分 validation in ``entry_check_excel``); None where any number is accepted."""
        return None

    def entry_check_excel(self, leaf: Node, slot: str, refs: Mapping[str, str]) -> EntryCheck | None:
        """A custom data validation for the entry cell of ``slot`` (``refs``: the leaf's entry cells,
        relative), where the slot's type alone cannot say what fits; None to validate by type."""
        return None

    def needs_reason_excel(self, leaf: Node, r: Mapping[str, str], score_ref: str) -> str:
        return f"{score_ref}<{fmt_num(leaf.weight)}"

    # --- values given as text (the rubric command's --actual / --met) ----------------------------
    def value_of_text(self, leaf: Node, text: str, percent: bool) -> Any:
        """The main slot's value typed as text (``95%``, ``3``); ParamError in Chinese if it is not one."""
        return number_of_text(text, percent)

    def value_of_met(self, leaf: Node, met: list[int]) -> Any:
        """The main slot's value from the ①②③ items met; ParamError where the rule is not scored by items."""
        raise ParamError(f"{self.label}不按项计分；请用 --actual 给出实际完成值")

    def chosen_range(self, leaf: Node, value: Any) -> tuple[float, float] | None:
        """Where ``value`` leaves the evaluator a range of points (a range level): that range."""
        return None

    def undecided(self, leaf: Node, value: Any, text: str) -> str:
        """Why the 评分标准 ``text`` does not decide the score of ``value`` (between two steps, below zero
        with no floor stated, in no band), in Chinese; "" when it does."""
        return ""

    def as_composition(self, leaf: Node) -> dict[str, Any] | None:
        """This kind as a named composition of parts (rules/compose.py) scoring the same, or None where the
        parts cannot hold it exactly (ratio's options, grade's range defaults, manual)."""
        return None

    def shows_rate(self, leaf: Node) -> bool:
        """Whether the 完成率 column shows actual/target for this leaf."""
        return False

    def extra_columns(self, leaf: Node) -> list[tuple[str, str]]:
        """Entry columns of the 自评表 this leaf needs beyond 年度指标值/实际完成值/自评分: (key, header)."""
        return []

    def needs_entry_score(self, leaf: Node) -> bool:
        """Whether the leaf has a 自评分 entry cell (the ``score`` slot)."""
        return any(s.name == "score" for s in self.slots_of(leaf))

    # --- shared -----------------------------------------------------------------
    def params(self, leaf: Node) -> dict[str, Any]:
        return leaf.rule or {}

    def entry_inputs(self, leaf: Node) -> list[Input]:
        """Entry cells of the 自评表 that this leaf needs."""
        out = []
        for s in self.slots(leaf):
            if s.name == "actual" and leaf.actual and leaf.actual.source != "entry":
                continue
            if s.name == "target" and not (leaf.target and leaf.target.entry):
                continue
            label = {"actual": "实际完成值", "target": "年度指标值", "score": "自评分"}[s.name]
            lo, hi = (0, leaf.weight) if s.name == "score" else (None, None)
            if s.type == "integer":
                lo = 0
            out.append(Input(
                id=f"{leaf.id}.{s.name}", label=f"{leaf.name}·{label}",
                type=s.type, unit=leaf.unit if s.name != "score" else "分",
                min=lo, max=hi, choices=list(s.choices), required=s.required,
                leaf=leaf.id, slot=s.name,
            ))
        return out

    def slots_of(self, leaf: Node) -> list[Slot]:
        """``slots(leaf)``, memoised on the leaf (slots depend on the leaf alone)."""
        s = leaf.memo.get("slots")
        if s is None:
            s = leaf.memo["slots"] = self.slots(leaf)
        return s

    def values(self, leaf: Node, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """Normalised slot values, or None if the score is blank."""
        out: dict[str, Any] = {}
        for s in self.slots_of(leaf):
            raw = values.get(s.name)
            if s.numeric:
                x = as_value(raw)
                if x is not None:
                    x = xl_round(x, VALUE_DECIMALS)
            else:
                x = as_text(raw)
                if x not in s.choices:
                    x = None
            if x is None and s.required:
                return None
            out[s.name] = x
        return out

    def score(self, leaf: Node, values: Mapping[str, Any]) -> float | None:
        """The leaf's score from its slot values ({'actual': 0.95, 'target': 0.9})."""
        v = self.values(leaf, values)
        return None if v is None else self.score_values(leaf, v)

    def score_values(self, leaf: Node, v: Mapping[str, Any]) -> float:
        """The score from already-normalised slot values (see ``values``)."""
        return xl_round(min(leaf.weight, max(0.0, self.raw(leaf, v))), SCORE_DECIMALS)

    def formula(self, leaf: Node, refs: Mapping[str, str]) -> str:
        """Excel formula (without '=') for the leaf's score; ``refs`` maps slot -> cell or literal."""
        blank, r = [], {}
        for s in self.slots(leaf):
            ref = refs[s.name]
            if s.numeric:
                if _is_literal(ref):
                    r[s.name] = fmt_num(xl_round(float(ref), VALUE_DECIMALS))
                    continue
                r[s.name] = f"ROUND({ref},{VALUE_DECIMALS})"
                r[s.name + "?"] = valid_number_excel(ref)
                if s.required:
                    blank.append(f"NOT({valid_number_excel(ref)})")
            else:
                r[s.name] = ref
                ok = ",".join(f'{ref}="{c}"' for c in s.choices)
                if s.required:
                    blank.append(f"NOT(OR({ok}))")
                r[s.name + "?"] = f"OR({ok})"
        body = f"ROUND(MIN({fmt_num(leaf.weight)},MAX(0,{self.raw_excel(leaf, r)})),{SCORE_DECIMALS})"
        if not blank:
            return body
        cond = blank[0] if len(blank) == 1 else f"OR({','.join(blank)})"
        return f'IF({cond},"",{body})'

    def udf_args(self, leaf: Node, refs: Mapping[str, str]) -> list[str]:
        """The arguments of this kind's UDF (``udf_name``) for a leaf, as formula text."""
        raise NotImplementedError

    def udf_call(self, leaf: Node, refs: Mapping[str, str]) -> str:
        """The UDF call (without '=') that scores this leaf, for the optional UDF-cell variant."""
        return f"{self.udf_name}({','.join(self.udf_args(leaf, refs))})"

    def udf(self, leaf: Node, **values: Any) -> float | str:
        """What the UDF returns: the score, or '' where the workbook shows blank."""
        s = self.score(leaf, values)
        return "" if s is None else s


def xl_text(s: str) -> str:
    """A string literal for a formula."""
    return '"' + s.replace('"', '""') + '"'


def _is_literal(ref: str) -> bool:
    try:
        float(ref)
        return True
    except ValueError:
        return False


def target_words(leaf: Node) -> str:
    """``年度指标值（≥95%）`` or ``年度指标值（部门填写）``, for readings."""
    t = leaf.target
    if t is None or (t.value is None and not t.entry):
        return "年度指标值"
    if t.entry:
        return "年度指标值（部门填写）"
    return f"年度指标值（{t.display(is_percent(leaf))}）"


def is_percent(leaf: Node) -> bool:
    return actual_type(leaf) == "percent"


def actual_type(leaf: Node) -> str:
    if leaf.actual is not None:
        return leaf.actual.type
    return "number"


def need(leaf: Node, *names: str) -> list[Problem]:
    """Problems for parameters a rule needs but the leaf's rule lacks."""
    p = leaf.rule or {}
    return [Problem("error", f"计分方法 {p.get('kind')} 缺少参数 {n}") for n in names if p.get(n) is None]


def number_of_text(text: str, percent: bool, need_sign: bool = True) -> float:
    """``95%`` → 0.95, ``3`` → 3.0; a percent indicator's value needs its % (unless ``need_sign`` is off)."""
    import re

    from ..numeric import xl_round
    from .text import fold
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)(%?)", fold(text))
    if not m:
        raise ParamError(f"实际完成值“{text}”不是数字")
    v = float(m.group(1))
    if m.group(2):
        return xl_round(v / 100, 12)
    if percent and need_sign and v != 0:
        raise ParamError(f"这是百分比指标，实际完成值请带%（如 {m.group(1)}%）")
    return v
