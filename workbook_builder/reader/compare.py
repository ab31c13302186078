"""Comparing a returned sheet with what it should hold: locked cells, inputs, recomputed scores,
reasons, names and protection. Shared by the 自评表 reader (validate.py) and the project reader."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from ..cells import CellSpec
from ..crosscheck import checked_input, failures, message
from ..engine import Result, compute, half_cent_ties, rescore, slot_values
from ..layout import SHEET_GUIDE, SHEET_INPUTS, SHEET_LISTS, SHEET_META, SHEET_TABLE, cell
from ..model import Template
from ..numeric import as_value
from ..rules import all_inputs, rule_for
from ..signing import verify
from .findings import FileReport
from .normalize import normalise_formula
from .xlsx import Book, Cell


def _reasons_and_levels(book: Book, t: Template, lay, res, values, rep: FileReport) -> None:
    for n in t.leaves():
        r, c = lay.leaf_rows[n.id].at("reason")
        reason = _get(book, lay.table_sheet, r, c).value
        where = dict(sheet=lay.table_sheet, cell=cell(r, c))
        weight = res.weights.get(n.id) if n.kind == "open" else n.weight  # an open row's 分值 is typed
        if res.needs_reason.get(n.id) and _blank(reason):
            rep.add("reason-missing", detail=n.name, expected=weight, found=res.scores[n.id], **where)
        elif res.needs_reason.get(n.id) and not written_text(reason):
            rep.add("reason-missing", detail=f"{n.name}（只有空格、标点或不可见字符）", expected=weight,
                    found=res.scores[n.id], **where)
        elif res.needs_reason.get(n.id) and len(written_text(reason)) < t.reason_min_length:
            rep.add("reason-too-short", detail=f"{n.name}（至少 {t.reason_min_length} 个字）", found=reason, **where)
        score = as_value(values.get(f"{n.id}.score"))
        rng = rule_for(n).score_bounds(n, slot_values(n, values, res.derived)) if score is not None else None
        if rng and not rng[0] - 1e-9 <= score <= rng[1] + 1e-9:
            sheet, sr, sc = lay.input_cells[f"{n.id}.score"]
            level = values.get(f"{n.id}.actual")
            rep.add("score-outside-level", sheet=sheet, cell=cell(sr, sc), detail=f"{n.name}：{level}",
                    expected=f"{rng[0]:g}～{rng[1]:g}", found=score)


def written_text(value: Any) -> str:
    """What a person wrote: the text without spaces, invisible characters (zero-width, format marks),
    punctuation and symbols (Unicode categories Z*, C*, P*, S*)."""
    return "".join(ch for ch in str(value) if not ch.isspace() and unicodedata.category(ch)[0] not in "ZCPS")


def _compare_shown(book: Book, specs: list[CellSpec], wanted: dict[tuple[str, int, int], Any], rep: FileReport,
                   kinds: tuple[str, ...] = ("input", "rate", "derived")) -> None:
    """Cached values of the formula cells the score checks do not cover (the 自评表's mirrors of inputs and
    of derived figures, its completion rates): what LibreOffice and viewers show is what the inputs give."""
    if not book.has_cached_values():
        return
    done = {(f.sheet, f.cell) for f in rep.findings if f.code == "cached-value-mismatch"}
    for s in specs:
        if s.formula is None or not s.calc or s.calc[0] not in kinds or (s.sheet, s.ref) in done:
            continue
        got = _get(book, s.sheet, s.row, s.col)
        w = wanted.get((s.sheet, s.row, s.col))
        if w is None and s.calc[0] == "derived" and got.value == 0 and not isinstance(got.value, bool):
            continue  # a plain reference to a blank figure: LibreOffice shows 0 after an .ods round trip
        if got.formula is not None and not _same_value("" if w is None else w, got.value):
            rep.add("cached-value-mismatch", sheet=s.sheet, cell=cell(s.row, s.col), expected=w, found=got.value)


def _identify(found, rep: FileReport):
    """The template (or project form) the file's _meta names, ``found`` by its id: None, with the
    finding, when it is unknown or of another version."""
    if found is None:
        rep.add("template-unknown", sheet=SHEET_META, found=rep.template)
        return None
    if found.version != rep.version:
        rep.add("template-version-unknown", sheet=SHEET_META, found=rep.version, expected=found.version,
                extra={"template": found.id})
        return None
    return found


def _sheets(book: Book, expected: tuple[str, ...], rep: FileReport) -> None:
    """Every expected sheet is there and no other."""
    for name in expected:
        if name not in book.sheets:
            rep.add("sheet-missing", sheet=name)
    for name in book.sheets:
        if name not in expected:
            rep.add("sheet-added", sheet=name)


def _identity(meta: dict[str, str], fp: str, year: int, key: bytes | None, rep: FileReport) -> None:
    """The _meta fingerprint is ``fp``, this content's; with the bureau's key, the signature must be there
    and sign this content, department and year."""
    if meta.get("fingerprint") != fp:
        rep.add("metadata-edited", sheet=SHEET_META, expected=fp, found=meta.get("fingerprint"))
    if key is None:
        return
    if not meta.get("signature"):
        rep.add("signature-missing", sheet=SHEET_META)
    elif not verify(meta["signature"], fp, rep.department, year, key, meta.get("prefill", "")):
        rep.add("signature-invalid", sheet=SHEET_META)


def _year(text: str) -> int | None:
    t = text.strip()
    if t.endswith(".0"):
        t = t[:-2]
    return int(t) if t.isascii() and t.isdigit() and 1900 <= int(t) <= 2200 else None


def _get(book: Book, sheet: str, r: int, c: int) -> Cell:
    return book.sheets[sheet].cells.get((r, c)) or Cell()


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)
    if _blank(a) and _blank(b):
        return True
    return isinstance(a, str) and isinstance(b, str) and a.strip() == b.strip()


def _compare_locked(book: Book, specs: list[CellSpec], rep: FileReport,
                    sheets: tuple[str, ...] = (SHEET_GUIDE, SHEET_INPUTS, SHEET_TABLE, SHEET_LISTS)) -> None:
    expected: dict[tuple[str, int, int], CellSpec] = {}
    for s in specs:
        expected[(s.sheet, s.row, s.col)] = s
        if s.merge_to:
            for r in range(s.row, s.merge_to[0] + 1):
                for c in range(s.col, s.merge_to[1] + 1):
                    expected.setdefault((s.sheet, r, c), CellSpec(s.sheet, r, c, None, locked=s.locked,
                                                                  input_id=s.input_id))
    for (sheet, r, c), s in expected.items():
        if not s.locked or sheet not in book.sheets:
            continue
        got = _get(book, sheet, r, c)
        where = dict(sheet=sheet, cell=cell(r, c))
        if s.formula:
            if got.formula is None:
                rep.add("formula-replaced", expected="=" + s.formula, found=got.value, **where)
            elif normalise_formula(got.formula) != normalise_formula(s.formula):
                rep.add("formula-edited", expected="=" + s.formula, found="=" + got.formula, **where)
        elif got.formula is not None or not _same_value(s.value, got.value):
            rep.add("locked-value-changed", expected=s.value, found=("=" + got.formula) if got.formula else got.value, **where)
    for sheet in sheets:
        if sheet not in book.sheets:
            continue
        for (r, c), got in sorted(book.sheets[sheet].cells.items()):
            if (sheet, r, c) not in expected and (got.formula is not None or not _blank(got.value)):
                rep.add("unexpected-content", sheet=sheet, cell=cell(r, c),
                        found=("=" + got.formula) if got.formula else got.value)


def _names(book: Book, lay, rep: FileReport) -> None:
    norm = lambda ref: ref.replace("$", "").replace("'", "").lstrip("=")  # noqa: E731
    for name, ref in lay.defined_names().items():
        got = book.defined_names.get(name)
        if got is None or norm(got) != norm(ref):
            rep.add("defined-name-changed", detail=name, expected=ref, found=got)


def _protection(book: Book, lay, rep: FileReport, vspecs: list) -> None:
    """The layout's sheets are protected and every input cell we validated (``vspecs``) still is."""
    for sheet in dict.fromkeys((lay.inputs_sheet, lay.table_sheet)):
        if not book.sheets[sheet].protected:
            rep.add("protection-removed", sheet=sheet)
    ids = {loc: iid for iid, loc in lay.input_cells.items()}
    for v in vspecs:
        if (v.row, v.col) not in book.sheets[v.sheet].validated:
            rep.add("validation-removed", sheet=v.sheet, cell=cell(v.row, v.col), detail=ids.get((v.sheet, v.row, v.col), ""))


