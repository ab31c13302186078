import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.helpers import leaf, score


@pytest.mark.parametrize("v,want", [(1.0, 5), (0.9, 5), (1.01, 4.5), (1.025, 3.75), (1.1, 0), (2, 0)])
def test_each_point_over_deducts_half(v, want):
    # 子洲 在职人员控制率: ≤100% 5分；每超过一个百分点扣0.5分，扣完为止
    assert score(leaf("deduct", weight=5, threshold=1, direction="above", per=0.01, points=0.5), actual=v) == want


@pytest.mark.parametrize("v,want", [(1, 3), (0.99, 2.8), (0.9, 1), (0.85, 0), (0, 0)])
def test_each_point_under_deducts(v, want):
    # 子洲 政府采购执行率: 每减少一个百分点，扣0.2分
    assert score(leaf("deduct", weight=3, threshold=1, direction="below", per=0.01, points=0.2), actual=v) == want


@pytest.mark.parametrize("v,floor_want,ceil_want", [(0.95, 2, 2), (0.96, 3, 2), (0.9, 1, 1), (0.899, 1, 0)])
def test_whole_steps(v, floor_want, ceil_want):
    base = dict(weight=3, threshold=1, direction="below", per=0.05, points=1)
    assert score(leaf("deduct", step="floor", **base), actual=v) == floor_want
    assert score(leaf("deduct", step="ceil", **base), actual=v) == ceil_want


@given(st.floats(-3, 3), st.floats(-3, 3), st.sampled_from(["continuous", "floor", "ceil"]))
def test_bounded_and_monotone(a, b, step):
    n = leaf("deduct", weight=5, threshold=1, direction="above", per=0.01, points=0.5, step=step)
    (x, sx), (y, sy) = sorted([(a, score(n, actual=a)), (b, score(n, actual=b))])
    assert 0 <= sy <= sx <= 5
