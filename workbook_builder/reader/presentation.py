"""What the reviewer sees is what the reader checked: the rendering of a returned workbook.

Values can be right while the display lies. For every locked cell a reviewer reads (names, weights,
targets, rubric text, formulas' results, the 填报说明) and every input cell, these checks compare what
decides the display with what the template renders: the number format (and any conditional format's,
and the colour a format paints), the font (allow-listed) and its colour against every colour the fill
may take, alignment, hidden rows and columns, the visibility and order of sheets, the lock of each cell,
the sheet protection options and the workbook structure lock; and they refuse the ambiguities that
would let Excel and this reader see two different workbooks (duplicate or sheet-local names, cells
outside the table, phonetic runs on locked text). What is drawn over and around the cells (merges,
objects, messages, sizes, printing, views) is rendering.py's.
"""

from __future__ import annotations

import re
from typing import Any

from ..cells import CellSpec, ValidationSpec
from ..formats import STYLES
from ..layout import SHEET_GUIDE, SHEET_INPUTS, SHEET_LISTS, SHEET_META, SHEET_TABLE, cell
from . import describe, fonts, rendering
from .findings import FileReport
from .normalize import normalise_formula
from .numfmt import colour_of, same_display, shown
from .rendering import MIN_CONTRAST, MIN_FONT_SIZE
from .styles import contrast_of
from .xlsx import Book, Cell

SHOWN_SHEETS = (SHEET_GUIDE, SHEET_INPUTS, SHEET_TABLE)
HELPER_SHEETS = (SHEET_LISTS, SHEET_META)
MAX_INDENT = 4  # the template indents nothing; a deep indent pushes a value out of its cell
#: sheet protection permissions (OOXML attribute = "0" means the action is allowed)
PERMISSIONS = ("formatCells", "formatColumns", "formatRows", "insertColumns", "insertRows", "insertHyperlinks",
               "deleteColumns", "deleteRows", "sort", "autoFilter", "pivotTables")
OUR_PERMISSIONS = {"formatColumns", "formatRows"}
PERMISSION_TEXT = {"formatCells": "设置单元格格式", "formatColumns": "设置列格式", "formatRows": "设置行格式",
                   "insertColumns": "插入列", "insertRows": "插入行", "insertHyperlinks": "插入超链接",
                   "deleteColumns": "删除列", "deleteRows": "删除行", "sort": "排序", "autoFilter": "筛选",
                   "pivotTables": "数据透视表"}
#: applications known to drop what their honest re-save cannot keep (docs/findings.md)
DROPS_STRUCTURE_LOCK = ("libreoffice", "gnumeric")
#: Gnumeric shows very hidden sheets and LibreOffice keeps what it opened, so after any chain of their
#: saves the helper sheets may be visible
SHOWS_HELPER_SHEETS = ("gnumeric", "libreoffice")
#: Gnumeric keeps sheet protection but drops its password; LibreOffice keeps that (a Gnumeric → LibreOffice
#: chain). A password removed is honest after them; a different password never is.
DROPS_PASSWORD = ("gnumeric", "libreoffice")
#: Gnumeric, reading a LibreOffice-saved file, keeps a list or custom-formula validation's messages but
#: not its rule (type "none", no formula); LibreOffice keeps that when it saves the file again
DROPS_FORMULA_VALIDATION = ("gnumeric", "libreoffice")


def _expected_format(spec: CellSpec) -> str:
    return STYLES.get(spec.style, {}).get("num_format", "General")


def _shown_value(spec: CellSpec, got: Cell, want: Any) -> Any:
    if spec.formula:
        return want if want not in (None, "") else got.value
    if spec.input_id is not None:
        return got.value  # what the department typed (None: the probes still test the format)
    return spec.value


