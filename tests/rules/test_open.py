"""rules/open.py: the faces of an open row beyond its score — why a used row does not score
(``problems``, the reader's face) and the data validations of its cells (``entry_check_excel``),
evaluated by the `formulas` package against the rule's Python faces."""

import formulas
import schedula as sh
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.helpers import leaf
from workbook_builder.rules import rule_for
from workbook_builder.rules.open import NATURES, SLOTS

LEVELS = [{"name": "达成年度指标", "min": 0.8, "max": 1, "default": 1},
          {"name": "部分达成", "min": 0.6, "max": 0.8, "default": 0.7},
          {"name": "未达成", "min": 0, "max": 0.6, "default": 0.3}]
ROW = leaf("open", weight=0, levels=LEVELS, reverse="inverse", tolerance=0.05)
RULE = rule_for(ROW)
REFS = {s: f"{'ABCDEF'[i]}1" for i, s in enumerate(SLOTS)}
BY_CELL = {r: s for s, r in REFS.items()}

blank = st.sampled_from([None, ""])
number = st.floats(-5, 200, allow_nan=False).map(lambda x: round(x, 2))
text = st.sampled_from(["三处", "明显改善", " ", "95%", "=1+1"])
level = st.sampled_from([x["name"] for x in LEVELS])
slot_values = st.fixed_dictionaries({
    "name": st.one_of(blank, st.just("改造供水工程")),
    "nature": st.one_of(blank, st.sampled_from(NATURES), st.just("大于")),
    "target": st.one_of(blank, number, text),
    "actual": st.one_of(blank, number, text, level),
    "weight": st.one_of(blank, number, text, st.just(0.001)),
    "score": st.one_of(blank, number, text),
})


@settings(max_examples=300)
@given(slot_values)
def test_problems_name_why_exactly_the_used_rows_that_give_no_score(sv):
    if not RULE.used(ROW, sv):
        return
    why = RULE.problems(ROW, sv)
    assert (RULE.values(ROW, sv) is None) == bool(why), why
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in w) for w in why)  # Chinese reasons


_compiled: dict = {}


def _fits(slot: str, sv: dict) -> bool:
    """The cell's custom validation formula, evaluated on ``sv`` typed into A1:F1."""
    check = RULE.entry_check_excel(ROW, slot, REFS)
    if check.formula not in _compiled:
        _compiled[check.formula] = formulas.Parser().ast("=" + check.formula)[1].compile()
    f = _compiled[check.formula]
    slots = [BY_CELL[c] for c in f.inputs]
    return bool(f(*[sh.EMPTY if sv.get(s) in (None, "") else sv[s] for s in slots]))


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


@settings(max_examples=200, deadline=None)
@given(slot_values)
def test_target_and_actual_validations_follow_the_nature(sv):
    qual = sv["nature"] == "定性"
    if sv["target"] not in (None, ""):
        assert _fits("target", sv) == (qual or _is_number(sv["target"]))
    if sv["actual"] not in (None, ""):
        want = sv["actual"] in [x["name"] for x in LEVELS] if qual else _is_number(sv["actual"])
        assert _fits("actual", sv) == want


@settings(max_examples=200, deadline=None)
@given(slot_values, st.floats(0.5, 50).map(lambda x: round(x, 1)))
def test_a_score_fits_only_a_qualitative_row_inside_its_levels_range(sv, weight):
    sv = {**sv, "name": "群众满意度", "weight": weight, "target": "明显改善"}
    if sv["score"] in (None, ""):
        return
    fits = _fits("score", sv)
    if sv["nature"] != "定性" or not _is_number(sv["score"]):
        assert not fits
        return
    bounds = RULE.score_bounds(ROW, sv) or (0, weight)  # no level chosen yet: 0 … 分值
    assert fits == (bounds[0] - 1e-9 <= sv["score"] <= bounds[1] + 1e-9)


def test_other_slots_are_validated_by_type():
    assert RULE.entry_check_excel(ROW, "weight", REFS) is None
    assert RULE.entry_check_excel(ROW, "nature", REFS) is None
