"""Independent engines for the parity tests: the `formulas` package in-process, LibreOffice headless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import schedula as sh

from workbook_builder.layout import SHEET_TABLE, Layout, cell
from workbook_builder.numeric import xl_round

_registered = False


def _excel_round(x, digits=0):
    """Excel's ROUND (the formulas package's ROUND follows Python's float rounding instead)."""
    x = x.item() if isinstance(x, np.ndarray) else x
    digits = digits.item() if isinstance(digits, np.ndarray) else digits
    if isinstance(x, str) or x is sh.EMPTY:
        from formulas.tokens.operand import Error
        return Error.errors["#VALUE!"]
    return xl_round(float(x), int(digits))


def register_round() -> None:
    global _registered
    if not _registered:
        import formulas
        from formulas.functions import wrap_func
        formulas.get_functions()["ROUND"] = wrap_func(_excel_round)
        _registered = True


class FormulasBook:
    """A workbook compiled once by `formulas`, recalculated for many input sets."""

    def __init__(self, path: Path, lay: Layout | None = None):
        import formulas
        register_round()
        self.lay = lay
        self.name = path.name
        self.model = formulas.ExcelModel().loads(str(path)).finish()

    def key(self, sheet: str, r: int, c: int) -> str:
        return f"'[{self.name}]{sheet}'!{cell(r, c)}"

    def calculate(self, values: dict[str, Any]) -> dict[str, Any]:
        inputs = {}
        for iid, (sheet, r, c) in self.lay.input_cells.items():
            v = values.get(iid)
            if v is not None:  # blanks stay as the built (empty) file has them
                inputs[(sheet, r, c)] = v
        outs = {nid: (SHEET_TABLE, r, c) for nid, (r, c) in self.lay.score_cells.items()}
        outs["__total__"] = (SHEET_TABLE, *self.lay.total_cell)
        outs["__grade__"] = (SHEET_TABLE, *self.lay.grade_cell)
        got = self.cells(inputs, list(outs.values()))
        return {k: got[v] for k, v in outs.items()}

    def cells(self, inputs: dict[tuple[str, int, int], Any], outputs: list[tuple[str, int, int]]) -> dict:
        """Recalculate with ``inputs`` typed into their cells (others as built); the ``outputs`` cells' values."""
        sol = self.model.calculate(inputs={self.key(*k): v for k, v in inputs.items()})
        return {k: _plain(sol[self.key(*k)].value) for k in outputs}


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        v = v.ravel()[0]
    if v is sh.EMPTY or v is None:
        return ""
    if isinstance(v, (np.floating, np.integer)):
        return float(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return v if isinstance(v, str) else str(v)


def read_scores(path: Path, lay: Layout) -> dict[str, Any]:
    """Cached values of every score cell, the total and the grade, as a saved file holds them."""
    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    ws = wb[SHEET_TABLE]
    rows = {r: row for r, row in enumerate(ws.iter_rows(values_only=True))}
    get = lambda r, c: _plain(rows.get(r, ())[c] if c < len(rows.get(r, ())) else None)  # noqa: E731
    out = {nid: get(r, c) for nid, (r, c) in lay.score_cells.items()}
    out["__total__"] = get(*lay.total_cell)
    out["__grade__"] = get(*lay.grade_cell)
    wb.close()
    return out


def expected(template, values) -> dict[str, Any]:
    from workbook_builder.engine import compute
    res = compute(template, values)
    out = {k: ("" if v is None else v) for k, v in res.scores.items()}
    out["__total__"] = "" if res.total is None else res.total
    out["__grade__"] = res.grade
    return out