def _read_inputs(book: Book, t: Template, lay, rep: FileReport) -> dict[str, Any]:
    values: dict[str, Any] = {}
    decl = {i.id: i for i in all_inputs(t)}
    open_rows = {n.id: n.kind == "open" for n in t.leaves()}
    for iid, (sheet, r, c) in lay.input_cells.items():
        inp = decl[iid]
        got = _get(book, sheet, r, c)
        v = got.value
        where = dict(sheet=sheet, cell=cell(r, c), found=v)
        if got.formula is not None:
            rep.add("input-formula", detail=inp.label, sheet=sheet, cell=cell(r, c), found="=" + got.formula)
        if isinstance(v, bool):
            rep.add("not-a-number" if inp.numeric else "value-not-in-list",
                    detail=f"{inp.label}（填写了逻辑值 {'TRUE' if v else 'FALSE'}）", **where)
            values[iid] = v
            continue
        if _blank(v):
            if inp.required:
                rep.add("required-missing", detail=inp.label, **where)
            if v and open_rows.get(inp.leaf):  # a space still begins an open row, as LEN() sees it
                values[iid] = v
            continue
        values[iid] = v
        if inp.choices or inp.type == "choice":
            if str(v) not in inp.choices:
                rep.add("value-not-in-list", detail=f"{inp.label}（可选：{'、'.join(inp.choices)}）", **where)
        elif inp.numeric:
            if isinstance(v, str):
                rep.add("not-a-number", detail=inp.label, **where)
            elif not inp.bounds[0] <= v <= inp.bounds[1]:  # the cell's own validation range (NaN too)
                rep.add("value-out-of-range", detail=_range_text(inp, v), **where)
            elif inp.type == "integer" and not float(v).is_integer():
                rep.add("value-out-of-range", detail=f"{inp.label} 应为整数", **where)
    return values


