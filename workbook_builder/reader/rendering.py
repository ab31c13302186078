"""What is drawn over, around and inside the cells is what the template draws.

For every locked and input cell the reviewer reads, these checks compare with the template's rendering
(the cell specs the builder writes from): merges, objects drawn over the table (shapes, text boxes,
pictures, shown notes), notes' text, hyperlinks and validation messages, rich-text runs, the rows'
heights and columns' widths (a squeezed row or column hides as well as a hidden one), numbers too wide
for their column (Excel shows ###), the print area, print titles, headers and footers, conditional
formats that draw their own picture (data bars, icon sets, colour scales, x14 formats), the sheet the
workbook opens on and sheet views that hide zeros. The extras are read by extras.py.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..cells import CellSpec, ValidationSpec
from ..layout import cell
from . import fonts
from .findings import FileReport
from .numfmt import shown
from .styles import contrast_of
from .xlsx import Book, Cell

MIN_FONT_SIZE = 6.0
MAX_REPORTED = 50  # findings of one kind per sheet: enough to show the reviewer, bounded for hostile files
MAX_MESSAGE_CELLS = 200_000  # cells of validation messages looked at per sheet
MIN_CONTRAST = 1.6  # WCAG ratio; our palest pairing (black on the grey header) is above 10
#: a row lower than this share of its largest font's size, or than MIN_FONT_SIZE, cannot be read
MIN_ROW_FACTOR = 0.8
#: a column narrower than this many characters cannot show even one Chinese character
MIN_COL_WIDTH = 2.5
#: a number is refused as showing ### when its rough width (characters × its font size over the
#: workbook's base size) exceeds the column's by this factor and margin: widths depend on fonts and
#: screens, so only a number that clearly cannot fit is called hidden (a 48 pt score, a column of 3)
WIDTH_FACTOR, WIDTH_MARGIN = 1.15, 0.5
MAX_NUMBER_TEXT = 24  # characters: no format of ours shows a longer number
#: page-number wording the renderer's footers use (第 &P 页，共 &N 页); any other literal text is refused
PAGE_WORDS = set("第页共") | set(" \u3000，,/-–—()（）")
#: header and footer field codes that print something a department chose (file name, path, picture …)
FORBIDDEN_FIELDS = set("FZGDT")
_GNUMERIC_FONT = re.compile(r'[A-Za-z][A-Za-z \-]*,[A-Za-z \-]+"(?:000000)?')
_HF_CODE = re.compile(r'&(?:"[^"]*"|\d+|K[0-9A-Fa-f]{6}|K\d{2}[+-]\d{3}|&|[LCRPNAFZGDTBIUSEXYH]|.?)')


def _content(specs: list[CellSpec], sheet: str) -> dict[tuple[int, int], CellSpec]:
    return {(s.row, s.col): s for s in specs if s.sheet == sheet and
            (s.formula is not None or s.value not in (None, "") or s.input_id is not None)}


def check(book: Book, specs: list[CellSpec], wanted: dict[tuple[str, int, int], Any], rep: FileReport,
          shown_sheets: tuple[str, ...], app: str = "") -> None:
    """``app`` is the application that last saved the file (lower case; not needed by any check yet: the
    traces honest saves leave are recognised whatever saved last, since a later save keeps them)."""
    ex = getattr(book, "render", None)
    if ex is None:
        return
    if ex.active is not None and ex.active not in shown_sheets:
        rep.add("active-sheet-changed", sheet=ex.active, expected="、".join(shown_sheets))
    if ex.view.get("visibility") in ("hidden", "veryHidden"):
        rep.add("sheet-view-changed", detail="工作簿窗口被隐藏")
    for name in shown_sheets:
        sh, sx = book.sheets.get(name), ex.sheets.get(name)
        if sh is None or sx is None:
            continue
        content = _content(specs, name)
        _merges(name, specs, content, sx, rep)
        _drawn(name, specs, sx, rep)
        _hyperlinks(name, sx, rep)
        _sizes(book, name, content, wanted, sx, rep)
        _runs(book, name, content, sx, rep)
        _print(name, content, sx, rep)
        _formats(name, content, sx, rep)
        if sx.view.get("showZeros") in ("0", "false"):
            rep.add("sheet-view-changed", sheet=name, detail="零值不显示（得分为 0 的单元格显示为空白）")


def _merges(name: str, specs: list[CellSpec], content, sx, rep: FileReport) -> None:
    """Merges are the template's; a new merge is reported at its corner and at each cell whose content it hides."""
    want = {(s.row, s.col, *s.merge_to) for s in specs if s.sheet == name and s.merge_to}
    for r1, c1, r2, c2 in sorted(sx.merges - want)[:MAX_REPORTED]:
        what = f"{cell(r1, c1)}:{cell(r2, c2)} 被合并"
        rep.add("merge-changed", sheet=name, cell=cell(r1, c1), detail=what)
        covered = [rc for rc in sorted(content) if r1 <= rc[0] <= r2 and c1 <= rc[1] <= c2 and rc != (r1, c1)]
        for rc in covered[:20]:
            rep.add("merge-changed", sheet=name, cell=cell(*rc), detail=f"{what}，{cell(*rc)} 的内容被遮住")
    for r1, c1, r2, c2 in sorted(want - sx.merges):
        rep.add("merge-changed", sheet=name, cell=cell(r1, c1), detail=f"{cell(r1, c1)}:{cell(r2, c2)} 的合并被取消")


