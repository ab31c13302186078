"""Read the tables a bureau really has: exports from other systems, as CSV or a workbook.

* CSV in UTF-8 (with or without BOM), GBK/GB18030 (what Chinese Excel saves), UTF-16 or UTF-32 (with
  BOM), with any line ending (Excel for Mac writes CR only), read without options; an unbalanced
  quote is refused at its line, never merged into one huge cell;
* .xlsx / .xlsm / .xls / .et / .ods through python-calamine (cached values, so cells may hold formulas),
  after xlsxscan has bounded each sheet's size; percent-formatted cells are remembered;
* the header row found under title rows (or given), on whichever sheet has it (or the one named); a
  two-row header (a group such as 年初预算数 merged over 基本支出 | 项目支出) becomes ``年初预算数·基本支出``;
* the title rows kept (a unit such as “单位：万元” is stated there), blank rows skipped; every row keeps
  its real spreadsheet row number for messages; a cell longer than Excel's 32,767 characters is refused.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .xlsxscan import SheetTooLarge, scan

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".xlsb")
MAX_HEADER_SCAN = 30
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
MAX_CSV_BYTES = 64 * 1024 * 1024
#: the words of a 合计 row (after folding: any spacing or width)
TOTAL_WORDS = ("合计", "总计", "小计")
_TOTAL = re.compile(r"^[\d\W_]{0,3}(?:[\u4e00-\u9fff]{0,4})?(合计|总计|小计)[\W_]*$")


class TableError(ValueError):
    """A table that cannot be read: a Chinese message for the user."""


@dataclass
class Table:
    source: str  # file name, and sheet for workbooks
    header_row: int  # 1-based, as the spreadsheet shows it (the lower row of a two-row header)
    headers: list[str]  # a two-row header's columns as ``group·column``
    rows: list[tuple[int, list[Any]]]  # (1-based spreadsheet row, cells)
    titles: list[str] = field(default_factory=list)  # the texts above the header, and the notes under the table
    percent: set[tuple[int, int]] = field(default_factory=set)  # percent-formatted cells (row, 0-based column)
    percent_cols: set[int] = field(default_factory=set)  # percent-formatted columns (prefill-template's)


def fold(text: Any) -> str:
    """A header or name folded for matching: full-width to half-width, no spaces, one bracket style."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = s.replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")").replace("〔", "(").replace("〕", ")")
    s = s.replace("·", "").replace("•", "").replace("・", "")
    return re.sub(r"\s+", "", s).lower()


def is_total(text: Any) -> bool:
    """A 合计/总计/小计 label in any spacing or width (“合  计”, “全县合计”, “小计：”)."""
    return isinstance(text, str) and bool(_TOTAL.match(fold(text)))


def total_row(cells: list[Any], columns: int = 3) -> bool:
    """A row whose first text cells (序号, 部门 …) say 合计/总计/小计."""
    texts = [c for c in cells if isinstance(c, str) and c.strip()][:columns]
    return any(is_total(c) for c in texts)


