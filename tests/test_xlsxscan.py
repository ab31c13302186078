"""xlsxscan: a sheet declaring (or using) a huge range is refused before any reader allocates it."""

import subprocess
import sys
import zipfile

import openpyxl
import pytest

from workbook_builder.xlsxscan import MAX_CELLS, SheetTooLarge, scan


def _far_cell(path, dimension="A1:XFD1048576", cell='<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',
              row="1048576"):
    """A small valid xlsx whose sheet declares ``dimension`` and holds a cell far away."""
    wb = openpyxl.Workbook()
    wb.active.append(["部门名称", "职工满意度"])
    wb.active.append(["甲局", 0.9])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    import re
    xml = re.sub(r'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>', xml)
    xml = xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>' if cell else "</sheetData>")
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    return path


@pytest.mark.parametrize("kw", [{}, {"cell": "", "dimension": "A1:XFD1048576"}, {"dimension": "A1:B2"}])
def test_a_far_cell_or_a_huge_dimension_is_refused(tmp_path, kw):
    p = _far_cell(tmp_path / "名单.xlsx", **kw)
    with pytest.raises(SheetTooLarge, match="范围过大"):
        scan(p)


def test_a_normal_sheet_passes_with_its_percent_cells(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["部门名称", "职工满意度"])
    wb.active.append(["甲局", 0.9])
    wb.active["B2"].number_format = "0.0%"
    p = tmp_path / "a.xlsx"
    wb.save(p)
    info = scan(p)["Sheet"]
    assert (info.rows, info.cols, info.percent) == (2, 2, {(2, 1)})
    assert MAX_CELLS >= 100_000 * 50


@pytest.mark.parametrize("argv", [
    ["build", "--template", "qingcheng_2024", "--prefill", "{f}", "--out-dir", "{d}"],
    ["projects", "build", "--list", "{f}", "-o", "{d}"],
    ["projects", "build", "--list", "examples/projects/庆城县项目清单.csv", "--indicators", "{f}", "-o", "{d}"],
    ["validate", "--projects", "{f}", "{d}"],
    ["templates", "check", "{f}"],
    ["templates", "check", "{f}", "-o", "{d}/核对.xlsx"],
])
def test_every_command_reading_a_list_refuses_it_in_chinese(tmp_path, argv):
    """In a child process: a native abort (exit 134) would kill the test run itself."""
    p = _far_cell(tmp_path / "名单.xlsx")
    (tmp_path / "o").mkdir()
    args = [a.format(f=p, d=tmp_path / "o") for a in argv]
    r = subprocess.run([sys.executable, "-m", "workbook_builder", *args], capture_output=True, text=True, timeout=600, check=False,
                       env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ".", "HOME": str(tmp_path)})
    assert r.returncode in (1, 2), r.stderr[-500:]
    assert "范围过大" in r.stdout + r.stderr and "Traceback" not in r.stderr
    assert not list((tmp_path / "o").glob("*.xlsx"))


def test_cells_without_references_are_counted_and_percent_columns_found(tmp_path):
    from workbook_builder.cli import main
    p = _far_cell(tmp_path / "a.xlsx", dimension="A1:B2", row="3",
                  cell='<c t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>y</t></is></c>'
                       '<c t="inlineStr"><is><t>z</t></is></c>')
    info = scan(p)["Sheet"]
    assert (info.rows, info.cols) == (3, 3)
    out = tmp_path / "名单.xlsx"
    assert main(["prefill-template", "--template", "qingcheng_2024", "-o", str(out)]) == 0
    assert scan(out)["名单"].percent_cols  # the template's percent columns