_KIND_TEXT = {"shape": "图形或文本框", "picture": "图片", "chart": "图表", "group": "组合图形", "connector": "线条",
              "ink": "墨迹", "background": "工作表背景图片", "header-picture": "页眉页脚中的图片", "object": "嵌入对象",
              "control": "控件", "drawing": "绘图", "note-shown": "一直显示的批注框"}


def _drawn(name: str, specs: list[CellSpec], sx, rep: FileReport) -> None:
    for d in sx.drawn[:MAX_REPORTED]:
        what = _KIND_TEXT.get(d.kind, "控件或文本框" if d.kind.startswith("vml:") else "绘图")
        where = dict(cell=cell(d.row, d.col)) if d.kind not in ("background", "header-picture") else {}
        rep.add("drawing-over-cells", sheet=name, detail=what + (f"，显示“{d.text[:40]}”" if d.text.strip() else ""),
                **where)
    notes = {(s.row, s.col): s.comment for s in specs if s.sheet == name and s.comment}
    for rc, text in sorted(sx.comments.items())[:MAX_REPORTED * 20]:
        want = notes.get(rc)
        if want is None or " ".join(want.split()) != " ".join(text.split()):
            rep.add("comment-changed", sheet=name, cell=cell(*rc), expected=want, found=text[:100])


def _hyperlinks(name: str, sx, rep: FileReport) -> None:
    for (r1, c1, _, _), what in sx.hyperlinks[:MAX_REPORTED]:
        rep.add("hyperlink-added", sheet=name, cell=cell(r1, c1), found=what[:100])


def _span(s: CellSpec) -> tuple[range, range]:
    r2, c2 = s.merge_to or (s.row, s.col)
    return range(s.row, r2 + 1), range(s.col, c2 + 1)