def decode(data: bytes) -> str:
    """CSV bytes as text: BOMs first, then UTF-8, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
            return data.decode("utf-32")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00" and data[2:3] != b"\x00":
            return data.decode("utf-16-le")
    except UnicodeDecodeError:
        raise TableError("无法识别文件编码，请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后重试") from None
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别文件编码，请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后重试")


def _long_cell(name: str, row: int, col: int, n: int, cut: bool = False) -> TableError:
    size = f"至少有 {n:,} 个字符，达到" if cut else f"有 {n:,} 个字符，超过"
    return TableError(f"{name} 第{row}行第{col + 1}列的单元格{size}单元格上限 {MAX_CELL_CHARS:,} 个字符"
                      "（Excel 的上限）：请删去多余的内容后重试")


def _csv_rows(path: Path) -> list[list[Any]]:
    if path.stat().st_size > MAX_CSV_BYTES:
        raise TableError(f"{path.name} 超过 {MAX_CSV_BYTES >> 20} MB，不像是名单：请检查是否选错了文件")
    text = decode(path.read_bytes())
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = ","
    csv.field_size_limit(MAX_CSV_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True,
                        strict=True)
    out: list[list[Any]] = []
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise TableError(f"{path.name} 第{line}行：引号（\"）没有配对，后面的内容无法分行。请检查该行的引号"
                             "（在 Excel 中打开后另存为 CSV 也可以）") from None
        for c, cell in enumerate(record):
            if len(cell) > MAX_CELL_CHARS:
                raise _long_cell(path.name, len(out) + 1, c, len(cell))
            if reader.line_num > line and ("\n" in cell or "\r" in cell) and delimiter in cell:
                raise TableError(f"{path.name} 第{line}行：引号（\"）没有配对，一个单元格包含了后面的几行。"
                                 "请检查该行的引号（在 Excel 中打开后另存为 CSV 也可以）")
        out.append(record)
        line = reader.line_num + 1
    return out


def _workbook(path: Path) -> list[tuple[str, list[list[Any]], Any]]:
    """(sheet name, rows, xlsxscan.SheetInfo or None) of every sheet, after xlsxscan bounded each sheet's size."""
    infos = {}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            infos = scan(path)
        except SheetTooLarge as e:
            raise TableError(f"{path.name}：{e}") from None
    try:
        from python_calamine import CalamineWorkbook
        wb = CalamineWorkbook.from_path(str(path))
        out = []
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            out.append((name, rows, infos.get(name)))
    except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file, explained in Chinese
        why = "文件已损坏或不完整" if _head(path) == b"PK" else "不是 Excel 工作簿（可能是别的文件改了扩展名）"
        raise TableError(f"无法读取工作簿 {path.name}（{why}），请在 Excel 或 WPS 中另存为 .xlsx 后重试") from None
    for name, rows, _ in out:
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                if isinstance(v, str) and len(v) >= MAX_CELL_CHARS:  # calamine cuts longer cells to the limit
                    raise _long_cell(f"{path.name}［{name}］", r, c, len(v), cut=True)
    return out


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(2)
    except OSError:
        return b""


def _sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """(sheet name, rows) of every sheet of a workbook; TableError (Chinese) when it cannot be read."""
    return [(n, r) for n, r, _ in _workbook(path)]


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _texts(row: list[Any], n: int) -> list[str]:
    out = [str(x).strip() if not _blank(x) else "" for x in row[:n]]
    return out + [""] * (n - len(out))


def _is_number(v: Any) -> bool:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return True
    return isinstance(v, str) and bool(re.fullmatch(r"[\s+\-]*[\d,.]+%?\s*", v))


def two_row(top: list[Any], below: list[Any]) -> list[str] | None:
    """The columns of a group row over a column row, or None when the two rows are not one header.

    A group is a cell followed by empty cells (their merge) with column names below all of them
    (年初预算数 over 基本支出 | 项目支出); a cell with nothing below is a column of its own (merged down);
    a group may not span every column (that is a title)."""
    n = max(len(top), len(below))
    t, b = _texts(top, n), _texts(below, n)
    if any(_is_number(x) for x in below if not _blank(x)):
        return None
    out, spans, i = [], 0, 0
    while i < n:
        j = i + 1
        while j < n and not t[j] and b[j]:
            j += 1
        if t[i] and j - i >= 2 and b[i]:
            if j - i == n:
                return None  # a title over the whole table
            out += [f"{t[i]}·{b[k]}" for k in range(i, j)]
            spans += 1
            i = j
            continue
        if t[i] and b[i]:
            return None  # a labelled column with a second label below: a data row, not a header
        out.append(t[i] or b[i])
        i += 1
    return out if spans else None


