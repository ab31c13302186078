import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.helpers import leaf, score


@pytest.mark.parametrize("v,want", [(0.6, 0), (1.0, 2), (0.8, 1), (0.5, 0), (1.2, 2), (0, 0), (0.7, 0.5)])
def test_longxian_sixty_to_hundred(v, want):
    assert score(leaf("linear", weight=2, floor=0.6, full=1), actual=v) == want


def test_decreasing_when_full_below_floor():
    n = leaf("linear", weight=10, floor=0.3, full=0)
    assert score(n, actual=0) == 10 and score(n, actual=0.3) == 0 and score(n, actual=0.15) == 5


@given(st.floats(-5, 5), st.floats(-5, 5))
def test_bounded_and_monotone(a, b):
    n = leaf("linear", weight=2, floor=0.6, full=1)
    (x, sx), (y, sy) = sorted([(a, score(n, actual=a)), (b, score(n, actual=b))])
    assert 0 <= sx <= 2 and sx <= sy
