import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.helpers import leaf, score


@pytest.mark.parametrize("a,t,want", [
    (100, 100, 10), (120, 100, 10), (80, 100, 8), (0, 100, 0), (33.3, 100, 3.33),
    (5, 0, 10), (-1, 0, 0),  # target 0: met when actual >= 0, otherwise 0
])
def test_higher_is_better(a, t, want):
    assert score(leaf("ratio", op=">=", target=t), actual=a, target=t) == want


@pytest.mark.parametrize("a,t,want", [
    (0.9, 1, 10), (1, 1, 10), (1.2, 1, 8), (2, 1, 0), (3, 1, 0), (0, 0, 10), (0.01, 0, 0),
])
def test_lower_is_better_reaches_zero_at_twice_the_target(a, t, want):
    assert score(leaf("ratio", op="<=", target=t), actual=a, target=t) == want


@pytest.mark.parametrize("a,t,want", [(1, 1, 10), (0.9, 1, 9), (1.1, 1, 9), (0, 0, 10), (1, 0, 0)])
def test_equal(a, t, want):
    assert score(leaf("ratio", op="=", target=t), actual=a, target=t) == want


def test_blank_or_text_gives_blank():
    n = leaf("ratio", op=">=", target=1)
    assert score(n, actual=None, target=1) is None
    assert score(n, actual="95%", target=1) is None
    assert score(n, actual=1, target=None) is None


def test_overshoot_reduces_score_beyond_threshold():
    n = leaf("ratio", op=">=", target=1, overshoot={"threshold": 1.5, "k": 1})
    assert score(n, actual=1.5, target=1) == 10
    assert score(n, actual=1.6, target=1) == 9
    assert score(n, actual=3, target=1) == 0


def test_reason_at_requires_a_reason_at_full_marks():
    from workbook_builder.rules import rule_for
    n = leaf("ratio", op=">=", target=1, reason_at=1.3)
    r = rule_for(n)
    assert r.needs_reason(n, {"actual": 1.3, "target": 1}, 10) is True
    assert r.needs_reason(n, {"actual": 1.29, "target": 1}, 10) is False


def test_rounding_is_excels_half_away_from_zero():
    # 10 * 0.1005 = 1.005 → Excel ROUND gives 1.01, Python round() gives 1.0
    assert score(leaf("ratio", op=">=", target=1), actual=0.1005, target=1) == 1.01


@given(st.floats(0, 1000), st.floats(0.01, 1000), st.floats(0, 1000), st.sampled_from([">=", "<=", "="]))
def test_within_weight_and_monotone(a, t, b, op):
    n = leaf("ratio", op=op, target=t)
    s1, s2 = score(n, actual=a, target=t), score(n, actual=b, target=t)
    assert 0 <= s1 <= 10
    lo, hi = sorted([(a, s1), (b, s2)])
    if op == ">=":
        assert lo[1] <= hi[1]
    elif op == "<=":
        assert lo[1] >= hi[1]


@pytest.mark.parametrize("a,t,want", [(0.9, 1, 10), (1, 1, 10), (1.25, 1, 8), (4, 1, 2.5), (0.01, 0, 0)])
def test_reverse_inverse_is_target_over_actual(a, t, want):
    assert score(leaf("ratio", op="<=", target=t, reverse="inverse"), actual=a, target=t) == want


@pytest.mark.parametrize("a,t,want", [(100, 100, 10), (104.9, 100, 10), (95, 100, 10), (94, 100, 9.4), (110, 100, 9)])
def test_tolerance_gives_full_marks_within_the_band(a, t, want):
    assert score(leaf("ratio", op="=", target=t, tolerance=0.05), actual=a, target=t) == want


def test_reverse_and_tolerance_have_chinese_faces_that_round_trip():
    from workbook_builder.rules import rule_for
    for n in (leaf("ratio", op="<=", target=1, reverse="inverse"), leaf("ratio", op="=", target=1, tolerance=0.05)):
        r = rule_for(n)
        assert r.parse_params(r.params_text(n), False) == n.rule
        assert "反向" in r.describe(n) or "偏离不超过" in r.describe(n)
    bad = leaf("ratio", op=">=", target=1, reverse="inverse")
    assert [p.message for p in rule_for(bad).check(bad)] == [
        "reverse（反向计分）只能是 inverse（指标值/实际值），且只适用于 <= 方向的指标"]