def read(path: Path, is_header: Callable[[list[str]], bool], sheet: str | None = None,
         header_row: int | None = None, need: str = "一列“部门名称”", option: str | None = "--header-row",
         missing: Callable[[list[str]], str | None] | None = None) -> Table:
    """The table in ``path`` whose header row satisfies ``is_header`` (folded headers), or the one given.

    ``need`` names the columns a header must have and ``option`` the command's option for the header
    row (None when the command has none), for the message when no header is found; ``missing`` names
    what a row that is almost a header lacks (“项目名称”), so that message can say it."""
    if not path.exists():
        raise TableError(f"找不到文件 {path}")
    if not path.is_file():
        raise TableError(f"{path} 不是文件")
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        sheets = _workbook(path)
        if sheet is not None:
            sheets = [s for s in sheets if fold(s[0]) == fold(sheet)]
            if not sheets:
                raise TableError(f"{path.name} 中没有名为“{sheet}”的工作表")
    elif suffix in (".csv", ".txt", ".tsv", ""):
        if sheet is not None:
            raise TableError(f"{path.name} 是 CSV 文件，没有工作表；--sheet 只用于 Excel 表格")
        sheets = [("", _csv_rows(path), None)]
    else:
        raise TableError(f"不支持 {path.suffix} 文件，请使用 .xlsx 或 .csv")
    for name, rows, info in sheets:
        rows = [list(r) for r in rows]
        if header_row is not None:
            if not 1 <= header_row <= len(rows):
                raise TableError(f"{path.name} 没有第 {header_row} 行")
            found = header_row - 1
        else:
            found = next((i for i, r in enumerate(rows[:MAX_HEADER_SCAN]) if is_header([fold(x) for x in r])), None)
            if found is None:
                continue
        headers = _texts(rows[found], len(rows[found]))
        first, last = found, found
        below = rows[found + 1] if found + 1 < len(rows) else []
        merged = two_row(rows[found], below) if below else None
        if merged is not None and is_header([fold(x) for x in merged]):
            headers, last = merged, found + 1
        elif found > 0 and not all(_blank(x) for x in rows[found - 1]):
            merged = two_row(rows[found - 1], rows[found])
            if merged is not None and is_header([fold(x) for x in merged]):
                headers, first = merged, found - 1
        titles = [" ".join(str(x).strip() for x in r if not _blank(x)) for r in rows[:first]]
        for i, h in enumerate(headers):
            if is_statement(h):  # “单位：万元” written in the header row's last cell
                titles.append(h)
                headers[i] = ""
        body = [(i + 1, r) for i, r in enumerate(rows) if i > last and not all(_blank(x) for x in r)]
        footers = []
        while body and all(is_statement(x) for x in body[-1][1] if not _blank(x)):
            footers.insert(0, " ".join(str(x).strip() for x in body.pop()[1] if not _blank(x)))
        return Table(f"{path.name}{'［' + name + '］' if name and len(sheets) > 1 else ''}", last + 1, headers, body,
                     [t for t in titles + footers if t], {(r, c) for r, c in info.percent if r > last + 1} if info else set(),
                     set(info.percent_cols) if info else set())
    hint = f"；可用 {option} 指定表头所在行" if option else ""
    for _, rows, _ in sheets if missing else []:
        for i, r in enumerate(rows[:MAX_HEADER_SCAN]):
            lack = missing([fold(x) for x in r])
            if lack:
                raise TableError(f"{path.name} 第{i + 1}行的表头缺少“{lack}”列（需要{need}）{hint}")
    raise TableError(f"{path.name} 中找不到表头行（需要{need}）{hint}")


#: columns a bureau's list always has that carry nothing to build: ids and contacts (always), and
#: classes and remarks (unless the header also names an amount or rate)
ID_WORDS = ("序号", "编号", "编码", "代码", "联系人", "联系电话", "电话", "手机", "邮箱", "电子邮件", "email", "e-mail",
            "地址", "邮编", "传真", "qq", "微信", "负责人", "填报人", "经办人", "审核人", "统一社会信用")
