"""A bureau works in the authoring workbook alone: takes the national framework, renames two indicators,
moves weight between them, replaces one 评分标准 with its own text and leaves 计分方法 blank. The workbook
built from it recalculates in LibreOffice to the engine's scores."""

import os

import openpyxl
import pytest
from engines import expected, read_scores
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import values_for

from workbook_builder.authoring.export import export
from workbook_builder.layout import build_layout
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.loader import load_authoring, load_template
from workbook_builder.render import build_workbook

OWN_TEXT = "按时完成率达到100%的得满分；每低于1个百分点扣0.5分，扣完为止。"


def edit(path):
    """What the bureau does in Excel, cell by cell (found by header and content, as a person would)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["指标体系"]
    head = {c.value: c.column for c in ws[2] if c.value}
    rows = {ws.cell(r, head["三级指标"]).value: r for r in range(3, ws.max_row + 1)}
    q1, qual, timely = rows["重点任务完成数量（一）"], rows["任务质量达标率"], rows["按时完成率"]
    ws.cell(q1, head["三级指标"]).value = "新增不动产登记数量"
    ws.cell(qual, head["三级指标"]).value = "登记数据准确率"
    ws.cell(q1, head["分值"]).value = 12
    ws.cell(qual, head["分值"]).value = 8
    ws.cell(rows["重点任务完成数量（一）"], head["二级分值"]).value = 22  # 数量指标: 10 + 12
    ws.cell(qual, head["二级分值"]).value = 8  # 质量指标
    ws.cell(timely, head["评分标准"]).value = OWN_TEXT
    ws.cell(timely, head["计分方法"]).value = None
    ws.cell(timely, head["参数"]).value = None
    ws.cell(timely, head["年度指标值"]).value = "≥100%"
    info = wb["基本信息"]
    for row in info.iter_rows(min_row=2):
        if row[0].value == "编号":
            row[1].value = "county_2025"  # the bureau's own system gets its own id (docs/authoring.md)
    wb.save(path)


@pytest.fixture(scope="module")
def bureau(tmp_path_factory):
    path = tmp_path_factory.mktemp("bureau") / "指标体系.xlsx"
    export(load_template("national_2020"), path)
    edit(path)
    return load_authoring(path)


def test_the_edited_system_is_what_the_bureau_meant(bureau):
    t, got = bureau
    by_name = {n.name: n for n in t.leaves()}
    assert (by_name["新增不动产登记数量"].weight, by_name["登记数据准确率"].weight) == (12, 8)
    assert {n.name: n.weight for n in t.nodes() if n.children} == {
        "部门资金": 10, "年度资金总额": 10, "产出指标": 50, "数量指标": 22, "质量指标": 8, "时效指标": 10, "成本指标": 10,
        "效益指标": 30, "经济效益指标": 10, "社会效益指标": 10, "可持续影响指标": 10, "满意度指标": 10, "服务对象满意度指标": 10}
    timely = by_name["按时完成率"]
    assert timely.rule == {"kind": "deduct", "direction": "below", "per": 0.01, "points": 0.5, "threshold": 1.0}
    assert [r.reading for r in got.readings if r.from_text] == [
        "达到100%得满分；低于100%后每低于1个百分点扣0.5分，扣完为止"]


@pytest.mark.libreoffice
@settings(max_examples=1, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_libreoffice_recalculates_the_bureau_workbook_to_the_engines_scores(bureau, tmp_path_factory, data):
    if soffice() is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice not installed (CI installs it)")
    t, _ = bureau
    batch = data.draw(st.lists(values_for(t), min_size=6, max_size=6))
    src = tmp_path_factory.mktemp("src")
    files = []
    for i, values in enumerate(batch):
        p = src / f"b{i}.xlsx"
        p.write_bytes(build_workbook(t, "测试单位", 2024, values))
        files.append(p)
    out = convert(files, tmp_path_factory.mktemp("lo"))
    lay = build_layout(t)
    for values, q in zip(batch, out):
        assert read_scores(q, lay) == expected(t, values)


def test_validate_finds_the_bureau_template_by_file(bureau, tmp_path, capsys, monkeypatch):
    import json

    from workbook_builder.cli import main
    from workbook_builder.paths import ENV
    monkeypatch.setenv(ENV, "")  # --templates below changes the variable; this puts it back afterwards
    t, _ = bureau
    src = next(p for p in tmp_path.parent.glob("bureau*/指标体系.xlsx"))
    out = tmp_path / "测试单位-2024.xlsx"
    out.write_bytes(build_workbook(t, "测试单位", 2024, {}))

    def codes(argv):
        status = main(argv)
        got = json.loads(capsys.readouterr().out)
        return status, {f["code"] for r in got for f in r["findings"]}

    status, found = codes(["validate", str(out), "--json"])
    assert status == 1 and "template-unknown" in found
    status, found = codes(["validate", str(out), "--json", "--templates", str(src)])
    assert status == 1 and "template-unknown" not in found and "required-missing" in found
