"""The reviewer's 汇总表: sorted, filterable sheets that print on A4 landscape; text always stays text.

Each sheet has a title row (what it is, the templates and years, the date), a header row repeated on
every printed page, frozen panes and a filter, columns as wide as their Chinese content (up to a
limit, long text wrapped), and one page's width per printed page.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from ..formats import FONT
from ..numeric import fmt_num
from ..pages import PAGE, column_points

MAX_WIDTH = {"说明": 60, "备注": 40, "应为": 24, "实为": 24, "文件": 36, "代码": 26}


def _width(v) -> float:
    """Display width of a value in character units (a CJK character counts as two)."""
    if v is None or (isinstance(v, float) and v != v):
        return 0
    text = f"{v:g}" if isinstance(v, float) else str(v)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _heads(df: pd.DataFrame) -> list[str]:
    """One row name per file: the department, with the file where a department is there twice."""
    heads, seen = [], set()
    for dept, f in zip(df["部门"], df["文件"]):
        h = str(dept) if str(dept) and str(dept) not in seen else f"{dept}（{f}）"
        seen.add(h)
        heads.append(h)
    return heads


@dataclass
class _Node:
    label: str  # the full name (一级·二级·…, batch._labels)
    group: str  # its 一级
    sub: str  # its 二级 (its own name when it sits right under the 一级)
    rest: str  # what follows the 二级 ('' for a 二级 or a leaf right under the 一级)
    subtotal: bool  # another column extends it (a 一级 or 二级 subtotal)


def _tree(labels: list[str]) -> list[_Node]:
    """The score columns in 一级-by-一级 order, each split into the names its header rows show."""
    order: dict[str, int] = {}
    out = []
    for lab in labels:
        parts = lab.split("·")
        order.setdefault(parts[0], len(order))
        out.append(_Node(lab, parts[0], parts[1] if len(parts) > 1 else "小计", "·".join(parts[2:]),
                         any(o.startswith(lab + "·") for o in labels)))
    return sorted(out, key=lambda n: order[n.group])


#: the 得分 matrix prints at this scale, one page wide per column block, down then across
SCORE_SCALE = 65
SCORE_ROW = 12.5
SCORE_COL = 7.0
#: share of a page's width a block is planned to fill: an application whose default font is wider
#: (LibreOffice without Calibri's metric twin) still fits it
WIDTH_SAFETY = 0.75


def _blocks(nodes: list[_Node], budget: float) -> list[int]:
    """Indices of the columns that start a printed page across (after the first): between 一级
    groups where a group fits, else where its 二级 changes near the page's end, else where the page is full."""
    per = max(1, int(budget // column_points(SCORE_COL)))  # columns a page holds
    starts: list[int] = []
    start = i = 0
    while i < len(nodes):
        j = i + 1
        while j < len(nodes) and nodes[j].group == nodes[i].group:
            j += 1
        if j - start <= per:
            i = j
            continue
        if i > start and j - i <= per:
            starts.append(i)
            start = i
            i = j
            continue
        while j - start > per:
            cut = start + per
            for k in range(cut, max(start, cut - 6), -1):
                if nodes[k].sub != nodes[k - 1].sub:
                    cut = k
                    break
            starts.append(cut)
            start = cut
        i = j
    return starts


def _spans(nodes: list[_Node], key, cuts: set[int]) -> list[tuple[int, int]]:
    """Runs [i, j) of columns with the same ``key``, cut at page starts."""
    out, i = [], 0
    while i < len(nodes):
        j = i + 1
        while j < len(nodes) and key(nodes[j]) == key(nodes[i]) and j not in cuts:
            j += 1
        out.append((i, j))
        i = j
    return out


def _score_sheet(ws, df: pd.DataFrame, totals: dict, fmt: dict, title: str) -> None:
    """The 得分 sheet: a department × indicator matrix whose three header rows name each column's
    一级, 二级 and the rest; printed landscape at a fixed scale, the columns cut into page-wide blocks
    between 一级 groups (a group cut in two repeats its name, 续), 部门 and 总分 on every page."""
    heads = _heads(df)
    labels = [c for c in df.columns if c not in ("文件", "部门")]
    nodes = _tree([str(c) for c in labels])
    by_label = dict(zip((str(c) for c in labels), labels))
    name_w = min(28, max([6] + [_width(h) for h in heads]) + 2)
    ws.write_string(0, 0, title, fmt["big"])
    ws.set_row(0, 24)
    for c, h in ((0, "部门"), (1, "总分")):
        ws.merge_range(1, c, 3, c, h, fmt["head"])
    ws.set_column(0, 0, name_w)
    ws.set_column(1, max(1, len(nodes) + 1), SCORE_COL)
    page = (PAGE[0] - 0.8 * 72) * 100 / SCORE_SCALE * WIDTH_SAFETY
    starts = _blocks(nodes, page - column_points(name_w) - column_points(SCORE_COL))
    cuts = set(starts)
    seen: set[str] = set()
    for i, j in _spans(nodes, lambda n: n.group, cuts):
        g = nodes[i].group
        name = f"{g}（续）" if g in seen else g
        seen.add(g)
        (ws.merge_range(1, i + 2, 1, j + 1, name, fmt["head"]) if j - i > 1 else ws.write_string(1, i + 2, name, fmt["head"]))
    lines = {2: 1, 3: 1}
    for i, j in _spans(nodes, lambda n: (n.group, n.sub), cuts):
        n = nodes[i]
        text = n.sub + ("小计" if n.subtotal and not n.rest and j - i == 1 and n.label != n.group else "")
        bottom = 3 if all(not nodes[k].rest for k in range(i, j)) else 2
        if j - i > 1 or bottom == 3:
            ws.merge_range(2, i + 2, bottom, j + 1, text, fmt["head"])
        else:
            ws.write_string(2, i + 2, text, fmt["head"])
        lines[2] = max(lines[2], min(6, -(-_width(text) // max(1, int(SCORE_COL * (j - i))))))
        for k in range(i, j):
            if bottom == 2:
                rest = nodes[k].rest + ("小计" if nodes[k].subtotal else "")
                ws.write_string(3, k + 2, rest, fmt["head"])
                lines[3] = max(lines[3], min(8, -(-_width(rest) // int(SCORE_COL))))
    ws.set_row(1, 15)
    ws.set_row(2, 13.5 * lines[2] + 3)
    ws.set_row(3, 13.5 * lines[3] + 3)
    for r, (head, f) in enumerate(zip(heads, df["文件"]), start=4):
        ws.write_string(r, 0, head, fmt["body"])
        t = totals.get(f)
        if isinstance(t, (int, float)) and t == t:
            ws.write_number(r, 1, float(t), fmt["num"])
        else:
            ws.write_blank(r, 1, None, fmt["body"])
        for k, n in enumerate(nodes):
            v = df[by_label[n.label]].iloc[r - 4]
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v:
                ws.write_number(r, k + 2, float(v), fmt["num"])
            else:
                ws.write_blank(r, k + 2, None, fmt["body"])
        ws.set_row(r, SCORE_ROW)
    ws.autofilter(3, 0, max(4, len(df) + 3), len(nodes) + 1)
    ws.freeze_panes(4, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_print_scale(SCORE_SCALE)  # Excel ignores manual breaks on a sheet fitted to pages
    ws.set_v_pagebreaks([k + 2 for k in starts])
    ws.repeat_rows(1, 3)
    ws.repeat_columns(0, 1)
    ws.print_area(0, 0, len(df) + 3, len(nodes) + 1)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer("&C第 &P 页，共 &N 页")


# -- the 问题 sheet: what a person reads ---------------------------------------------------

PROBLEM_COLUMNS = ["文件", "部门", "问题", "严重程度", "工作表", "单元格", "说明", "应为", "实为", "代码"]


def readable(v: Any, percent: bool = False, expected: bool = False) -> str:
    """A finding's expected or found value as a person reads it: no None, no Python lists, a rate as
    a percent, an expected formula as what it is."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (int, float)):
        x = float(v)
        if percent:
            return f"{fmt_num(round(x * 100, 4))}%"
        return fmt_num(round(x, 4)) if abs(x) < 1e15 else f"{x:.6g}"
    if isinstance(v, (list, tuple, set)):
        return "、".join(readable(x, percent) for x in v)
    if isinstance(v, dict):
        return "；".join(f"{k}：{readable(x, percent)}" for k, x in v.items())
    text = str(v)
    if expected and text.startswith("="):
        return "模板公式（自动计算，不应手工修改）"
    return text


def _percent_cells(template: str) -> set[tuple[str, str]]:
    """(sheet, cell) of a template's percent cells (their style shows %), for 应为/实为."""
    from ..cells import all_cells
    from ..layout import cell
    from .validate import layout_for, shipped_templates
    t = shipped_templates().get(template)
    if t is None:
        return set()
    return {(s.sheet, cell(s.row, s.col)) for s in all_cells(t, layout_for(t), "", t.year or 2000)
            if s.style.endswith("_pct")}


def _problems(df: pd.DataFrame, templates: dict[str, str]) -> pd.DataFrame:
    """问题 with a Chinese label per finding, values a person reads and the code last."""
    from .findings import label
    cache: dict[str, set] = {}
    rows = []
    for rec in df.to_dict("records"):
        tid = templates.get(rec.get("文件"), "")
        if tid not in cache:
            cache[tid] = _percent_cells(tid) if tid else set()
        pct = (rec.get("工作表"), rec.get("单元格")) in cache[tid]
        rows.append({**rec, "问题": label(str(rec.get("代码", ""))),
                     "应为": readable(rec.get("应为"), pct, expected=True), "实为": readable(rec.get("实为"), pct)})
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def _templates_by_file(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """File -> template id, from 汇总's short template names (batch._short) where one names one template."""
    summary = frames.get("汇总")
    if summary is None or not len(summary):
        return {}
    from .batch import _short
    from .validate import shipped_templates
    names: dict[str, list[str]] = {}
    for tid in shipped_templates():
        names.setdefault(_short(tid), []).append(tid)
    return {f: names[m][0] for f, m in zip(summary["文件"], summary["模板"]) if len(names.get(m, [])) == 1}


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
    totals = dict(zip(summary["文件"], summary["重算总分"])) if summary is not None and len(summary) else {}
    fmt = {"big": big, "head": head, "body": body, "num": num}
    for name, df in frames.items():
        if name.startswith("得分") and "文件" in df.columns and len(df):
            ws = wb.add_worksheet(name[:31])
            _score_sheet(ws, df, totals, fmt, f"{title}·{name}{scope}  生成日期：{stamp}  共 {len(df)} 个部门")
            continue
        if name == "问题" and "代码" in df.columns:
            df = _problems(df, _templates_by_file(frames))
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
                    if long:
                        lines = max(lines, min(8, -(-_width(text) // max(1, int(widths[c] - 1)))))
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
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(1)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        ws.set_footer("&C第 &P 页，共 &N 页")
    wb.close()
