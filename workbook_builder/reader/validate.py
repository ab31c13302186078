"""Validate one returned workbook: identify, verify, recompute, compare, and report with cells."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..cells import all_cells, fingerprint_of, formula_values, validations
from ..layout import SHEET_GUIDE, SHEET_INPUTS, SHEET_LISTS, SHEET_META, SHEET_TABLE, build_layout, safe_filename
from ..loader import is_shipped, load_template, template_paths
from ..macros import CHECK_SHEET, CONF_SHEET
from ..model import Template
from ..paths import ENV
from . import macro_sheets, prefilled, presentation
from .compare import _check_sheet, _compare_locked, _compare_shown, _identify, _identity, _sheets, _year
from .container import Refused
from .describe import percent_cells
from .extras import read_extras
from .findings import FileReport
from .package import open_workbook
from .xlsx import Book, _parse, read_book

EXPECTED_SHEETS = (SHEET_GUIDE, SHEET_INPUTS, SHEET_TABLE, SHEET_LISTS, SHEET_META)


def shipped_templates() -> dict[str, Template]:
    """Templates the reader knows by id: the shipped ones and those in the bureau's folders."""
    return _templates(os.environ.get(ENV, ""))


@lru_cache(maxsize=8)
def _templates(search_path: str) -> dict[str, Template]:
    out: dict[str, Template] = {}
    for p in sorted(template_paths(), key=is_shipped):  # the bureau's folders win, as in build (loader.find_template)
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
            c = open_workbook(path)  # the zip, every member checked, and its parts as Excel resolves them
            book = read_book(c)  # every sheet: a project workbook has one per project
            book.render = read_extras(c, book)
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
        except Exception:  # noqa: BLE001 - the reader never raises: anything else is a finding too
            _drop_results(rep)
            rep.add("unreadable", detail="读取时出现意外错误，请在 Excel 或 WPS 中重新保存后再提交")
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
            PermissionError: "没有读取权限"}.get(type(e), "系统错误")


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
    """The application that last saved the file, from its extended properties (docProps/app.xml; '' if unknown)."""
    part = c.package.part("app") if c.package is not None else "docProps/app.xml"
    if not part or not c.has(part):
        return ""
    try:
        root = _parse(c, part)
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
        validate_projects(book, meta, rep, sign_key, vba, app)
        return
    t = _identify(shipped_templates().get(rep.template), rep)
    if t is None:
        return
    variant = meta.get("variant", "xlsx")
    expected_sheets = EXPECTED_SHEETS + ((CHECK_SHEET, CONF_SHEET) if variant.startswith("xlsm") else ())
    if vba and not variant.startswith("xlsm"):
        rep.add("macros-present", detail="xlsx 模板中出现了 VBA 项目")
    _sheets(book, expected_sheets, rep)
    if SHEET_TABLE not in book.sheets or SHEET_INPUTS not in book.sheets:
        return
    year = _year(rep.year)
    if year is None:
        rep.add("metadata-edited", sheet=SHEET_META, detail=f"年度“{rep.year[:20]}”无效")
        return
    lay = layout_for(t)
    udf_cells = variant == "xlsm-udf"
    specs = all_cells(t, lay, rep.department, year, udf_cells)
    fp = fingerprint_of(t, specs)
    _identity(meta, fp, year, sign_key, rep)

    _compare_locked(book, specs, rep)
    vspecs = validations(t, lay)
    values, res = _check_sheet(book, t, lay, vspecs, rep)
    rep.inputs = {k: v for k, v in values.items() if isinstance(v, (int, float, str))}
    if sign_key is not None and not any(f.code.startswith("signature-") for f in rep.findings):
        signed = prefilled.signed_prefill(meta, rep)
        if signed is not None:
            prefilled.compare(t, lay, signed, values, rep, "签名记录中")
            rep.prefill_checked = "signed"
    rep.total, rep.grade = res.total, res.grade
    rep.scores = dict(res.scores)
    wanted = formula_values(t, specs, values, res)
    _compare_shown(book, specs, wanted, rep)
    presentation.check(book, specs, wanted, rep, app, meta.get("protection_hash", ""))
    presentation.check_validations(book, vspecs, rep, percent_cells(t, lay), app)
    if variant.startswith("xlsm"):
        macro_sheets.check_conf(book, rep)
        macro_sheets.check_results_sheet(book, rep)  # last: it compares the sheet's claim with every finding
