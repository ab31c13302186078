import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.helpers import leaf, score
from workbook_builder.rules import rule_for

ZIZHOU = [{"min": 0.9, "score": 5}, {"min": 0.8, "max": 0.9, "score": 4}, {"min": 0.7, "max": 0.8, "score": 3},
          {"min": 0.6, "max": 0.7, "score": 2}, {"max": 0.6, "score": 0}]


@pytest.mark.parametrize("v,want", [(0.9, 5), (0.8999, 4), (0.8, 4), (0.7999, 3), (0.6, 2), (0.5999, 0), (1.5, 5), (-1, 0)])
def test_boundaries_min_inclusive_max_exclusive(v, want):
    assert score(leaf("bands", weight=5, bands=ZIZHOU), actual=v) == want


def test_exclusive_min_and_inclusive_max():
    bands = [{"max": 0, "max_inclusive": True, "score": 3}, {"min": 0, "min_inclusive": False, "max": 0.1, "max_inclusive": True, "score": 2}]
    n = leaf("bands", weight=3, bands=bands)
    assert score(n, actual=0) == 3 and score(n, actual=0.0001) == 2 and score(n, actual=0.1) == 2
    assert score(n, actual=0.1001) == 0  # no band: else 0


def test_checker_finds_gaps_and_overlaps():
    n = leaf("bands", weight=5, bands=[{"min": 0.9, "score": 5}, {"min": 0.7, "max": 0.8, "score": 3}, {"min": 0.75, "max": 0.85, "score": 4}])
    msgs = [(p.severity, p.message) for p in rule_for(n).check(n)]
    assert any(s == "error" and "重叠" in m for s, m in msgs)
    assert any(s == "warning" and "没有分段" in m for s, m in msgs)
    assert rule_for(n).check(leaf("bands", weight=5, bands=ZIZHOU)) == []


def test_band_score_above_weight_is_an_error():
    n = leaf("bands", weight=3, bands=[{"min": 0, "score": 5}])
    assert any("不在 0 至分值" in p.message for p in rule_for(n).check(n))


@given(st.floats(-2, 3), st.floats(-2, 3))
def test_monotone_for_increasing_bands(a, b):
    n = leaf("bands", weight=5, bands=ZIZHOU)
    (x, sx), (y, sy) = sorted([(a, score(n, actual=a)), (b, score(n, actual=b))])
    assert 0 <= sx <= sy <= 5