def _sizes(book: Book, name: str, content, wanted, sx, rep: FileReport) -> None:
    """Rows too low and columns too narrow to read, and numbers wider than their column (###)."""
    sh, st = book.sheets[name], book.styles
    base = st.normal_font.size if st.normal_font.size > 0 else 11.0
    rows_done: set[int] = set()
    cols_done: set[int] = set()
    heights: dict[tuple[int, int], float] = {}
    widths: dict[tuple[int, int], float] = {}
    hidden = bool(sh.hidden_rows or sh.hidden_cols)
    for (r, c), s in sorted(content.items()):
        got = sh.cells.get((r, c)) or Cell()
        xf = st.xf(got.style)
        rows, cols = _span(s)
        if hidden and (any(x in sh.hidden_rows for x in rows) or any(x in sh.hidden_cols for x in cols)):
            continue  # row-hidden / column-hidden
        key = (rows.start, rows.stop)
        if key not in heights:
            heights[key] = sum(_height(sx, x) for x in rows)
        height = heights[key]
        need = max(MIN_FONT_SIZE, MIN_ROW_FACTOR * xf.font_size)
        if height < need and r not in rows_done:
            rows_done.add(r)
            rep.add("row-squeezed", sheet=name, cell=cell(r, c), detail=f"第 {r + 1} 行高 {height:g} 磅",
                    expected=f"至少 {need:g} 磅", found=height)
        key = (cols.start, cols.stop)
        if key not in widths:
            widths[key] = sum(sx.col_widths.get(x, sx.default_col_width) for x in cols)
        width = widths[key]
        if width < MIN_COL_WIDTH:
            if c not in cols_done:
                cols_done.add(c)
                rep.add("column-squeezed", sheet=name, cell=cell(r, c), detail=f"{cell(0, c)[:-1]} 列宽 {width:g}",
                        expected=f"至少 {MIN_COL_WIDTH:g}", found=width)
            continue
        value = wanted.get((name, r, c)) if s.formula else got.value if s.input_id else s.value
        if MAX_NUMBER_TEXT * xf.font_size / base <= width * WIDTH_FACTOR + WIDTH_MARGIN:
            continue  # no number this cell can show is too wide
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            # an upper bound first: the digits of the value as a percent, a comma per three, sign and decimals
            digits = len(str(int(abs(value) * 100)))
            if (digits * 4 / 3 + 6) * xf.font_size / base <= width * WIDTH_FACTOR + WIDTH_MARGIN and \
                    "E" not in xf.num_fmt.upper() and '"' not in xf.num_fmt:
                continue
            text = shown(value, xf.num_fmt) or f"{value:g}"
            need_w = len(text) * xf.font_size / base
            if need_w > width * WIDTH_FACTOR + WIDTH_MARGIN and xf.align.get("shrinkToFit") not in ("1", "true"):
                rep.add("number-too-wide", sheet=name, cell=cell(r, c), found=text,
                        detail=f"字号 {xf.font_size:g}，列宽 {width:g}")


def _height(sx, row: int) -> float:
    if row in sx.row_heights:
        return sx.row_heights[row]
    return 0.0 if sx.rows_hidden_by_default else sx.default_row_height


def _runs(book: Book, name: str, content, sx, rep: FileReport) -> None:
    """Rich-text runs inside shown text: each must be as readable as the cell's own font."""
    st = book.styles
    sh = book.sheets[name]
    seen: dict[tuple, tuple[str, str]] = {}  # (run properties, cell style) -> (invisible, bad font)
    for rc, runs in sorted(sx.runs.items()):
        if rc not in content:
            continue
        style = (sh.cells.get(rc) or Cell()).style
        xf = st.xf(style)
        for rpr, text in runs:
            if rpr is None or not text.strip():
                continue
            key = (tuple((el.tag, tuple(sorted(el.attrib.items()))) for el in rpr), style)
            if key not in seen:
                f = st.font(rpr)
                size = f.size if rpr.find(f"{_NS}sz") is not None else xf.font_size
                colours = f.colours if rpr.find(f"{_NS}color") is not None else xf.font.colours
                hidden = size < MIN_FONT_SIZE or contrast_of(colours, xf.fills) < MIN_CONTRAST
                seen[key] = (f"字号 {size:g}，字体颜色 {'、'.join(colours) or '自动'}" if hidden else "",
                             fonts.not_allowed(f, st))
            hidden, bad = seen[key]
            if hidden:
                rep.add("text-invisible", sheet=name, cell=cell(*rc), detail=f"其中“{text[:20]}”{hidden}")
                break
            if bad:
                rep.add("font-not-allowed", sheet=name, cell=cell(*rc), found=bad)
                break


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _print(name: str, content, sx, rep: FileReport) -> None:
    if sx.print_area:
        dropped = [(r, c) for r, c in sorted(content) if not any(
            r1 <= r <= r2 and c1 <= c <= c2 for r1, c1, r2, c2 in sx.print_area)]
        if dropped:
            rows = sorted({r + 1 for r, _ in dropped})
            rep.add("print-area-changed", sheet=name, cell=cell(*dropped[0]),
                    detail=f"第 {rows[0]}～{rows[-1]} 行中有 {len(dropped)} 个单元格不打印" if len(rows) > 1
                    else f"第 {rows[0]} 行中有 {len(dropped)} 个单元格不打印")
    for span, axis in ((sx.print_title_rows, 0), (sx.print_title_cols, 1)):
        if span is None:
            continue
        live = [(r, c) for (r, c), s in sorted(content.items())
                if span[0] <= (r, c)[axis] <= span[1] and (s.formula is not None or s.input_id is not None)]
        if live:
            rep.add("print-titles-changed", sheet=name, cell=cell(*live[0]),
                    detail=("第 {}～{} 行" if axis == 0 else "第 {}～{} 列").format(span[0] + 1, span[1] + 1))
    for text in sx.header_footer:
        bad = header_footer_problem(text)
        if bad:
            rep.add("header-footer-changed", sheet=name, found=text[:100], detail=bad)


