"""A project as a model Template: open rows, allotments and the 预算执行率, in the engine."""

import pytest

from projects.helpers import FORMS, NATIONAL, open_project
from workbook_builder.engine import compute
from workbook_builder.projects.project import Project, ProjectError, Row, instantiate, sheet_names


def test_unused_open_rows_do_not_hold_up_subtotals_and_allotments_must_add_up():
    p, v = open_project()
    t = instantiate(NATIONAL, p)
    res = compute(t, v)
    assert (res.scores["a1"], res.scores["a2"], res.scores["a3"], res.total) == (50.0, 30.0, 10.0, 100.0)
    assert len(res.unused) == 18 - 4
    res = compute(t, {**v, "o1_1_1.weight": 35.0})  # 产出 now adds up to 55
    assert res.scores["a1"] is None and res.total is None
    res = compute(t, {**v, "o1_2_2.name": " "})  # a row begun (even a space) but not finished
    assert "o1_2_2" not in res.unused and res.scores["a1"] is None


def test_budget_rate_and_sichuan_reason_rule():
    p, v = open_project()
    nat, sc = instantiate(NATIONAL, p), instantiate(FORMS["sichuan_project_2021"], p)
    v = {**v, "fund_total_executed": 46.0}  # 92 %
    assert compute(nat, v).scores["budget"] == 9.2
    assert compute(nat, v).needs_reason["budget"] is True
    assert compute(sc, v).needs_reason["budget"] is False  # 四川: a reason only below 90 %
    assert compute(sc, {**v, "fund_total_executed": 44.0}).needs_reason["budget"] is True


def test_project_data_problems_are_all_reported_in_chinese():
    bad = Project("", rows=[Row("产出指标", "数量", "a", "大于", 40, target=1), Row("效益指标", "社会效益指标", "b", "定性", 30)])
    with pytest.raises(ProjectError) as e:
        instantiate(NATIONAL, bad)
    assert e.value.problems == [
        "项目名称为空",
        "第1个指标（a）的二级指标“数量”不属于产出指标（可用：数量指标、质量指标、时效指标、成本指标）",
        "第1个指标（a）的指标性质“大于”应为 ≥、≤、=、定性 之一",
        "第2个指标（b）是定性指标，需要文字的年度指标值",
        "产出指标的分值合计为 40，应为 50",
        "满意度指标没有指标（预填时每个一级指标都要有指标，合计 10 分）"]


def test_sheet_names_are_numbered_cut_and_safe():
    names = sheet_names([Project("道路/桥梁[维修]"), Project("很" * 40)])
    assert names == ["01 道路_桥梁_维修_", "02 " + "很" * 28]
