"""Validate one returned workbook: identify, verify, recompute, compare, and report with cells."""

from __future__ import annotations

from functools import lru_cache
import math
import os
import re
from pathlib import Path
from typing import Any

from ..cells import CellSpec, all_cells, fingerprint_of, formula_values, validations
from ..crosscheck import checked_input, failures, message
from ..engine import compute, half_cent_ties, rescore
from ..layout import (SHEET_GUIDE, safe_filename, SHEET_INPUTS, SHEET_LISTS, SHEET_META, SHEET_TABLE, build_layout,
                      cell)
from ..loader import load_template, template_paths
from ..paths import ENV
from ..macros import CHECK_SHEET, CONF_SHEET
from ..model import Template
from ..numeric import as_value
from ..rules import all_inputs, rule_for
from . import presentation
from ..signing import verify
from .container import Refused, open_container
from .findings import FileReport
from .normalize import normalise_formula
from .xlsx import Book, Cell, _parse, read_book

EXPECTED_SHEETS = (SHEET_GUIDE, SHEET_INPUTS, SHEET_TABLE, SHEET_LISTS, SHEET_META)


def shipped_templates() -> dict[str, Template]:
    """Templates the reader knows by id: the shipped ones and those in the bureau's folders."""
    return _templates(os.environ.get(ENV, ""))


@lru_cache(maxsize=8)
def _templates(search_path: str) -> dict[str, Template]:
    out: dict[str, Template] = {}
    for p in template_paths():
        try:
            t = load_template(p)
        except Exception:  # noqa: BLE001 - a broken template in a folder hides only itself
            continue
        out.setdefault(t.id, t)
    return out


@lru_cache(maxsize=64)
def _layout(tid: str, version: str, search_path: str = ""):
    return build_layout(shipped_templates()[tid])


def layout_for(t: Template):
    return _layout(t.id, t.version, os.environ.get(ENV, ""))


#: seconds one file may take before it is refused with ``too-slow``
TIME_LIMIT = 10.0


class _TooSlow(BaseException):
    pass


def validate_file(path: str | Path, sign_key: bytes | None = None, time_limit: float | None = TIME_LIMIT) -> FileReport:
    """Never modifies the file and never raises: every problem becomes a finding of the report.

    ``time_limit`` bounds the seconds spent on the file (in the main thread of a POSIX process).
    """
    path = Path(path)
    rep = FileReport(file=str(path))
    with _deadline(time_limit):
        try:
            c = open_container(path)
            book = read_book(c)  # every sheet: a project workbook has one per project
            if book.external_links:
                raise Refused("external-links", "、".join(sorted(set(book.external_links)))[:200])
            _validate(book, rep, sign_key, c.vba, application(c))
            _file_name(path, rep)
        except Refused as e:
            _drop_results(rep)
            rep.add(e.code, detail=e.detail)
        except _TooSlow:
            _drop_results(rep)
            rep.add("too-slow", detail=f"{time_limit:g} 秒")
        except MemoryError:
            _drop_results(rep)
            rep.add("unreadable", detail="读取所需内存过多")
        except (FileNotFoundError, IsADirectoryError, PermissionError) as e:
            rep.add("unreadable", detail=f"无法打开文件（{_os_reason(e)}）")
        except Exception as e:  # noqa: BLE001 - the reader never raises: anything else is a finding too
            _drop_results(rep)
            rep.add("unreadable", detail=f"读取时出错（{type(e).__name__}）")
    return rep


_REGION = re.compile(r"^(.{1,8}?[省市县区旗州盟])")


