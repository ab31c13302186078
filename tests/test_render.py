"""The generated workbook: names, validation, protection, metadata, text safety, LibreOffice round trip."""

import io
import json
import os
import subprocess
import zipfile

import openpyxl
import pytest

from workbook_builder.cells import fingerprint
from workbook_builder.layout import SHEET_INPUTS, SHEET_META, SHEET_TABLE, build_layout, cell
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.loader import load_template, template_paths
from workbook_builder.render import build_workbook

needs_lo = pytest.mark.skipif(soffice() is None and not os.environ.get("CI"), reason="LibreOffice not installed")


def built(tid="zizhou_2024", **kw):
    t = load_template(tid)
    data = build_workbook(t, kw.pop("department", "子洲县自然资源和规划局"), 2024, **kw)
    return t, data, openpyxl.load_workbook(io.BytesIO(data))


def test_defined_names_point_at_layout_cells():
    t, _, wb = built()
    lay = build_layout(t)
    names = wb.defined_names
    assert names["TOTAL_SCORE"].attr_text.endswith(f"!{cell(*lay.total_cell, absolute=True)}")
    assert "GRADE" in names and "SC_staff_control" in names and "IN_staff_quota" in names
    assert "IN_law_actual" in names and "SC_input" in names  # entry cell and subtotal
    assert len([n for n in names if n.startswith("SC_")]) == sum(1 for _ in t.nodes())


def test_only_input_cells_are_unlocked_and_sheets_protected():
    t, data, wb = built()
    lay = build_layout(t)
    ws = wb[SHEET_TABLE]
    assert ws.protection.sheet and wb[SHEET_INPUTS].protection.sheet
    inputs = {(r, c) for s, r, c in lay.input_cells.values() if s == SHEET_TABLE}
    for row in ws.iter_rows():
        for c in row:
            if c.protection.locked is False:
                is_reason = c.column - 1 == lay.col["reason"]
                is_header = c.row - 1 in (2, 3)
                assert (c.row - 1, c.column - 1) in inputs or is_reason or is_header, c.coordinate
    r, c = lay.score_cells["staff_control"]
    assert ws.cell(r + 1, c + 1).protection.locked is not False
    assert b'lockStructure="1"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")


def test_validation_with_chinese_messages_and_lists_on_hidden_sheet():
    t, _, wb = built()
    lay = build_layout(t)
    ws = wb[SHEET_TABLE]
    dvs = ws.data_validations.dataValidation
    _, r, c = lay.input_cells["relocation.actual"]
    dv = next(d for d in dvs if cell(r, c) in str(d.sqref))
    assert dv.type == "list" and dv.formula1.startswith("_lists!") and dv.showErrorMessage
    assert "是" in dv.error
    _, r, c = lay.input_cells["payment_progress.actual"]
    dv = next(d for d in dvs if cell(r, c) in str(d.sqref))
    assert dv.type == "whole" and dv.formula1 == "0"
    assert wb["_lists"].sheet_state == "veryHidden" and wb[SHEET_META].sheet_state == "veryHidden"


def test_metadata_identifies_template_and_fingerprint():
    t, _, wb = built()
    meta = json.loads(dict((r[0].value, r[1].value) for r in wb[SHEET_META].iter_rows())["json"])
    assert meta["template_id"] == "zizhou_2024" and meta["template_version"] == t.version
    assert meta["department"] == "子洲县自然资源和规划局" and meta["year"] == "2024"
    assert meta["fingerprint"] == fingerprint(t, build_layout(t), "子洲县自然资源和规划局", 2024)
    assert meta["fingerprint"] != fingerprint(t, build_layout(t), "别的单位", 2024)


def test_text_starting_with_equals_is_never_a_formula():
    t, data, wb = built(department="=HYPERLINK(\"http://x\")", values={"header.filler": "=1+1", "farmland.reason": "+cmd"})
    ws = wb[SHEET_TABLE]
    lay = build_layout(t)
    r, c = lay.header_cells["department"]
    assert ws.cell(r + 1, c + 1).data_type == "s"
    r, c = lay.header_cells["filler"]
    assert ws.cell(r + 1, c + 1).value == "=1+1" and ws.cell(r + 1, c + 1).data_type == "s"


