"""Composed rules in the 指标体系 workbook: written by parts (计分方法 组合计分 + 参数) or by text (计分方法 blank),
exported and imported back scoring the same."""

from pathlib import Path

from hypothesis import given, settings
from strategies import values_for

from authoring.helpers import workbook
from workbook_builder.authoring.export import export
from workbook_builder.engine import compute
from workbook_builder.loader import load_authoring, load_template
from workbook_builder.rules.compose import canonical

SHAPES = Path(__file__).resolve().parents[1] / "data" / "compose_shapes.yaml"
HEAD = ["一级指标", "二级指标", "三级指标", "分值", "评分标准", "计分方法", "参数", "年度指标值", "单位"]


def test_the_shapes_round_trip_through_the_authoring_workbook(tmp_path):
    a = load_template(str(SHAPES))
    path = tmp_path / "shapes.xlsx"
    export(a, path)
    b = load_authoring(path)[0]
    assert [canonical(n.rule) for n in b.leaves()] == [canonical(n.rule) for n in a.leaves()]

    @settings(max_examples=30, deadline=None)
    @given(values_for(a))
    def same(values):
        assert compute(b, values).scores == compute(a, values).scores

    same()


def test_shapes_written_by_parts_and_by_text(tmp_path):
    rows = [HEAD,
            ["产出", "数量", "任务完成", 10, "", "组合计分",
             "数值=完成率(%)、问题(项)；按差扣分=完成率低于100%每1%扣1分；计数扣分=问题每项扣0.5分，最多扣3分", "", "%"],
            ["产出", "数量", "覆盖与回访", 10, "覆盖率达95%以上且回访2次以上的得满分；覆盖率达80%或回访1次的得一半分；其余不得分",
             "", "", "", ""],
            ["产出", "质量", "制度建设", 10, "健全得满分，基本健全得60%，不健全不得分，存在问题的酌情扣分", "", "", "", ""],
            ["效益", "社会", "新建项目", 10, "未安排该项任务的不扣分；每发现一处问题扣1分，扣完为止", "", "", "", ""]]
    for r in rows[1:]:
        r[3] = 25
    t = load_authoring(workbook(tmp_path / "a.xlsx", rows))[0]
    kinds = [n.kind for n in t.leaves()]
    assert kinds == ["compose"] * 4
    by = {n.name: n for n in t.leaves()}
    from workbook_builder.rules import rule_for
    n = by["任务完成"]
    assert rule_for(n).score(n, {"actual": 0.97, "value2": 2}) == 21
    n = by["覆盖与回访"]
    assert rule_for(n).score(n, {"actual": 0.96, "value2": 1}) == 12.5
    n = by["制度建设"]
    assert rule_for(n).score(n, {"actual": "基本健全"}) == 15
    n = by["新建项目"]
    assert rule_for(n).score(n, {"na": "不适用"}) == 25


def test_a_target_typed_as_a_formula_stays_text_through_libreoffice(tmp_path):
    """年度指标值 is text-formatted: “=100%” typed there (as Excel and WPS store it in a text cell) reads back as =100%."""
    import os

    import openpyxl
    import pytest

    from workbook_builder.authoring.read import read_workbook
    from workbook_builder.libreoffice import convert, soffice
    a = load_template("hengyang_2022")
    path = tmp_path / "hengyang_2022.xlsx"
    export(a, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["指标体系"]
    head = next(r for r in ws.iter_rows(min_row=1, max_row=5) if any(c.value == "年度指标值" for c in r))
    col = next(c.column for c in head if c.value == "年度指标值")
    name_col = next(c.column for c in head if c.value == "三级指标")
    row = next(r for r in range(head[0].row + 1, ws.max_row + 1) if ws.cell(r, name_col).value == "预算执行率")
    cell = ws.cell(row, col)
    assert cell.number_format == "@"
    assert ws.cell(ws.max_row, col).number_format in ("@", "General")  # spare rows take the column's format
    cell.value = "=100%"
    cell.data_type = "s"
    wb.save(path)
    if soffice() is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice not installed")
    out = convert([path], tmp_path / "lo")[0]
    got = read_workbook(out)
    leaf = next(n for top in got.data["indicators"] for g in top["children"] for n in g.get("children", [g])
                if n["name"] == "预算执行率")
    assert leaf["target"] == {"op": "=", "value": 1.0}


def test_errors_of_every_level_come_in_one_run(tmp_path):
    """A weight that does not add up, a total that is not 100 and a rule whose parameters fail its own check: one run."""
    import pytest

    from workbook_builder.loader import TemplateError
    rows = [HEAD + ["二级分值"],
            ["产出", "数量", "甲", 30, "", "分档计分", "x≥90%：5分；x≥80%：4分", "", "%", 40],
            ["产出", "数量", "乙", 20, "", "等级评定", "好=120%；差=0%", "", "", None],
            ["效益", "社会", "丙", 40, "", "组合计分", "数值=问题(项)；计数扣分=问题每项扣1分，最多扣-1分", "", "", 40]]
    with pytest.raises(TemplateError) as e:
        load_authoring(workbook(tmp_path / "b.xlsx", rows))
    text = "\n".join(m for m, _ in e.value.errors)
    assert "[指标体系 第2行 参数] 第 2 个与第 1 个分段在 0.9 处重叠" in text and "[指标体系 第3行 参数]" in text, text
    assert "[指标体系 第4行 参数]" in text and "weight-mismatch" in text and "total-not-100" in text, text