def check(book: Book, specs: list[CellSpec], wanted: dict[tuple[str, int, int], Any], rep: FileReport,
          application: str = "", password_hash: str = "", shown_sheets: tuple[str, ...] = SHOWN_SHEETS,
          helper_sheets: tuple[str, ...] = HELPER_SHEETS) -> None:
    """All presentation checks; ``wanted`` holds what each formula cell should show.

    ``shown_sheets`` and ``helper_sheets`` are the workbook's visible and hidden sheets, in order.
    """
    app = application.lower()
    _sheets(book, rep, app, shown_sheets, helper_sheets)
    _names(book, rep)
    for name in shown_sheets + helper_sheets:
        sh = book.sheets.get(name)
        if sh is not None and sh.stray_cells > 0:
            rep.add("content-outside-table", sheet=name, detail=f"{sh.stray_cells} 个单元格")
    _protection(book, rep, app, password_hash, shown_sheets)
    st = book.styles
    flagged_rows: set[tuple[str, int]] = set()
    flagged_cols: set[tuple[str, int]] = set()
    wanted_cells: dict[str, set[tuple[int, int]]] = {}
    for s in specs:
        wanted_cells.setdefault(s.sheet, set()).add((s.row, s.col))
    cf_at = {name: _cond_formats_at(book.sheets[name], cells) for name, cells in wanted_cells.items()
             if name in book.sheets}
    hidden_xf: dict[int, bool] = {}
    bad_font: dict[int, str] = {}
    for s in specs:
        if s.sheet not in shown_sheets or s.sheet not in book.sheets:
            continue
        sh = book.sheets[s.sheet]
        got = sh.cells.get((s.row, s.col)) or Cell()
        where = dict(sheet=s.sheet, cell=cell(s.row, s.col))
        xf = st.xf(got.style)
        if s.locked and not xf.locked:
            rep.add("cell-unlocked", **where)
        has_content = s.formula is not None or s.value not in (None, "") or s.input_id is not None
        if not has_content:
            continue
        if s.row in sh.hidden_rows and (s.sheet, s.row) not in flagged_rows:
            flagged_rows.add((s.sheet, s.row))
            rep.add("row-hidden", detail=f"第 {s.row + 1} 行", **where)
        if s.col in sh.hidden_cols and (s.sheet, s.col) not in flagged_cols:
            flagged_cols.add((s.sheet, s.col))
            rep.add("column-hidden", detail=f"{cell(0, s.col)[:-1]} 列", **where)
        if got.phonetic:
            rep.add("phonetic-text", **where)
        value = _shown_value(s, got, wanted.get((s.sheet, s.row, s.col)))
        exp = _expected_format(s)
        if (value is not None or s.input_id is not None) and not same_display(value, exp, xf.num_fmt):
            rep.add("number-format-changed", expected=shown(value, exp) if value is not None else "（空白）",
                    found=_display(value, xf.num_fmt) if value is not None else f"填写后按格式 {xf.num_fmt[:40]} 显示",
                    detail=xf.num_fmt[:40], **where)
        if got.style not in hidden_xf:
            hidden_xf[got.style] = xf.font_size < MIN_FONT_SIZE or contrast_of(xf.font.colours, xf.fills) < MIN_CONTRAST
            bad_font[got.style] = fonts.not_allowed(xf.font, st)
        shows = s.input_id is None or value not in (None, "")
        painted = colour_of(value, xf.num_fmt, st.palette) if shows else None
        if painted and contrast_of((painted,), xf.fills) < MIN_CONTRAST:
            rep.add("text-invisible", detail=f"数字格式 {xf.num_fmt[:40]} 的颜色 {painted}，底色 {_colours(xf.fills, '无')}",
                    **where)
        if xf.align.get("horizontal") == "fill" or _int(xf.align.get("indent")) > MAX_INDENT:
            rep.add("alignment-changed", detail="填充对齐（重复显示内容）" if xf.align.get("horizontal") == "fill"
                    else f"缩进 {xf.align.get('indent')}", **where)
        if hidden_xf[got.style] and shows:
            rep.add("text-invisible", detail=f"字号 {xf.font_size:g}，字体颜色 {_colours(xf.font.colours, '自动')}，"
                                               f"底色 {_colours(xf.fills, '无')}", **where)
        if bad_font[got.style] and shows:
            rep.add("font-not-allowed", found=bad_font[got.style], **where)
        for dxf_ids in cf_at[s.sheet].get((s.row, s.col), ()):
            for i in dxf_ids:
                d = st.dxf(i)
                if d is None:
                    continue
                if d.num_fmt is not None and value is not None and not same_display(value, exp, d.num_fmt):
                    rep.add("conditional-format-hides", detail=f"数字格式 {d.num_fmt[:40]}",
                            found=_display(value, d.num_fmt), expected=shown(value, exp), **where)
                painted = colour_of(value, d.num_fmt, st.palette) if d.num_fmt and value is not None else None
                if painted and contrast_of((painted,), d.fills or xf.fills) < MIN_CONTRAST:
                    rep.add("conditional-format-hides", detail=f"数字格式 {d.num_fmt[:40]} 的颜色 {painted}", **where)
                font = d.font_colours or xf.font.colours
                fill = d.fills or xf.fills
                if (d.font_colours or d.fills) and contrast_of(font, fill) < MIN_CONTRAST:
                    rep.add("conditional-format-hides", detail=f"字体颜色 {_colours(font, '自动')}，底色 {_colours(fill, '无')}",
                            **where)
    rendering.check(book, specs, wanted, rep, shown_sheets, app)


def _int(v) -> int:
    try:
        return int(v or 0)
    except ValueError:
        return 99


def _colours(cands: tuple[str, ...], none: str) -> str:
    return "、".join(cands) if cands else none


def _cond_formats_at(sh, cells: set[tuple[int, int]]) -> dict[tuple[int, int], list[list[int]]]:
    """For the cells that matter, the dxf ids of every conditional format covering each of them."""
    out: dict[tuple[int, int], list[list[int]]] = {}
    for ranges, dxf_ids in sh.cond_formats:
        if not dxf_ids:
            continue
        for r1, c1, r2, c2 in ranges:
            if (r2 - r1 + 1) * (c2 - c1 + 1) <= len(cells):
                hits = [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) in cells]
            else:
                hits = [(r, c) for r, c in cells if r1 <= r <= r2 and c1 <= c <= c2]
            for rc in hits:
                out.setdefault(rc, []).append(dxf_ids)
    return out