def test_blank_workbook_shows_no_errors_and_cached_scores():
    t, data, _ = built()
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    lay = build_layout(t)
    ws = wb[SHEET_TABLE]
    r, c = lay.total_cell
    gr, gc = lay.grade_cell
    # a blank workbook shows no total and no grade (not 0.00 and a red 差) until every indicator is scored
    assert ws.cell(r + 1, c + 1).value in (None, "") and ws.cell(gr + 1, gc + 1).value in (None, "")
    for row in ws.iter_rows(values_only=True):
        assert not any(isinstance(v, str) and v.startswith("#") for v in row)


def test_compatible_function_set_only():
    import re
    allowed = {"IF", "AND", "OR", "NOT", "ISNUMBER", "ROUND", "MIN", "MAX", "SUM", "ABS", "INT", "COUNT", "IFERROR", "LEN",
               "ISBLANK", "COUNTBLANK"}
    for p in template_paths():
        t = load_template(p)
        from workbook_builder.cells import all_cells
        for s in all_cells(t, build_layout(t), "x", 2024):
            if s.formula:
                used = set(re.findall(r"([A-Z][A-Z0-9.]*)\(", s.formula))
                assert used <= allowed, (t.id, used - allowed)


@needs_lo
def test_protection_and_validation_survive_libreoffice(tmp_path):
    t, data, _ = built()
    src = tmp_path / "a.xlsx"
    src.write_bytes(data)
    (out,) = convert([src], tmp_path / "lo")
    wb = openpyxl.load_workbook(out)
    ws = wb[SHEET_TABLE]
    lay = build_layout(t)
    assert ws.protection.sheet
    _, r, c = lay.input_cells["relocation.actual"]
    assert ws.cell(r + 1, c + 1).protection.locked is False
    assert any(cell(r, c) in str(d.sqref) and d.type == "list" for d in ws.data_validations.dataValidation)
    assert wb["_meta"].sheet_state in ("hidden", "veryHidden")


@needs_lo
@pytest.mark.parametrize("tid", [p.stem for p in template_paths()])
def test_prints_on_a4_landscape_one_page_wide(tid, tmp_path):
    t, data, _ = built(tid)
    src = tmp_path / f"{tid}.xlsx"
    src.write_bytes(data)
    (pdf,) = convert([src], tmp_path, to="pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    w, h = [float(x) for x in size.split(":")[1].split("pts")[0].split("x")]
    assert (round(w), round(h)) == (842, 595)  # A4 landscape on every page LibreOffice reports
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "总分" in text and t.indicators[0].name in text


@needs_lo
def test_blank_workbooks_recalculated_by_libreoffice_show_no_error_values(tmp_path):
    files = []
    for p in template_paths():
        f = tmp_path / f"{p.stem}.xlsx"
        f.write_bytes(build_workbook(load_template(p), "空白单位", 2024))
        files.append(f)
    for out in convert(files, tmp_path / "lo"):
        wb = openpyxl.load_workbook(out, data_only=True)
        errors = [(ws.title, c.coordinate, c.value) for ws in wb for row in ws.iter_rows() for c in row
                  if isinstance(c.value, str) and c.value.startswith("#")]
        assert errors == [], (out.name, errors[:5])
        lay = build_layout(load_template(out.stem))
        r, c = lay.total_cell
        assert wb[SHEET_TABLE].cell(r + 1, c + 1).value in (None, "")


def test_print_setup():
    t, _, wb = built("longxian_2023")
    lay = build_layout(t)
    ws = wb[SHEET_TABLE]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # OOXML default width is 1
    assert ws.print_title_rows.replace("$", "") == f"{lay.header_row + 1}:{lay.header_row + 1}"
    assert "&P" in ws.oddFooter.center.text and ws.freeze_panes == f"A{lay.header_row + 2}"


def test_money_and_numbers_show_what_was_typed():
    """9.1168 万元 is 91,168 元: a money cell shows it whole, and never trailing-zero noise."""
    from workbook_builder.formats import STYLES
    from workbook_builder.reader.numfmt import shown
    for style in ("in_money", "f_money", "in_num"):
        code = STYLES[style]["num_format"]
        assert shown(9.1168, code).replace(",", "") == "9.1168", style
        assert shown(1234.5, code).replace(",", "") == "1234.50" and shown(3.0, code) == "3.00"