def _file_name(path: Path, rep: FileReport) -> None:
    """A warning when the file's name names another department or year than its content."""
    if not rep.department:
        return
    stem = path.stem
    years = set(re.findall(r"(?<!\d)(20\d\d)(?!\d)", stem))
    dept = rep.department
    other_year = bool(years) and rep.year not in years
    m = re.match(r"^(.+?)-(20\d\d)$", stem)
    prefix = m.group(1) if m else ""
    region = _REGION.match(stem)
    other_dept = (prefix and prefix not in dept and dept not in prefix and safe_filename(dept) != prefix) or \
        (not prefix and region is not None and region.group(1) not in dept)
    if other_year or other_dept:
        rep.add("file-name-mismatch", found=path.name, expected=f"{dept} {rep.year}")



def _drop_results(rep: FileReport) -> None:
    """A file refused mid-way keeps its identity and errors, but no partial results (total, scores, warnings)."""
    rep.findings = [f for f in rep.findings if f.severity == "error"]
    rep.total, rep.grade, rep.scores = None, "", {}


def _os_reason(e: OSError) -> str:
    return {FileNotFoundError: "文件不存在", IsADirectoryError: "这是一个文件夹",
            PermissionError: "没有读取权限"}.get(type(e), type(e).__name__)


class _deadline:
    """SIGALRM after ``seconds`` raises _TooSlow, where a POSIX main thread allows it; else does nothing."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.armed = False

    def __enter__(self):
        import signal
        import threading
        if not self.seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
            return self
        if signal.getitimer(signal.ITIMER_REAL)[0]:
            return self  # someone else's timer is running: leave it alone
        self.old = signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        self.armed = True
        return self

    @staticmethod
    def _fire(signum, frame):
        raise _TooSlow()

    def __exit__(self, *exc):
        if self.armed:
            import signal
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
        return False


def read_meta(book: Book) -> dict[str, str]:
    sh = book.sheets.get(SHEET_META)
    if sh is None:
        return {}
    rows: dict[int, dict[int, Any]] = {}
    for (r, c), v in sh.cells.items():
        rows.setdefault(r, {})[c] = v.value
    return {str(cols.get(0)): "" if cols.get(1) is None else str(cols.get(1)) for cols in rows.values() if cols.get(0)}


def application(c) -> str:
    """The application that last saved the file, from docProps/app.xml ('' if unknown)."""
    if not c.has("docProps/app.xml"):
        return ""
    try:
        root = _parse(c, "docProps/app.xml")
    except Refused:
        return ""
    for el in root.iter():
        if el.tag.endswith("}Application") or el.tag == "Application":
            return (el.text or "").strip()[:80]
    return ""


def _validate(book: Book, rep: FileReport, sign_key: bytes | None, vba: bool = False, app: str = "") -> None:
    meta = read_meta(book)
    if not meta.get("template_id"):
        rep.add("metadata-missing", sheet=SHEET_META)
        return
    rep.template, rep.version = meta["template_id"], meta.get("template_version", "")
    rep.department, rep.year = meta.get("department", ""), meta.get("year", "")
    if meta.get("kind") == "project":
        from .projects import validate_projects
        validate_projects(book, meta, rep, vba, app)
        return
    templates = shipped_templates()
    t = templates.get(rep.template)
    if t is None:
        rep.add("template-unknown", sheet=SHEET_META, found=rep.template)
        return
    if t.version != rep.version:
        rep.add("template-version-unknown", sheet=SHEET_META, found=rep.version, expected=t.version,
                extra={"template": t.id})
        return
    variant = meta.get("variant", "xlsx")
    expected_sheets = EXPECTED_SHEETS + ((CHECK_SHEET, CONF_SHEET) if variant.startswith("xlsm") else ())
    if vba and not variant.startswith("xlsm"):
        rep.add("macros-present", detail="xlsx 模板中出现了 VBA 项目")
    for name in expected_sheets:
        if name not in book.sheets:
            rep.add("sheet-missing", sheet=name)
    for name in book.sheets:
        if name not in expected_sheets:
            rep.add("sheet-added", sheet=name)
    if SHEET_TABLE not in book.sheets or SHEET_INPUTS not in book.sheets:
        return
    year = _year(rep.year)
    if year is None:
        rep.add("metadata-edited", sheet=SHEET_META, detail=f"year={rep.year[:20]!r}")
        return
    lay = layout_for(t)
    udf_cells = variant == "xlsm-udf"
    specs = all_cells(t, lay, rep.department, year, udf_cells)
    fp = fingerprint_of(t, specs)
    if meta.get("fingerprint") != fp:
        rep.add("metadata-edited", sheet=SHEET_META, expected=fp, found=meta.get("fingerprint"))
    if sign_key is not None:
        if not meta.get("signature"):
            rep.add("signature-missing", sheet=SHEET_META)
        elif not verify(meta["signature"], fp, rep.department, year, sign_key):
            rep.add("signature-invalid", sheet=SHEET_META)

    _compare_locked(book, specs, rep)
    _protection(book, lay, rep)
    _names(book, lay, rep)
    values = _read_inputs(book, t, lay, rep)
    for chk in failures(t, values):
        sheet, r, c = lay.input_cells[checked_input(chk)]
        rep.add("cross-check-failed", sheet=sheet, cell=cell(r, c), detail=message(t, chk))
    res = compute(t, values)
    rep.total, rep.grade = res.total, res.grade
    rep.scores = dict(res.scores)
    _compare_computed(book, t, lay, res, rep, values)
    _reasons_and_levels(book, t, lay, res, values, rep)
    presentation.check(book, specs, formula_values(t, specs, values, res), rep, app, meta.get("protection_hash", ""))
    presentation.check_validations(book, validations(t, lay), rep)


def _reasons_and_levels(book: Book, t: Template, lay, res, values, rep: FileReport) -> None:
    for n in t.leaves():
        r, c = lay.leaf_rows[n.id].at("reason")
        reason = _get(book, lay.table_sheet, r, c).value
        where = dict(sheet=lay.table_sheet, cell=cell(r, c))
        if res.needs_reason.get(n.id) and _blank(reason):
            rep.add("reason-missing", detail=n.name, expected=n.weight, found=res.scores[n.id], **where)
        elif res.needs_reason.get(n.id) and len("".join(str(reason).split())) < t.reason_min_length:
            rep.add("reason-too-short", detail=f"{n.name}（至少 {t.reason_min_length} 个字）", found=reason, **where)
        rule = rule_for(n)
        level, score = values.get(f"{n.id}.actual"), as_value(values.get(f"{n.id}.score"))
        bounds = getattr(rule, "score_range", None)
        rng = bounds(n, level) if bounds and isinstance(level, str) else None
        if rng and score is not None and not rng[0] - 1e-9 <= score <= rng[1] + 1e-9:
            sheet, sr, sc = lay.input_cells[f"{n.id}.score"]
            rep.add("score-outside-level", sheet=sheet, cell=cell(sr, sc), detail=f"{n.name}：{level}",
                    expected=f"{rng[0]:g}～{rng[1]:g}", found=score)


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


def _protection(book: Book, lay, rep: FileReport) -> None:
    for sheet in dict.fromkeys((lay.inputs_sheet, lay.table_sheet)):
        if not book.sheets[sheet].protected:
            rep.add("protection-removed", sheet=sheet)
    free_text = {i.id for i in all_inputs(lay.template) if i.type == "text"}  # these carry no validation
    for iid, (sheet, r, c) in lay.input_cells.items():
        if iid not in free_text and (r, c) not in book.sheets[sheet].validated:
            rep.add("validation-removed", sheet=sheet, cell=cell(r, c), detail=iid)


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
            elif (inp.min is not None and v < inp.min) or (inp.max is not None and v > inp.max):
                rep.add("value-out-of-range", detail=f"{inp.label}（{inp.min if inp.min is not None else ''}～{inp.max if inp.max is not None else ''}）", **where)
            elif inp.type == "integer" and not float(v).is_integer():
                rep.add("value-out-of-range", detail=f"{inp.label} 应为整数", **where)
    return values


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