def _display(value, code: str) -> str:
    out = shown(value, code)
    return f"格式 {code[:40]}" if out is None else out


def _sheets(book: Book, rep: FileReport, app: str, shown_sheets: tuple[str, ...], helper_sheets: tuple[str, ...]) -> None:
    for name in shown_sheets:
        sh = book.sheets.get(name)
        if sh is not None and sh.state != "visible":
            rep.add("sheet-hidden", sheet=name, found=sh.state)
    for name in helper_sheets:
        sh = book.sheets.get(name)
        if sh is not None and sh.state == "visible" and not app.startswith(SHOWS_HELPER_SHEETS):
            rep.add("helper-sheet-shown", sheet=name)
    ours = [n for n in book.order if n in shown_sheets + helper_sheets]
    expected = [n for n in shown_sheets + helper_sheets if n in book.sheets]
    first_shown = next((n for n in book.order if book.sheets[n].state == "visible"), None)
    if ours != expected or (first_shown is not None and first_shown not in shown_sheets):
        rep.add("sheet-order-changed", expected="、".join(expected), found="、".join(book.order))


_OUR_NAME = re.compile(r"^(?:P\d+_)?(?:IN_|DV_|SC_|TOTAL_SCORE$|GRADE$)")


def _names(book: Book, rep: FileReport) -> None:
    """Our defined names (layout.defined_names) defined twice, or shadowed by a sheet-local name."""
    for name, what in book.name_problems:
        if _OUR_NAME.match(name):
            rep.add("defined-name-ambiguous", detail=name, found="工作表级名称" if what == "local" else "重复定义")


def _protection(book: Book, rep: FileReport, app: str, password_hash: str, shown_sheets: tuple[str, ...]) -> None:
    if not book.structure_locked and not app.startswith(DROPS_STRUCTURE_LOCK):
        rep.add("structure-unlocked")
    for name in shown_sheets:
        sh = book.sheets.get(name)
        if sh is None or not sh.protected:
            continue  # protection-removed is reported elsewhere
        allowed = {k for k in PERMISSIONS if sh.protection.get(k) in ("0", "false")}
        extra = allowed - OUR_PERMISSIONS
        if extra:
            rep.add("protection-weakened", sheet=name, detail="、".join(PERMISSION_TEXT[k] for k in sorted(extra)))
        found_hash = sh.protection.get("password") or sh.protection.get("hashValue") or ""
        if not found_hash and app.startswith(DROPS_PASSWORD):
            continue
        if found_hash.upper() != password_hash.upper():
            rep.add("protection-password-changed", sheet=name)


def check_validations(book: Book, vspecs: list[ValidationSpec], rep: FileReport,
                      percent_cells: frozenset = frozenset(), application: str = "") -> None:
    """Each input's data validation keeps its kind, limits and list source (a warning: values are checked
    anyway); its messages are the template's (an error: a message is read as the bureau's word).

    ``percent_cells`` ((sheet, row, col) of percent inputs) are described with percents; ``application``
    (docProps/app.xml) is the one that saved the file last (DROPS_FORMULA_VALIDATION)."""
    rendering.check_messages(book, vspecs, rep)
    app = application.lower()
    for v in vspecs:
        sh = book.sheets.get(v.sheet)
        if sh is None:
            continue
        d = _validation_at(sh, v.row, v.col)
        if d is None:
            continue  # validation-removed is reported elsewhere
        if d.kind == "none" and d.formula1 in ("", "0") and d.formula2 in ("", "0") and v.kind in ("list", "custom") \
                and app.startswith(DROPS_FORMULA_VALIDATION):  # LibreOffice writes the lost rule's formulas as 0
            continue
        if not _same_validation(v, d):
            pct = (v.sheet, v.row, v.col) in percent_cells
            rep.add("validation-changed", sheet=v.sheet, cell=cell(v.row, v.col),
                    expected=_describe(v, pct), found=describe.validation(d.kind, d.formula1, d.formula2, pct))


def _validation_at(sh, row: int, col: int):
    index = getattr(sh, "_validation_index", None)
    if index is None:
        index = {}
        for d in sh.validations:
            for r1, c1, r2, c2 in d.ranges:
                if (r2 - r1 + 1) * (c2 - c1 + 1) <= 10_000:
                    for r in range(r1, r2 + 1):
                        for c in range(c1, c2 + 1):
                            index.setdefault((r, c), d)
        sh._validation_index = index
    return index.get((row, col))


def _same_validation(v: ValidationSpec, d) -> bool:
    if d.kind != v.kind:
        return False
    if v.kind in ("list", "custom"):
        return normalise_formula(v.source) == normalise_formula(d.formula1)
    if v.kind == "date":
        return True  # serial numbers or date text: the kind is what matters
    from ..numeric import same_number
    try:
        lo, hi = float(d.formula1), float(d.formula2)
    except ValueError:
        return False
    return same_number(lo, float(v.minimum)) and same_number(hi, float(v.maximum))


def _describe(v: ValidationSpec, percent: bool = False) -> str:
    return describe.validation(v.kind, v.source if v.kind in ("list", "custom") else v.minimum, v.maximum, percent)
