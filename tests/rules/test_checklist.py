import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.helpers import leaf, score
from workbook_builder.rules import rule_for


@pytest.mark.parametrize("n,want", [(0, 0.5), (1, 0.38), (2, 0.25), (4, 0), (9, 0)])
def test_share_of_weight_per_failed_item(n, want):
    # 陇县: 每发现一项不完备的，扣25%分值 (0.5 × 0.25 = 0.125 → 0.13 rounded half up)
    assert score(leaf("checklist", weight=0.5, share=0.25), actual=n) == want


def test_points_per_failed_item_and_earn_mode():
    assert score(leaf("checklist", weight=3, points=1), actual=2) == 1
    assert score(leaf("checklist", weight=5, points=1, mode="earn"), actual=3) == 3
    assert score(leaf("checklist", weight=5, points=1, mode="earn"), actual=7) == 5


def test_needs_exactly_one_of_points_or_share():
    n = leaf("checklist", weight=3, points=1, share=0.25)
    assert any(p.severity == "error" for p in rule_for(n).check(n))


@given(st.integers(0, 20), st.integers(0, 20))
def test_deduct_mode_decreasing(a, b):
    n = leaf("checklist", weight=3, points=0.5)
    (x, sx), (y, sy) = sorted([(a, score(n, actual=a)), (b, score(n, actual=b))])
    assert 0 <= sy <= sx <= 3


def test_items_holding_a_pause_mark_round_trip_through_the_params_text():
    from workbook_builder.rules import RULES
    n = leaf("checklist", mode="deduct", points=1, items=["制度健全、规范", "执行有效", "档案齐全,完整"])
    text = RULES["checklist"].params_text(n)
    assert RULES["checklist"].parse_params(text, False)["items"] == ["制度健全、规范", "执行有效", "档案齐全,完整"]
    assert RULES["checklist"].parse_params("每项扣=1；项目=甲、乙，丙", False)["items"] == ["甲", "乙", "丙"]
