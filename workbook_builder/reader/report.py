"""The reviewer's 汇总表: sorted, filterable sheets that print on A4 landscape; text always stays text.

Each sheet has a title row (what it is, the templates and years, the date), a header row repeated on
every printed page, frozen panes and a filter, columns as wide as their Chinese content (up to a
limit, long text wrapped), and one page's width per printed page.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pandas as pd
import xlsxwriter

from ..formats import FONT

MAX_WIDTH = {"说明": 60, "备注": 40, "应为": 24, "实为": 24, "文件": 36}


def _width(v) -> float:
    """Display width of a value in character units (a CJK character counts as two)."""
    if v is None or (isinstance(v, float) and v != v):
        return 0
    text = f"{v:g}" if isinstance(v, float) else str(v)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _by_indicator(df: pd.DataFrame) -> pd.DataFrame:
    """A score matrix turned for reading and printing: one row per indicator, one column per department."""
    heads, seen = [], set()
    for dept, f in zip(df["部门"], df["文件"]):
        h = str(dept) if str(dept) and str(dept) not in seen else f"{dept}（{f}）"
        seen.add(h)
        heads.append(h)
    body = df.drop(columns=["文件", "部门"]).T
    body.columns = heads
    body.insert(0, "指标", list(body.index))
    return body.reset_index(drop=True)


def prefill_note(reports) -> str:
    """The 汇总 line saying which returns' prefilled figures were not checked ('' when all were)."""
    unchecked = [r for r in reports if r.template and not r.unreadable and not r.projects and not r.prefill_checked]
    if not unchecked:
        return ""
    return (f"注意：{len(unchecked)} 份自评表中财政局预填的数据（如全年预算数）未经核对，可能已被改动；"
            "请用 --against 预填名单 或生成时的 --sign-key 签名密钥核对。")


def write_frames(frames: dict[str, pd.DataFrame], path: Path, title: str = "部门整体支出绩效自评汇总表",
                 notes: dict[str, str] | None = None) -> None:
    """``notes``: a line written under a sheet's table (e.g. what the 汇总 could not check)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False, "nan_inf_to_errors": False})
    base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
    head = wb.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "border": 1, "align": "center", "text_wrap": True})
    body = wb.add_format({**base, "border": 1})
    wrap = wb.add_format({**base, "border": 1, "text_wrap": True})
    num = wb.add_format({**base, "border": 1, "num_format": "0.00"})
    big = wb.add_format({**base, "bold": True, "font_size": 14})
    bad = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
    note = wb.add_format({**base, "bold": True, "font_color": "#9C0006"})
    summary = frames.get("汇总")
    scope = ""
    if summary is not None and len(summary):
        tpl = "、".join(sorted({str(x) for x in summary["模板"] if str(x) and str(x) != "nan"}))[:80]
        years = "、".join(sorted({str(x) for x in summary["年度"] if str(x)}))
        scope = f"（{tpl}；{years} 年度）" if tpl else ""
    stamp = dt.date.today().isoformat()
    for name, df in frames.items():
        if name.startswith("得分") and "文件" in df.columns and len(df):
            df = _by_indicator(df)
        ws = wb.add_worksheet(name[:31])
        cols = [str(c) for c in df.columns]
        ncol = max(1, len(cols))
        heading = f"{title}·{name}{scope}  生成日期：{stamp}  共 {len(df)} 行"
        if ncol > 1:
            ws.merge_range(0, 0, 0, ncol - 1, heading, big)
        else:
            ws.write_string(0, 0, heading, big)
        ws.set_row(0, 24)
        widths = []
        for c, h in enumerate(cols):
            ws.write_string(1, c, h, head)
            content = max([_width(h)] + [_width(v) for v in df.iloc[:, c]]) if len(df) else _width(h)
            w = min(MAX_WIDTH.get(h, 30), max(6, content + 2))
            widths.append(w)
            ws.set_column(c, c, w)
        for r, row in enumerate(df.itertuples(index=False), start=2):
            lines = 1
            for c, v in enumerate(row):
                if v is None or (isinstance(v, float) and v != v):
                    ws.write_blank(r, c, None, body)
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(r, c, float(v), num if isinstance(v, float) else body)
                else:
                    text = str(v)
                    long = _width(text) > widths[c]
                    ws.write_string(r, c, text, wrap if long else body)  # '=', '+', '-', '@' stay text
                    lines = max(lines, min(8, int(_width(text) / max(widths[c], 1)) + 1))
            if lines > 1:
                ws.set_row(r, 14 * lines)
        if (notes or {}).get(name):
            ws.write_string(len(df) + 3, 0, notes[name], note)
        if cols:
            ws.autofilter(1, 0, max(2, len(df) + 1), len(cols) - 1)
        if "结论" in cols and len(df):
            c = cols.index("结论")
            ref = xlsxwriter.utility.xl_rowcol_to_cell(2, c, col_abs=True)
            ws.conditional_format(2, 0, len(df) + 1, ncol - 1, {"type": "formula", "criteria": f'={ref}<>"通过"',
                                                                 "format": bad})
        ws.freeze_panes(2, 1)
        ws.set_landscape()
        ws.set_paper(9)
        if name.startswith("得分"):
            ws.repeat_columns(0)  # many departments: pages across, the indicator names on each
            ws.fit_to_pages(0, 0)
        else:
            ws.fit_to_pages(1, 0)
        ws.repeat_rows(1)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        ws.set_footer("&C第 &P 页，共 &N 页")
    wb.close()
