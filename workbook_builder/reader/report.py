"""Write frames to a sorted, filterable .xlsx; every text is written as text, never as a formula."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter


def write_frames(frames: dict[str, pd.DataFrame], path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False, "nan_inf_to_errors": False})
    head = wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "font_name": "宋体"})
    body = wb.add_format({"font_name": "宋体"})
    for name, df in frames.items():
        ws = wb.add_worksheet(name[:31])
        cols = [str(c) for c in df.columns]
        for c, h in enumerate(cols):
            ws.write_string(0, c, h, head)
            ws.set_column(c, c, max(8, min(40, len(h) * 2 + 2)))
        for r, row in enumerate(df.itertuples(index=False), start=1):
            for c, v in enumerate(row):
                if v is None or (isinstance(v, float) and v != v):
                    ws.write_blank(r, c, None, body)
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(r, c, float(v), body)
                else:
                    ws.write_string(r, c, str(v), body)  # '=', '+', '-', '@' stay text
        if cols:
            ws.autofilter(0, 0, max(1, len(df)), len(cols) - 1)
        ws.freeze_panes(1, 0)
    wb.close()
