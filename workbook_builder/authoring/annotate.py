"""A checked copy of the bureau's authoring workbook: each 指标体系 row gets what the tool understood or found.

The bureau's own file is never changed; the copy keeps its layout and adds (or fills) the 解析结果 column.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill

from ..tables import fold
from ..xlsxscan import scan
from . import spec as S

_BAD = PatternFill("solid", fgColor="FFC7CE")
_NOTE = PatternFill("solid", fgColor="FFF2CC")


def annotate(src: Path, out: Path, readings: dict[int, str], problems: dict[int, list[str]]) -> int:
    """Write ``out``: a copy of ``src`` whose 指标体系 rows carry ``readings`` and ``problems`` (by Excel row).

    Returns the number of rows written to. Text goes in as text, never as a formula. A sheet too large
    to open safely raises xlsxscan.SheetTooLarge (a Chinese message) before openpyxl sees the file."""
    scan(src)
    wb = openpyxl.load_workbook(src)
    ws = next((w for w in wb.worksheets if fold(w.title) == fold(S.SHEET_SYSTEM)), None)
    if ws is None:
        ws = wb.worksheets[0]
    header_row, col = _result_column(ws)
    n = 0
    for row in sorted(set(readings) | set(problems)):
        if row <= header_row:
            continue
        parts = [f"错误：{p}" for p in problems.get(row, [])]
        if readings.get(row) and not (parts and "无法识别" in readings[row]):
            parts.append(readings[row])
        c = ws.cell(row, col)
        c.value = "\n".join(parts)
        c.data_type = "s"
        c.alignment = Alignment(wrap_text=True, vertical="center")
        c.fill = _BAD if problems.get(row) else _NOTE
        n += 1
    wb.save(out)
    return n


def _result_column(ws) -> tuple[int, int]:
    """(header row, 解析结果 column), adding the column after the last header when the sheet has none."""
    for r in range(1, min(ws.max_row, 30) + 1):
        values = [fold(c.value) for c in ws[r]]
        if fold("一级指标") in values or fold("分值") in values:
            if fold("解析结果") in values:
                return r, values.index(fold("解析结果")) + 1
            col = max(i for i, v in enumerate(values, 1) if v) + 1
            head = ws.cell(r, col, "解析结果")
            head.font = Font(bold=True)
            ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = 40
            return r, col
    return 1, ws.max_column + 1
