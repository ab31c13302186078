"""Read the tables a bureau really has: exports from other systems, as CSV or a workbook.

* CSV in UTF-8 (with or without BOM), GBK/GB18030 (what Chinese Excel saves) or UTF-16, read without options;
* .xlsx / .xlsm / .xls / .et / .ods through python-calamine (cached values, so cells may hold formulas);
* the header row found under title rows (or given), on whichever sheet has it (or the one named);
* headers matched after folding full-width characters, spaces and bracket styles (``部门（单位）名称``);
* blank rows skipped; every row keeps its real spreadsheet row number for messages.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".xlsb")
MAX_HEADER_SCAN = 30


class TableError(ValueError):
    """A table that cannot be read: a Chinese message for the user."""


@dataclass
class Table:
    source: str  # file name, and sheet for workbooks
    header_row: int  # 1-based, as the spreadsheet shows it
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (1-based spreadsheet row, cells)


def fold(text: Any) -> str:
    """A header or name folded for matching: full-width to half-width, no spaces, one bracket style."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = s.replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")").replace("〔", "(").replace("〕", ")")
    s = s.replace("·", "").replace("•", "").replace("・", "")
    return re.sub(r"\s+", "", s).lower()


def decode(data: bytes) -> str:
    """CSV bytes as text: BOMs first, then UTF-8, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        return data.decode("utf-16-le")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别文件编码，请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后重试")


def _csv_rows(path: Path) -> list[list[Any]]:
    text = decode(path.read_bytes())
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    try:
        from python_calamine import CalamineWorkbook
        wb = CalamineWorkbook.from_path(str(path))
        return [(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in wb.sheet_names]
    except Exception as e:  # noqa: BLE001 - any unreadable workbook is the user's file, explained in Chinese
        why = "文件已损坏或不完整" if _head(path) == b"PK" else "不是 Excel 工作簿（可能是别的文件改了扩展名）"
        raise TableError(f"无法读取工作簿 {path.name}（{why}），请在 Excel 或 WPS 中另存为 .xlsx 后重试") from None


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(2)
    except OSError:
        return b""


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def read(path: Path, is_header: Callable[[list[str]], bool], sheet: str | None = None,
         header_row: int | None = None) -> Table:
    """The table in ``path`` whose header row satisfies ``is_header`` (folded headers), or the one given."""
    if not path.exists():
        raise TableError(f"找不到文件 {path}")
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        sheets = _sheets(path)
        if sheet is not None:
            sheets = [(n, r) for n, r in sheets if fold(n) == fold(sheet)]
            if not sheets:
                raise TableError(f"{path.name} 中没有名为“{sheet}”的工作表")
    elif suffix in (".csv", ".txt", ".tsv", ""):
        if sheet is not None:
            raise TableError(f"{path.name} 是 CSV 文件，没有工作表；--sheet 只用于 Excel 表格")
        sheets = [("", _csv_rows(path))]
    else:
        raise TableError(f"不支持 {path.suffix} 文件，请使用 .xlsx 或 .csv")
    for name, rows in sheets:
        rows = [list(r) for r in rows]
        if header_row is not None:
            if not 1 <= header_row <= len(rows):
                raise TableError(f"{path.name} 没有第 {header_row} 行")
            found = header_row - 1
        else:
            found = next((i for i, r in enumerate(rows[:MAX_HEADER_SCAN]) if is_header([fold(x) for x in r])), None)
            if found is None:
                continue
        headers = [str(x).strip() if not _blank(x) else "" for x in rows[found]]
        body = [(i + 1, r) for i, r in enumerate(rows) if i > found and not all(_blank(x) for x in r)]
        return Table(f"{path.name}{'［' + name + '］' if name and len(sheets) > 1 else ''}", found + 1, headers, body)
    raise TableError(f"{path.name} 中找不到表头行（需要一列“部门名称”）；可用 --header-row 指定表头所在行")
