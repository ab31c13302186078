import pytest

from rules.helpers import leaf, score

LONGXIAN = [{"name": "达成目标", "share": 1}, {"name": "基本达成目标", "share": 0.75}, {"name": "部分实现目标", "share": 0.5},
            {"name": "实现程度较低", "share": 0.25}, {"name": "实现程度低", "share": 0}]
NATIONAL = [{"name": "达成年度指标", "min": 0.8, "max": 1, "default": 0.9},
            {"name": "部分达成年度指标并具有一定效果", "min": 0.6, "max": 0.8, "default": 0.7},
            {"name": "未达成年度指标且效果较差", "min": 0, "max": 0.6, "default": 0.3}]


@pytest.mark.parametrize("level,want", [("达成目标", 2), ("基本达成目标", 1.5), ("部分实现目标", 1), ("实现程度较低", 0.5), ("实现程度低", 0)])
def test_fixed_shares(level, want):
    assert score(leaf("grade", weight=2, levels=LONGXIAN), actual=level) == want


def test_unknown_level_or_blank_is_blank():
    n = leaf("grade", weight=2, levels=LONGXIAN)
    assert score(n, actual="优秀") is None and score(n, actual=None) is None


@pytest.mark.parametrize("level,typed,want", [
    ("达成年度指标", None, 1.8),  # 庆城: 2 分 → 1.8
    ("达成年度指标", 1.9, 1.9), ("达成年度指标", 1.0, 1.6), ("达成年度指标", 5, 2),
    ("部分达成年度指标并具有一定效果", None, 1.4), ("部分达成年度指标并具有一定效果", 1.9, 1.6),
    ("未达成年度指标且效果较差", 0.5, 0.5),
])
def test_range_mode_clamps_typed_score_into_level(level, typed, want):
    assert score(leaf("grade", weight=2, levels=NATIONAL), actual=level, score=typed) == want


def test_absolute_level_scores():
    n = leaf("grade", weight=3, levels=[{"name": "无结余", "score": 3}, {"name": "有结余", "score": 2}])
    assert score(n, actual="有结余") == 2


from hypothesis import given
from hypothesis import strategies as st


@given(st.sampled_from([LONGXIAN, NATIONAL]), st.data(), st.sampled_from([0.5, 2, 12.5]))
def test_within_weight_and_inside_the_chosen_level(levels, data, w):
    level = data.draw(st.sampled_from(levels))
    typed = data.draw(st.one_of(st.none(), st.floats(-100, 100)))
    s = score(leaf("grade", weight=w, levels=levels), actual=level["name"], score=typed)
    assert 0 <= s <= w
    if "min" in level:  # range mode: the score stays in the level's band (to rounding)
        assert level["min"] * w - 0.005 <= s <= level["max"] * w + 0.005
    else:
        assert s == round(level["share"] * w + 1e-9, 2)


def test_reason_needed_below_the_top_level_or_below_the_weight_when_the_template_says_so():
    import yaml

    from workbook_builder.engine import compute
    from workbook_builder.loader import parse_template
    data = yaml.safe_load(open("templates/qingcheng_2024.yaml", encoding="utf-8"))
    top = {"cooperation.actual": "达成年度指标"}  # scored at its default 90 %
    low = {"cooperation.actual": "部分达成年度指标并具有一定效果"}
    t = parse_template(data)
    assert not compute(t, top).needs_reason["cooperation"] and compute(t, low).needs_reason["cooperation"]
    strict = parse_template({**data, "reason_when": "below-weight"})
    assert compute(strict, top).needs_reason["cooperation"]
