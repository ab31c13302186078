from hypothesis import given
from hypothesis import strategies as st

from rules.helpers import leaf, score


def test_yes_no():
    n = leaf("yes_no", weight=3)
    assert score(n, actual="是") == 3 and score(n, actual="否") == 0 and score(n, actual="") is None


@given(st.floats(-100, 100))
def test_manual_clamped(x):
    s = score(leaf("manual", weight=4), score=x)
    assert 0 <= s <= 4