def header_footer_problem(text: str) -> str:
    """What a header or footer prints besides page numbers and the sheet's name, or ''."""
    fields = set()
    literal = []
    pos = 0
    for m in _HF_CODE.finditer(text):
        literal.append(text[pos:m.start()])
        code = m.group(0)[1:]
        if code == "&":
            literal.append("&")
        elif len(code) == 1 and code.upper() in FORBIDDEN_FIELDS:
            fields.add(code.upper())
        pos = m.end()
    literal.append(text[pos:])
    # Gnumeric writes a font code it cannot keep as text (Sans,Regular"000000), and later saves keep it:
    # Latin letters, a comma and black say nothing about a score
    extra = "".join(ch for ch in _GNUMERIC_FONT.sub("", "".join(literal)) if ch not in PAGE_WORDS and not ch.isspace())
    if extra:
        return f"文字“{extra[:40]}”"
    if fields:
        return "打印文件名、路径、日期或图片"
    return ""


_DRAWN_TEXT = {"dataBar": "数据条", "iconSet": "图标集", "colorScale": "色阶"}


def _formats(name: str, content, sx, rep: FileReport) -> None:
    """Data bars, icon sets, colour scales and x14 conditional formats over shown cells: the template has none."""
    for ranges, kind, shows_value in sx.drawn_formats:
        hits = [(r, c) for (r, c) in sorted(content) if any(r1 <= r <= r2 and c1 <= c <= c2 for r1, c1, r2, c2 in ranges)]
        if hits:
            what = _DRAWN_TEXT.get(kind.removeprefix("x14:"), "扩展条件格式")
            if kind.startswith("x14:"):
                what = "扩展条件格式（" + what + "）"
            rep.add("conditional-format-hides", sheet=name, cell=cell(*hits[0]),
                    detail=what + ("，不显示数值" if not shows_value else ""))


def check_messages(book: Book, vspecs: list[ValidationSpec], rep: FileReport) -> None:
    """Validation input and error messages: the template's on its input cells, none anywhere else."""
    ex = getattr(book, "render", None)
    if ex is None:
        return
    want = {(v.sheet, v.row, v.col): v for v in vspecs}
    for name in ex.sheets:
        sx = ex.sheets.get(name)
        if sx is None:
            continue
        budget = MAX_MESSAGE_CELLS
        for m in sx.messages:
            if budget <= 0:
                break
            texts = [x for x in (m.prompt_title, m.prompt) if x.strip()] if m.show_prompt else []
            errs = [x for x in (m.error_title, m.error) if x.strip()] if m.show_error else []
            for rc in _cells(m.ranges, min(20_000, budget)):
                budget -= 1
                v = want.get((name, *rc))
                if v is None:
                    if texts or errs:
                        rep.add("validation-message-changed", sheet=name, cell=cell(*rc),
                                found=(texts + errs)[-1][:100], detail="模板在此处没有提示信息")
                        break
                    continue
                if m.show_prompt and not (_same(m.prompt, v.message) and _same(m.prompt_title, v.title)):
                    rep.add("validation-message-changed", sheet=name, cell=cell(*rc), expected=v.message,
                            found=m.prompt[:100], detail="输入提示")
                    break
                if m.show_error and not _same(m.error, v.error):
                    rep.add("validation-message-changed", sheet=name, cell=cell(*rc), expected=v.error,
                            found=m.error[:100], detail="出错警告")
                    break


def _same(found: str, want: str | None) -> bool:
    """A message found says what the template's says; one cut to nothing says nothing false (Gnumeric
    drops some error messages)."""
    a, b = " ".join((found or "").split()), " ".join((want or "").split())
    return not a or a == b or (len(a) >= 30 and b.startswith(a))  # an application may cut a long message short


def _cells(ranges, limit: int = 20_000):
    n = 0
    for r1, c1, r2, c2 in ranges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                yield r, c
                n += 1
                if n >= limit:
                    return
