"""The authoring workbook checks itself as the bureau types: LibreOffice recalculates the 检查 column and row 1."""

import os

import openpyxl
import pytest

from workbook_builder.authoring.export import export
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.loader import load_template

pytestmark = pytest.mark.libreoffice


def _recalc(path, tmp_path):
    if soffice() is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice not installed (CI installs it)")
    out = convert([path], tmp_path / "lo")[0]
    ws = openpyxl.load_workbook(out, data_only=True)["指标体系"]
    head = {c.value: c.column for c in ws[2] if c.value}
    checks = {r: ws.cell(r, head["检查"]).value for r in range(3, ws.max_row + 1) if ws.cell(r, head["检查"]).value}
    return ws["C1"].value, checks, head


def test_a_clean_export_passes_and_mistakes_show_where_they_are(tmp_path):
    path = tmp_path / "zizhou.xlsx"
    export(load_template("zizhou_2024"), path)
    status, checks, _ = _recalc(path, tmp_path)
    assert (status, checks) == ("检查通过", {})

    wb = openpyxl.load_workbook(path)
    ws = wb["指标体系"]
    head = {c.value: c.column for c in ws[2] if c.value}
    leaf_rows = [r for r in range(3, ws.max_row + 1) if ws.cell(r, head["分值"]).value is not None]
    first, second = leaf_rows[0], leaf_rows[1]
    ws.cell(first, head["分值"]).value = ws.cell(first, head["分值"]).value + 1  # weight moved without its parent
    ws.cell(second, head["三级指标"]).value = ws.cell(first, head["三级指标"]).value  # a duplicate name
    wb.save(path)
    status, checks, _ = _recalc(path, tmp_path)
    assert status == "总分应为100，现为101"
    assert "一级分值" in checks[first] and "与下级合计" in checks[first]
    assert checks[second] == "名称重复；"


def test_cached_values_are_what_libreoffice_computes(tmp_path):
    """LibreOffice may show a file's cached values, and recalculates edits from them: they must be right."""
    path = tmp_path / "longxian.xlsx"
    export(load_template("longxian_2023"), path)
    if soffice() is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice not installed (CI installs it)")
    out = convert([path], tmp_path / "lo")[0]
    cached = openpyxl.load_workbook(path, data_only=True)["指标体系"]
    fresh = openpyxl.load_workbook(out, data_only=True)["指标体系"]
    norm = lambda v: "" if v is None else v  # noqa: E731
    diff = [(c.coordinate, c.value, fresh[c.coordinate].value) for row in cached.iter_rows(min_row=1, max_row=120)
            for c in row if norm(c.value) != norm(fresh[c.coordinate].value)]
    assert diff == []


def test_print_setup_belongs_to_the_system_sheet(tmp_path):
    path = tmp_path / "n.xlsx"
    export(load_template("national_2020"), path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "指标体系" and wb["_下拉"].sheet_state == "hidden"
    system = wb["指标体系"]
    assert system.print_area and system.print_area.startswith("'指标体系'!$A$1:")
    assert system.print_title_rows == "$2:$2" and wb["基础数据"].print_title_rows == "$1:$1"
    assert all(wb[n].page_setup.orientation == "landscape" for n in wb.sheetnames if n != "_下拉")