def _range_text(inp, v) -> str:
    """``label（allowed range）``, percents as percents; a percent typed as 95 is said to mean 9500%."""
    from .describe import limits, number
    pct = inp.type == "percent"
    typed = f"，填写的 {number(v)} 即 {number(v, True)}" if pct else ""
    return f"{inp.label}（允许 {limits(*inp.bounds, pct)}{typed}）"


def _shown_scores(book: Book, t: Template, lay, res, values) -> tuple[dict[str, Any], float, str]:
    """The scores an honest application may show: the engine's, except that a leaf on a half-cent
    may show 0.01 less or more (Gnumeric, docs/numeric.md); subtotals and total then follow it."""
    leaves = {n.id: res.scores[n.id] for n in t.leaves()}
    moved = False
    ties = None
    for nid, w in leaves.items():
        got = _get(book, lay.table_sheet, *lay.score_cells[nid]).value
        if isinstance(w, float) and isinstance(got, float) and abs(abs(got - w) - 0.01) < 1e-9:
            ties = half_cent_ties(t, values, res.derived) if ties is None else ties
            if nid in ties:
                leaves[nid], moved = got, True
    if not moved:
        return res.scores, res.total, res.grade
    return rescore(t, leaves, res.unused, res.weights)


def _check_sheet(book: Book, t: Template, lay, vspecs: list, rep: FileReport) -> tuple[dict[str, Any], Result]:
    """One layout's protection, names, typed inputs, cross-checks, recomputed and shown scores, reasons
    and levels; its input values and the engine's result."""
    _protection(book, lay, rep, vspecs)
    _names(book, lay, rep)
    values = _read_inputs(book, t, lay, rep)
    for chk in failures(t, values):
        sheet, r, c = lay.input_cells[checked_input(chk)]
        rep.add("cross-check-failed", sheet=sheet, cell=cell(r, c), detail=message(t, chk))
    res = compute(t, values)
    _compare_computed(book, t, lay, res, rep, values)
    _reasons_and_levels(book, t, lay, res, values, rep)
    return values, res


def _compare_computed(book: Book, t: Template, lay, res, rep: FileReport, values) -> None:
    tr, tc = lay.total_cell
    gr, gc = lay.grade_cell
    S = lay.table_sheet
    rep.found_total = _get(book, S, tr, tc).value
    rep.found_grade = _get(book, S, gr, gc).value
    if not book.has_cached_values():
        rep.add("not-recalculated", sheet=S, cell=cell(tr, tc), expected=res.total, found=rep.found_total)
        return
    scores, total, grade = _shown_scores(book, t, lay, res, values)
    want: dict[tuple[str, int, int], Any] = {}
    for did, (r, c) in lay.derived_cells.items():
        want[(lay.inputs_sheet, r, c)] = res.derived[did]
    for nid, (r, c) in lay.score_cells.items():
        want[(S, r, c)] = scores[nid]
    want[(S, tr, tc)] = total
    want[(S, gr, gc)] = grade
    for (sheet, r, c), w in want.items():
        got = _get(book, sheet, r, c)
        if got.formula is None:
            continue  # already reported as formula-replaced
        if not _same_value("" if w is None else w, got.value):
            rep.add("cached-value-mismatch", sheet=sheet, cell=cell(r, c), expected=w, found=got.value)
    ft, fg = rep.found_total, rep.found_grade
    if isinstance(ft, (int, float)) and not isinstance(ft, bool) and isinstance(fg, str) and fg != t.grade_for(ft):
        rep.add("grade-mismatch", sheet=S, cell=cell(gr, gc), expected=t.grade_for(ft), found=fg)
