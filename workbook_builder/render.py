"""Write the 自评表 workbook with XlsxWriter from the cell specs.

Formulas are written with the engine's values cached beside them, so viewers that
do not calculate still show real scores.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

import xlsxwriter
from xlsxwriter.utility import quote_sheetname

from . import __version__, pages
from .cells import (
    CellSpec,
    ValidationSpec,
    all_cells,
    fingerprint,
    formula_values,
    mistake_formats,
    reason_flag_formula,
    sign_rows,
    table_breaks,
    table_heights,
    validations,
)
from .engine import compute
from .formats import FONT, GRADE_COLOURS, STYLES
from .layout import SHEET_GUIDE, SHEET_INPUTS, SHEET_LISTS, SHEET_META, SHEET_TABLE, Layout, build_layout, cell
from .model import Template
from .pages import text_lines
from .signing import password_hash, prefill_text, sign
from .values import normalise

VARIANTS = ("xlsx", "xlsm", "xlsm-udf")


def metadata(t: Template, lay: Layout, department: str, year: int, sign_key: bytes | None = None,
             built_at: str | None = None, variant: str = "xlsx", password: str | None = None,
             values: Mapping[str, Any] | None = None) -> dict[str, str]:
    """_meta's rows; ``prefill`` lists the inputs the workbook was built with (the bureau's prefill),
    which the signature covers."""
    fp = fingerprint(t, lay, department, year, udf_cells=variant == "xlsm-udf")
    prefill = prefill_text(prefilled_inputs(t, values))
    meta = {"template_id": t.id, "template_version": t.version, "tool": "workbook-builder",
            "tool_version": __version__,
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds") if built_at is None else built_at,
            "department": department, "year": str(year), "variant": variant, "fingerprint": fp,
            "protection_hash": password_hash(password), "prefill": prefill}
    if sign_key:
        meta["signature"] = sign(fp, department, year, sign_key, prefill)
    return meta


def prefilled_inputs(t: Template, values: Mapping[str, Any] | None) -> dict[str, Any]:
    """The inputs ``values`` prefills, as written to their cells (numbers, text; 是/否 for booleans)."""
    from .rules import all_inputs
    out: dict[str, Any] = {}
    for inp in all_inputs(t):
        v = (values or {}).get(inp.id)
        if inp.type == "date" or v is None or v == "" or isinstance(v, (dt.date, dt.datetime)):
            continue
        v = _prefill(v)
        out[inp.id] = float(v) if isinstance(v, (int, float)) else str(v)
    return out


def build_workbook(t: Template, department: str, year: int | None = None, values: Mapping[str, Any] | None = None,
                   password: str | None = None, sign_key: bytes | None = None, macros: bool = False,
                   udf_cells: bool = False, built_at: str | None = None) -> bytes:
    """The finished workbook as bytes: .xlsx, or .xlsm with the xlwings VBA module when ``macros``.

    ``udf_cells`` (with ``macros``) makes leaf score cells call the UDFs, the plain formula kept in a comment.
    """
    year = year or t.year
    udf_cells = udf_cells and macros
    variant = "xlsm-udf" if udf_cells else "xlsm" if macros else "xlsx"
    values = normalise(t, values)
    lay = build_layout(t)
    res = compute(t, values)
    specs = all_cells(t, lay, department, year, udf_cells)
    cached = formula_values(t, specs, values, res)

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False})
    fmts = {k: wb.add_format({"font_name": FONT, "font_size": 10, **v}) for k, v in STYLES.items()}
    guide = wb.add_worksheet(SHEET_GUIDE)
    ws_in = wb.add_worksheet(SHEET_INPUTS)
    ws_t = wb.add_worksheet(SHEET_TABLE)
    ws_l = wb.add_worksheet(SHEET_LISTS)
    ws_m = wb.add_worksheet(SHEET_META)
    sheets = {SHEET_GUIDE: guide, SHEET_INPUTS: ws_in, SHEET_TABLE: ws_t, SHEET_LISTS: ws_l}

    write_cells(sheets, fmts, specs, cached, lambda spec: values.get(spec.input_id))

    for v in validations(t, lay):
        _validation(sheets[v.sheet], v)
    conditional_formats(wb, t, lay, {SHEET_INPUTS: ws_in, SHEET_TABLE: ws_t})
    guide.set_column(0, 0, 100)
    for ws in (guide,):
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
    _page_setup(t, lay, ws_in, ws_t, specs)
    for (sheet, r), h in row_heights(specs, lay).items():
        sheets[sheet].set_row(r, h)

    if macros:
        _macro_parts(wb, fmts)
    meta = metadata(t, lay, department, year, sign_key, built_at=built_at, variant=variant, password=password,
                    values=values)
    ws_m.write_string(0, 0, "key")
    ws_m.write_string(0, 1, "value")
    for i, (k, v) in enumerate(meta.items(), start=1):
        ws_m.write_string(i, 0, k)
        ws_m.write_string(i, 1, v)
    ws_m.write_string(len(meta) + 1, 0, "json")
    ws_m.write_string(len(meta) + 1, 1, json.dumps(meta, ensure_ascii=False))

    for name, ref in lay.defined_names().items():
        sheet, addr = ref.split("!")
        wb.define_name(name, f"={quote_sheetname(sheet)}!{addr}")
    for ws in (guide, ws_in, ws_t):
        ws.protect(password or "", {"select_locked_cells": True, "select_unlocked_cells": True,
                                    "format_columns": True, "format_rows": True})
    ws_l.protect(password or "")
    ws_m.protect(password or "")
    ws_l.very_hidden()
    ws_m.very_hidden()
    ws_t.activate()
    wb.close()
    return lock_structure(buf.getvalue(), password)


def _macro_parts(wb, fmts) -> None:
    from .macros import CHECK_CELL, CHECK_FORMULA, CHECK_SHEET, CHECK_TEXT, CONF_SHEET, VBA_PATH, conf_cells

    wb.add_vba_project(str(VBA_PATH))
    chk = wb.add_worksheet(CHECK_SHEET)
    chk.set_column(0, 1, 12)
    chk.set_column(2, 3, 22)
    chk.set_column(4, 4, 80)
    for r, text in enumerate(CHECK_TEXT):
        chk.write_string(r, 0, text, fmts["note"] if r else fmts["subheader"])
    chk.write_formula(*CHECK_CELL, "=" + CHECK_FORMULA, None, "")
    conf = wb.add_worksheet(CONF_SHEET)
    for (r, c), v in conf_cells().items():  # the reader checks the sheet against the same cells
        if isinstance(v, bool):
            conf.write_boolean(r, c, v)
        elif v != "":
            conf.write_string(r, c, str(v))
    conf.hide()


def _prefill(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    return v


def _validation(ws, v: ValidationSpec) -> None:
    opts: dict[str, Any] = {"input_title": v.title, "error_title": "输入有误", "ignore_blank": True,
                            "show_error": True, "show_input": True, "error_message": v.error,
                            "input_message": v.message}
    if v.kind == "list":
        opts.update(validate="list", source=v.source)
    elif v.kind == "custom":
        opts.update(validate="custom", value=v.source)
    else:
        opts.update(validate={"whole": "integer"}.get(v.kind, v.kind), criteria="between",
                    minimum=v.minimum, maximum=v.maximum)
    ws.data_validation(v.row, v.col, v.row, v.col, opts)


def write_cells(sheets: Mapping[str, Any], fmts: Mapping[str, Any], specs, cached: Mapping[tuple, Any],
                prefilled: Callable[[Any], Any]) -> None:
    """Write every cell spec: formulas with their cached values, inputs with ``prefilled(spec)``, the
    rest as text or numbers (text never becomes a formula, whatever it starts with)."""
    for s in specs:
        ws, f = sheets[s.sheet], fmts[s.style]
        value = _prefill(prefilled(s)) if s.input_id else s.value
        if s.merge_to:
            ws.merge_range(s.row, s.col, s.merge_to[0], s.merge_to[1], "", f)
        if s.comment:
            ws.write_comment(s.row, s.col, s.comment, {"x_scale": 3, "y_scale": 2})
        if s.formula:
            v = cached.get((s.sheet, s.row, s.col))
            ws.write_formula(s.row, s.col, "=" + s.formula, f, "" if v is None else v)
        elif value is None or value == "":
            ws.write_blank(s.row, s.col, None, f)
        elif isinstance(value, str):
            ws.write_string(s.row, s.col, value, f)
        elif isinstance(value, (dt.date, dt.datetime)):
            ws.write_datetime(s.row, s.col, value, f)
        else:
            ws.write_number(s.row, s.col, float(value), f)


def conditional_formats(wb, t: Template, lay: Layout, sheets: dict) -> Any:
    """Red wrong inputs, orange blank required inputs, red missing reasons, grade colours on the total and grade.

    ``sheets`` maps the layout's sheet names to their worksheets; returns the red format for more rules.
    """
    missing = wb.add_format({"bg_color": "#F8CBAD"})
    red = wb.add_format({"bg_color": "#FF0000", "font_color": "#FFFFFF"})
    decl = {i.id: i for i in t.inputs} | {e.id: e for e in lay.entries}
    for iid, (sheet, r, c) in lay.input_cells.items():
        if decl[iid].required:
            sheets[sheet].conditional_format(r, c, r, c, {"type": "blanks", "format": missing})
    for sheet, r, c, f in mistake_formats(t, lay):  # a wrong value: red, its 提示 says why
        sheets[sheet].conditional_format(r, c, r, c, {"type": "formula", "criteria": "=" + f, "format": red,
                                                      "stop_if_true": True})
    ws_t = sheets[lay.table_sheet]
    for n in t.leaves():
        rr, rc = lay.leaf_rows[n.id].at("reason")
        ws_t.conditional_format(rr, rc, rr, rc, {
            "type": "formula", "criteria": f"=AND({reason_flag_formula(lay, n)},LEN({cell(rr, rc)})=0)", "format": red})
    tr, tc = lay.total_cell
    gr, gc = lay.grade_cell
    total = cell(tr, tc, True)
    for i, g in enumerate(sorted(t.grades, key=lambda g: -g.min)):
        f = wb.add_format({"bg_color": GRADE_COLOURS[min(i, len(GRADE_COLOURS) - 1)], "bold": True})
        for r, c in ((tr, tc), (gr, gc)):
            ws_t.conditional_format(r, c, r, c, {"type": "formula", "criteria": f"=AND(ISNUMBER({total}),{total}>={g.min:g})",
                                                 "format": f, "stop_if_true": True})
    return red


INPUT_WIDTHS = [6, 36, 8, 18, 40, 30]


def _page_setup(t: Template, lay: Layout, ws_in, ws_t, specs: list[CellSpec]) -> None:
    """A4 landscape; the 自评表 at the scale that fits its width, cut between 一级 groups
    (cells.table_breaks), its header row on every page and the signature block last."""
    for i, c in enumerate(lay.columns):
        ws_t.set_column(i, i, c.width)
    for i, w in enumerate(INPUT_WIDTHS):
        ws_in.set_column(i, i, w)
    for ws, hr in ((ws_t, lay.header_row), (ws_in, 2)):
        ws.set_landscape()
        ws.set_paper(9)
        ws.repeat_rows(hr)
        ws.set_footer("&C第 &P 页，共 &N 页")
        ws.set_margins(**pages.MARGINS)
        ws.freeze_panes(hr + 1, 0)
        ws.center_horizontally()
    # 基础数据 is short: one page, so two rows never spill onto a page of their own
    ws_in.fit_to_pages(1, 1 if lay.inputs_last_row < 60 else 0)
    # one page wide, as tall as it takes; the breaks (between 一级 groups) are planned at the scale
    # Excel uses for that width, and an application that shrinks more only leaves a page less full
    ws_t.fit_to_pages(1, 0)
    ws_t.set_h_pagebreaks(table_breaks(t, lay, specs))
    ws_t.print_area(0, 0, sign_rows(lay)[1], len(lay.columns) - 1)


def _lines(text: str, width: float) -> int:
    return text_lines(text, width)


def row_heights(specs: list[CellSpec], lay: Layout) -> dict[tuple[str, int], float]:
    """Heights of the rows whose text needs more (or less) than the default row (pages.row_heights)."""
    out = pages.row_heights([s for s in specs if s.sheet in (SHEET_INPUTS, SHEET_GUIDE)],
                            {SHEET_INPUTS: INPUT_WIDTHS, SHEET_GUIDE: [100]})
    out.update({(lay.table_sheet, r): h for r, h in table_heights(lay, specs).items()})
    return out


def lock_structure(data: bytes, password: str | None = None) -> bytes:
    """Add workbook structure protection (XlsxWriter cannot) by editing xl/workbook.xml."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                prot = '<workbookProtection lockStructure="1"/>'
                body = body.replace(b"<bookViews>", prot.encode() + b"<bookViews>", 1)
            dst.writestr(item, body)
    return out.getvalue()