CLASS_WORDS = ("备注", "说明", "附注", "职务", "日期", "类型", "类别", "级次", "所属", "科目", "乡镇", "no", "no.")
ADMIN_WORDS = ID_WORDS + CLASS_WORDS
#: words of a header that names an amount, a rate or a score: such a column is never dropped
DATA_WORDS = ("预算", "执行", "支出", "经费", "资金", "金额", "拨款", "结转", "结余", "率", "满意", "得分", "自评",
              "分值", "指标", "数", "元", "%", "值")
_ID = tuple(fold(w) for w in ID_WORDS)
_CLASS = tuple(fold(w) for w in CLASS_WORDS)
_DATA = tuple(fold(w) for w in DATA_WORDS)


def unknown_column(header: str, values: list[Any], choices: frozenset[str] = frozenset()) -> str | None:
    """Why a column no reader knows must stop the run (it looks like data), or None when it is ignored.

    The rule, by class: administrative columns (序号, 联系人, 联系电话, 备注, 手机, 邮箱, 地址 …) and
    columns that are empty or hold only descriptive text are ignored (the run lists them once); a
    column whose header names an amount, rate or score (预算, 率, 满意度, a unit in brackets), or that
    holds numbers or an item's choices, is data that would be lost, so the run stops."""
    f = fold(header)
    if is_admin(header):
        return None
    filled = [v for v in values if not _blank(v)]
    if not filled:
        return None
    if re.search(r"\([^()]*\)$", f) and any(w in f for w in _DATA):
        return "表头像是金额、比率或得分"
    if any(_is_number(v) for v in filled):
        return "列中有数值"
    if choices and any(fold(v) in choices for v in filled if isinstance(v, str)):
        return "列中有填报项的选项"
    return None  # descriptive text (资金性质, 项目类别 …)


def is_admin(header: str) -> bool:
    """序号, 预算单位编码, 联系人, 联系电话 … always; 备注, 类型 … unless the header names an amount or rate."""
    f = fold(header)
    if any(w in f for w in _ID):
        return True
    return not any(w in f for w in _DATA[:13]) and any(w == f if w in ("no", "no.") else w in f for w in _CLASS)


_UNIT_STATED = re.compile(r"单位(?:[:：]|为|是)\s*([^\s)）\]】;；,，。]*)")
_MONEY_UNIT = re.compile(r"[万亿千百]?元")


def stated_unit(lines: list[str], source: str) -> str:
    """The money unit the title lines (or notes under the table) state (“单位：万元”, “金额单位：元”,
    “单位：人、万元”, “注：金额单位为万元”), "" when none; TableError when they state two different units
    (the unit cannot be known)."""
    found = []
    for line in lines:
        for m in _UNIT_STATED.finditer(unicodedata.normalize("NFKC", line)):
            units = _MONEY_UNIT.findall(m.group(1))
            for u in units[:1] if len(set(units)) == 1 else units:
                if u not in found:
                    found.append(u)
    if len(found) > 1:
        raise TableError(f"{source} 的标题行写了不同的金额单位（{'、'.join(found)}），无法确定金额的单位："
                         "请只保留一个“单位：…”，或在每个金额列的表头写明单位（如“全年预算数（万元）”）")
    return found[0] if found else ""


def is_statement(text: Any) -> bool:
    """A cell that states something about the table (“单位：万元”, “注：…”, “填表人：…”), not a value."""
    if not isinstance(text, str):
        return False
    s = unicodedata.normalize("NFKC", text).strip()
    return bool(_UNIT_STATED.search(s) and _MONEY_UNIT.search(s)) or bool(re.match(r"^(注|说明|备注|填表说明)\s*\d*[:：]", s)) \
        or bool(re.match(r"^[^:：]{1,8}[:：]", s) and re.search(r"(人|日期|电话|负责人|审核|制表)[:：]", s))
