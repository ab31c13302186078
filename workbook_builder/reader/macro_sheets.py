"""The .xlsm variant's own sheets: ``xlwings.conf`` is locked content, ``校验结果`` is no evidence.

xlwings reads ``xlwings.conf`` when a reviewer's Excel runs the VBA module: a changed ``UDF Modules``,
``Interpreter_Win`` or ``PYTHONPATH`` makes that Excel import and run the department's code. Every cell
of the sheet must be what macros.conf_cells() says the renderer wrote, and nothing else may be there.

``校验结果`` shows what WB_CHECK computed when someone last recalculated in Excel with xlwings; its
cached text is not what this reader found. The WB_CHECK formula must still be there, and any cached
claim that nothing is wrong (“未发现问题”, ``ok``) in a file this reader finds errors in is an error.
"""

from __future__ import annotations

from ..layout import cell
from ..macros import (
    CHECK_CELL,
    CHECK_FORMULA,
    CHECK_SHEET,
    CHECK_TEXT,
    CONF_SHEET,
    conf_cells,
)
from .findings import FileReport
from .xlsx import Book, Cell

NO_PROBLEM = ("未发现问题", "ok")


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _same(want, got: Cell) -> bool:
    if isinstance(want, bool):
        # LibreOffice writes a boolean as the formula FALSE() / TRUE() with that cached value
        lo = got.formula is not None and got.formula.replace(" ", "").upper() == f"{str(want).upper()}()"
        return (got.formula is None or lo) and isinstance(got.value, bool) and got.value == want
    if want == "":
        return got.formula is None and _blank(got.value)
    return got.formula is None and isinstance(got.value, str) and got.value.strip() == str(want).strip()


def check_conf(book: Book, rep: FileReport) -> None:
    sh = book.sheets.get(CONF_SHEET)
    if sh is None:
        return  # sheet-missing is reported with the sheet set
    want = conf_cells()
    for (r, c), v in want.items():
        got = sh.cells.get((r, c)) or Cell()
        if not _same(v, got):
            rep.add("locked-value-changed", sheet=CONF_SHEET, cell=cell(r, c), expected=v,
                    found=("=" + got.formula) if got.formula else got.value)
    for (r, c), got in sorted(sh.cells.items()):
        if (r, c) not in want and (got.formula is not None or not _blank(got.value)):
            rep.add("unexpected-content", sheet=CONF_SHEET, cell=cell(r, c),
                    found=("=" + got.formula) if got.formula else got.value)


def check_results_sheet(book: Book, rep: FileReport) -> None:
    """Run last, when every other finding of the file is known."""
    sh = book.sheets.get(CHECK_SHEET)
    if sh is None:
        return
    for r, text in enumerate(CHECK_TEXT):
        got = sh.cells.get((r, 0)) or Cell()
        if not _same(text, got):
            rep.add("locked-value-changed", sheet=CHECK_SHEET, cell=cell(r, 0), expected=text,
                    found=("=" + got.formula) if got.formula else got.value)
    got = sh.cells.get(CHECK_CELL) or Cell()
    where = {"sheet": CHECK_SHEET, "cell": cell(*CHECK_CELL)}
    if got.formula is None:
        rep.add("formula-replaced", expected="=" + CHECK_FORMULA, found=got.value, **where)
    elif got.formula.replace(" ", "").upper() != CHECK_FORMULA:
        rep.add("formula-edited", expected="=" + CHECK_FORMULA, found="=" + got.formula, **where)
    if not rep.errors:
        return
    for (r, c), v in sorted(sh.cells.items()):
        text = v.value.strip() if isinstance(v.value, str) else ""
        if r >= CHECK_CELL[0] and (NO_PROBLEM[0] in text or text.lower() == NO_PROBLEM[1]):
            rep.add("check-sheet-not-evidence", sheet=CHECK_SHEET, cell=cell(r, c), found=v.value,
                    detail=f"本次校验有 {len(rep.errors)} 个错误")
            return
