"""Write a department's project workbook: 填报说明, 项目汇总, one sheet per project, _lists, _meta."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping
from typing import Any

import xlsxwriter
from xlsxwriter.utility import quote_sheetname

from .. import __version__, pages
from ..cells import SIGNATURE_ROWS, fingerprint_of, validations
from ..engine import compute
from ..formats import FONT, STYLES
from ..layout import cell
from ..render import _validation, conditional_formats, lock_structure, write_cells
from ..signing import password_hash, sign
from .cells import (
    COLUMNS,
    SHEET_GUIDE,
    SHEET_LISTS,
    SHEET_META,
    SHEET_SUMMARY,
    SUMMARY_COLS,
    Part,
    formula_cache,
    list_sources,
    parts_for,
    workbook_cells,
)
from .form import ProjectForm
from .layout import COL, GOAL_ROW, check_row, todo_cell
from .project import Project

META_KIND = "project"
MAX_PROJECTS = 200


def normalise_values(part: Part, values: Mapping[str, Any] | None) -> dict[str, Any]:
    from ..values import normalise
    return normalise(part.template, values)


def metadata(form: ProjectForm, parts: list[Part], specs, department: str, year: int, built_at: str | None = None,
             password: str | None = None, sign_key: bytes | None = None,
             values: list[Mapping[str, Any]] | None = None) -> dict[str, str]:
    """_meta's rows; ``prefill.N`` holds project N's prefilled inputs (fund figures, one row each: a cell
    holds at most 32,767 characters), which the signature covers (``project_prefill``)."""
    from ..render import prefilled_inputs
    from ..signing import prefill_text
    rows = {f"prefill.{p.index}": prefill_text(prefilled_inputs(p.template, v)) for p, v in zip(parts, values or [])}
    rows = {k: v for k, v in rows.items() if v}
    prefill = project_prefill(rows)
    meta = {"kind": META_KIND, "template_id": form.id, "template_version": form.version, "tool": "workbook-builder",
            "tool_version": __version__,
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds") if built_at is None else built_at,
            "department": department, "year": str(year), "variant": "xlsx", "fingerprint": fingerprint_of(form, specs),
            "protection_hash": password_hash(password), "projects": str(len(parts))}
    if sign_key:
        meta["signature"] = sign(meta["fingerprint"], department, year, sign_key, prefill)
    for part in parts:
        meta[f"project.{part.index}"] = json.dumps(part.project.spec(), ensure_ascii=False)
    meta.update(rows)
    return meta


def project_prefill(meta: Mapping[str, str]) -> str:
    """What a project workbook's signature covers of its prefill: the ``prefill.N`` rows, in one text."""
    from ..signing import prefill_text
    return prefill_text({k: v for k, v in meta.items() if k.startswith("prefill.") and v})


