"""Validate a returned project workbook: every project sheet as the 自评表 is validated, plus 项目汇总.

The projects' locked content (names, prefilled indicators, targets, 分值) is rebuilt from the
_meta rows, compared cell by cell and covered by the fingerprint; inputs, recomputed scores,
cached values, reasons, names, protection and the display are checked per project sheet.
"""

from __future__ import annotations

import json

from ..cells import fingerprint_of, validations
from ..engine import allotment_gaps, slot_values
from ..layout import cell
from ..numeric import SCORE_DECIMALS, xl_round
from ..projects.cells import (
    SHEET_LISTS,
    SHEET_META,
    STANDARD,
    formula_cache,
    list_sources,
    parts_for,
    shown_sheets,
    workbook_cells,
)
from ..projects.form import FormError, project_forms
from ..projects.layout import COL, check_row
from ..projects.project import FUND_COLS, FUND_ROWS, Project, ProjectError, fund_id
from ..projects.render import MAX_PROJECTS, project_prefill
from ..rules import rule_for
from . import prefilled, presentation
from .describe import percent_cells
from .findings import FileReport
from .xlsx import Book


def validate_projects(book: Book, meta: dict[str, str], rep: FileReport, sign_key: bytes | None = None,
                      vba: bool = False, app: str = "") -> None:
    from .compare import _check_sheet, _compare_locked, _compare_shown, _get, _identify, _identity, _sheets, _year
    try:
        form = _identify(project_forms().get(rep.template), rep)
    except FormError:
        form = _identify(None, rep)
    if form is None:
        return
    if vba:
        rep.add("macros-present", detail="xlsx 模板中出现了 VBA 项目")
    year = _year(rep.year)
    projects = _projects(meta)
    if year is None or projects is None:
        rep.add("metadata-edited", sheet=SHEET_META, detail="项目信息无法读取")
        return
    try:
        parts = parts_for(form, projects)
    except ProjectError as e:
        rep.add("metadata-edited", sheet=SHEET_META, detail=str(e)[:200])
        return
    shown = shown_sheets(parts)
    _sheets(book, shown + (SHEET_LISTS, SHEET_META), rep)
    if any(name not in book.sheets for name in shown):
        return
    specs = workbook_cells(form, parts, rep.department, year)
    fp = fingerprint_of(form, specs)
    _identity({**meta, "prefill": project_prefill(meta)}, fp, year, sign_key, rep)
    _compare_locked(book, specs, rep, sheets=shown + (SHEET_LISTS,))
    lists = list_sources(form)
    values, results, vspecs, pct = [], [], [], frozenset()
    for p in parts:
        mine = validations(p.template, p.layout, lists)
        v, res = _check_sheet(book, p.template, p.layout, mine, rep)
        _open_rows(p, v, res, rep)
        values.append(v)
        results.append(res)
        vspecs += mine
        pct |= percent_cells(p.template, p.layout)
    if sign_key is not None and not any(f.code.startswith("signature-") for f in rep.findings):
        ok = True
        for p, v in zip(parts, values):
            signed = prefilled.signed_prefill({"prefill": meta.get(f"prefill.{p.index}", "")}, rep)
            ok &= signed is not None
            prefilled.compare(p.template, p.layout, signed or {}, v, rep, "签名记录中")
        rep.prefill_checked = "signed" if ok else ""
    wanted = formula_cache(form, parts, specs, values, results)
    # the summary, the 分值核对 rows, mirrors and rates (scores were compared above)
    kinds = tuple({s.calc[0] for s in specs if s.calc} - STANDARD) + ("input", "rate", "derived")
    _compare_shown(book, specs, wanted, rep, kinds=kinds)
    presentation.check(book, specs, wanted, rep, app, meta.get("protection_hash", ""), shown_sheets=shown,
                       helper_sheets=(SHEET_LISTS, SHEET_META))
    presentation.check_validations(book, vspecs, rep, pct, app)
    totals = [r.total for r in results]
    rep.total = None if None in totals else xl_round(sum(totals) / len(totals), SCORE_DECIMALS)
    rep.grade = ""
    for p, v, res in zip(parts, values, results):
        rep.projects.append({"name": p.project.name, "sheet": p.sheet, "budget": v.get(fund_id("total", "year")),
                             "executed": v.get(fund_id("total", "executed")), "rate": res.derived.get("rate"),
                             "total": res.total, "grade": res.grade,
                             "found_total": _get(book, p.sheet, *p.layout.total_cell).value,
                             "funds": {fund_id(r, c): v.get(fund_id(r, c)) for r, _ in FUND_ROWS for c, _ in FUND_COLS},
                             "spec": p.project.spec()})
        for nid, s in res.scores.items():
            rep.scores[f"{p.index:02d}.{nid}"] = s


def _open_rows(part, values: dict, res, rep: FileReport) -> None:
    """Open rows begun but not scorable, and 一级指标 whose rows' 分值 miss their allotment: the sheet
    leaves their scores and 总分 blank, and says so in its 分值核对 rows."""
    t, lay = part.template, part.layout
    for n in t.leaves():
        if n.kind == "open" and n.id not in res.unused and res.scores[n.id] is None:
            why = rule_for(n).problems(n, slot_values(n, values, res.derived))
            typed = str(values.get(f"{n.id}.name") or "").strip()
            rep.add("open-row-incomplete", sheet=lay.table_sheet, cell=cell(lay.leaf_rows[n.id].row, COL["level3"]),
                    detail=f"{typed}（{n.name}）：{'；'.join(why)}" if typed else f"{n.name}：{'；'.join(why)}")
    names = {n.id: n.name for n in t.indicators}
    for nid, typed, allot in allotment_gaps(t, res):
        rep.add("allotment-mismatch", sheet=lay.table_sheet, cell=cell(check_row(lay, nid), COL["weight"]),
                detail=f"{names[nid]}为 {typed:g} 分，应为 {allot:g} 分", expected=allot, found=typed)


def _projects(meta: dict[str, str]) -> list[Project] | None:
    try:
        n = int(meta.get("projects", ""))
        if not 1 <= n <= MAX_PROJECTS:
            return None
        return [Project.from_spec(json.loads(meta[f"project.{i}"])) for i in range(1, n + 1)]
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