def build_project_workbook(form: ProjectForm, department: str, year: int, projects: list[Project],
                           values: list[Mapping[str, Any]] | None = None, password: str | None = None,
                           built_at: str | None = None, sign_key: bytes | None = None) -> bytes:
    """The department's workbook as bytes; ``values[i]`` prefills project i's inputs (fund figures …);
    ``sign_key`` signs the locked content, department and year (signing.py)."""
    if not 1 <= len(projects) <= MAX_PROJECTS:
        raise ValueError(f"项目数应在 1 至 {MAX_PROJECTS} 之间")
    parts = parts_for(form, projects)
    vals = [normalise_values(p, (values or [{}] * len(parts))[p.index - 1] if values else {}) for p in parts]
    results = [compute(p.template, v) for p, v in zip(parts, vals)]
    specs = workbook_cells(form, parts, department, year)
    cached = formula_cache(form, parts, specs, vals, results)
    lists = list_sources(form)

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False})
    fmts = {k: wb.add_format({"font_name": FONT, "font_size": 10, **v}) for k, v in STYLES.items()}
    sheets = {SHEET_GUIDE: wb.add_worksheet(SHEET_GUIDE), SHEET_SUMMARY: wb.add_worksheet(SHEET_SUMMARY)}
    for p in parts:
        sheets[p.sheet] = wb.add_worksheet(p.sheet)
    sheets[SHEET_LISTS] = wb.add_worksheet(SHEET_LISTS)
    ws_m = wb.add_worksheet(SHEET_META)
    prefill = {(p.sheet, iid): v for p, v in zip(parts, vals) for iid, v in v.items()}
    write_cells(sheets, fmts, specs, cached, lambda spec: prefill.get((spec.sheet, spec.input_id)))
    for p in parts:
        for v in validations(p.template, p.layout, lists):
            _validation(sheets[v.sheet], v)
        _project_formats(wb, sheets[p.sheet], p)
        _project_page(sheets[p.sheet], p)
    _row_heights(specs, sheets)
    _other_pages(sheets)

    meta = metadata(form, parts, specs, department, year, built_at, password, sign_key, vals)
    ws_m.write_string(0, 0, "key")
    ws_m.write_string(0, 1, "value")
    for i, (k, v) in enumerate(meta.items(), start=1):
        ws_m.write_string(i, 0, k)
        ws_m.write_string(i, 1, v)
    for p in parts:
        for name, ref in p.layout.defined_names().items():
            sheet, addr = ref.rsplit("!", 1)
            wb.define_name(name, f"={quote_sheetname(sheet.strip(chr(39)))}!{addr}")
    opts = {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True, "format_rows": True}
    for name, ws in sheets.items():
        ws.protect(password or "", opts if name != SHEET_LISTS else {})
    ws_m.protect(password or "")
    sheets[SHEET_LISTS].very_hidden()
    ws_m.very_hidden()
    sheets[SHEET_SUMMARY].activate()
    wb.close()
    return lock_structure(buf.getvalue(), password)


def _project_formats(wb, ws, p: Part) -> None:
    t, lay = p.template, p.layout
    red = conditional_formats(wb, t, lay, {p.sheet: ws})
    for top in t.indicators[1:]:
        r = check_row(lay, top.id)
        c = COL["reason"]
        ws.conditional_format(r, c, r, c, {"type": "formula", "criteria": f'={cell(r, c)}<>"分值合计正确"', "format": red})
    if any(n.kind == "open" for n in t.leaves()):
        r, c = todo_cell(lay)
        ws.conditional_format(r, c, r, c, {"type": "cell", "criteria": ">", "value": 0, "format": red})


def _project_page(ws, p: Part) -> None:
    for i, c in enumerate(COLUMNS):
        ws.set_column(i, i, c.width)
    ws.set_row(0, 28)
    ws.set_row(GOAL_ROW, 60)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, 2)  # title, year and the project's name on every page
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.print_area(0, 0, p.layout.last_row + 2 + len(SIGNATURE_ROWS), len(COLUMNS) - 1)  # the signature block last


def _other_pages(sheets) -> None:
    g, s = sheets[SHEET_GUIDE], sheets[SHEET_SUMMARY]
    g.set_column(0, 0, 100)
    for i, (_, w) in enumerate(SUMMARY_COLS):
        s.set_column(i, i, w)
    for ws in (g, s):
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.center_horizontally()
    g.set_landscape()  # as the 自评表's: its 100-character lines fit the width as they are
    s.set_landscape()
    s.repeat_rows(2)
    s.freeze_panes(3, 0)
    s.set_row(0, 28)


def _row_heights(specs, sheets) -> None:
    """Rows whose text wraps get the height it needs (pages.row_heights), the footnote 说明 across the
    sheet's width included: Excel and WPS never grow a merged cell's row."""
    widths: dict[str, list[float]] = {name: [c.width for c in COLUMNS] for name in sheets}
    widths[SHEET_GUIDE] = [100]
    widths[SHEET_SUMMARY] = [w for _, w in SUMMARY_COLS]
    widths.pop(SHEET_LISTS, None)
    for (sheet, r), h in pages.row_heights(specs, widths).items():
        if r != GOAL_ROW or sheet in (SHEET_GUIDE, SHEET_SUMMARY):
            sheets[sheet].set_row(r, h)
