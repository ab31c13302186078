"""A cheap, bounded look inside an .xlsx before a reader (calamine, openpyxl) opens it.

A sheet may declare, or use, a cell as far as XFD1048576 in a file of a few KB; a reader that
allocates the sheet's rectangle then aborts natively (hundreds of GB). ``scan`` streams each
worksheet's XML (never more than ``MAX_PART`` bytes of it), takes the larger of the declared
<dimension> and the cells really present, and raises ``SheetTooLarge`` (a Chinese message) when
the rectangle from A1 exceeds ``MAX_CELLS``. It also returns the percent-formatted cells and
columns, so a list's 0.95 shown as 95% is read as 95%. Files that are not a readable zip are left to the reader
(it explains them).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree as ET

MAX_CELLS = 5_000_000  # rows × columns from A1 (a 100,000-row list of 50 columns)
MAX_PART = 256 * 1024 * 1024  # uncompressed bytes of one sheet or of the shared strings
MAX_SMALL = 16 * 1024 * 1024  # workbook.xml, its rels, styles.xml
_CHUNK = 1 << 20
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|col|dimension)\b([^>]*)>")
_ATTR = re.compile(rb'\b(r|s|ref|min|max|style)\s*=\s*"([^"]*)"')
_CREF = re.compile(rb'\br\s*=\s*"\$?([A-Za-z]{1,3})\$?(\d{1,7})"')
_CSTYLE = re.compile(rb'\bs\s*=\s*"(\d{1,6})"')
_COLS: dict[bytes, int] = {}
_REF = re.compile(r"^\$?([A-Za-z]{1,3})?\$?(\d{1,7})?$")
_BUILTIN_PERCENT = {9, 10}
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class SheetTooLarge(ValueError):
    """A sheet or part too large to read: a Chinese message for the user."""


@dataclass
class SheetInfo:
    rows: int = 0
    cols: int = 0
    percent: set[tuple[int, int]] = field(default_factory=set)  # (1-based row, 0-based column)
    percent_cols: set[int] = field(default_factory=set)  # 0-based columns formatted as percent (<col style>)


def _col(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _ref(text: str) -> tuple[int, int]:
    """(row, column), 1-based, of the bottom-right end of ``A1`` or ``A1:XFD1048576`` (0 when absent)."""
    end = text.split(":")[-1].strip()
    m = _REF.match(end)
    if not m:
        return 0, 0
    return int(m.group(2) or 0), _col(m.group(1) or "")


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        with zf.open(name) as f:
            data = f.read(MAX_SMALL + 1)
    except KeyError:
        return None
    if len(data) > MAX_SMALL:
        raise SheetTooLarge(f"工作簿的 {name} 部分过大（超过 {MAX_SMALL // (1 << 20)} MB），请在 Excel 或 WPS 中另存为 .xlsx 后重试")
    return data


def _unquote(code: str) -> str:
    return re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code)


def percent_styles(styles: bytes | None) -> set[int]:
    """Indices of cellXfs whose number format shows a percent (built-in 9/10 or a code with %)."""
    if not styles:
        return set()
    root = ET.fromstring(styles)
    custom = {}
    for el in root.iter():
        if el.tag.endswith("}numFmt") or el.tag == "numFmt":
            try:
                custom[int(el.get("numFmtId", "-1"))] = el.get("formatCode", "")
            except ValueError:
                continue
    out = set()
    for el in root.iter():
        if el.tag.endswith("}cellXfs") or el.tag == "cellXfs":
            for i, xf in enumerate(x for x in el if x.tag.endswith("xf")):
                try:
                    fid = int(xf.get("numFmtId", "0"))
                except ValueError:
                    continue
                if fid in _BUILTIN_PERCENT or "%" in _unquote(custom.get(fid, "")):
                    out.add(i)
    return out


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its XML."""
    wb, rels = _read_small(zf, "xl/workbook.xml"), _read_small(zf, "xl/_rels/workbook.xml.rels")
    if wb is None or rels is None:
        return {}
    targets = {}
    for el in ET.fromstring(rels):
        target = el.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[el.get("Id")] = path
    out = {}
    for el in ET.fromstring(wb).iter():
        if el.tag.endswith("}sheet"):
            rid = el.get(f"{{{_NS_REL}}}id")
            if rid in targets:
                out[el.get("name", "")] = targets[rid]
    return out


def _scan_sheet(zf: zipfile.ZipFile, member: str, name: str, percent_xf: set[int]) -> SheetInfo:
    info = SheetInfo()
    row = col = 0
    seen = 0
    tail = b""
    try:
        f = zf.open(member)
    except KeyError:
        return info
    with f:
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            seen += len(chunk)
            if seen > MAX_PART:
                raise SheetTooLarge(f"工作表“{name}”的内容过大（解压后超过 {MAX_PART >> 20} MB），"
                                    "请删除多余的行列，或把名单复制到新的工作簿后重试")
            data = tail + chunk
            cut = data.rfind(b"<")
            if cut < 0:
                tail = b""
                continue
            body, tail = data[:cut], data[cut:]
            if len(tail) > 4096:  # a tag that long is not a cell; do not let it grow
                body, tail = data, b""
            for m in _TAG.finditer(body):
                kind = m.group(1)
                if kind == b"c":  # the common case, kept cheap: one search for the reference
                    ref = _CREF.search(m.group(2))
                    if ref:
                        letters = ref.group(1)
                        cc = _COLS.get(letters) or _COLS.setdefault(letters, _col(letters.decode("ascii")))
                        row, col = int(ref.group(2)), cc
                    else:
                        col += 1
                    if row > info.rows or col > info.cols:
                        info.rows, info.cols = max(info.rows, row), max(info.cols, col)
                        _bound(info, name)
                    if percent_xf:
                        st = _CSTYLE.search(m.group(2))
                        if st and int(st.group(1)) in percent_xf:
                            info.percent.add((row, col - 1))
                    continue
                attrs = dict(_ATTR.findall(m.group(2)))
                if kind == b"dimension":
                    r, c = _ref(attrs.get(b"ref", b"").decode("ascii", "replace"))
                    info.rows, info.cols = max(info.rows, r), max(info.cols, c)
                elif kind == b"col":
                    lo, hi, st = attrs.get(b"min", b""), attrs.get(b"max", b""), attrs.get(b"style", b"")
                    if lo.isdigit() and hi.isdigit() and st.isdigit() and int(st) in percent_xf:
                        info.percent_cols.update(range(int(lo) - 1, min(int(hi), 16_384)))
                elif kind == b"row":
                    r = attrs.get(b"r")
                    row = int(r) if r and r.isdigit() else row + 1
                    col = 0
                    info.rows = max(info.rows, row)
                _bound(info, name)
    return info


def _bound(info: SheetInfo, name: str) -> None:
    if info.rows * max(info.cols, 1) > MAX_CELLS or info.rows > 1_048_576 or info.cols > 16_384:
        raise SheetTooLarge(
            f"工作表“{name}”的范围过大（{info.rows} 行 × {info.cols} 列，上限为 {MAX_CELLS:,} 个单元格）："
            "多半是远处的某个单元格有内容或格式，请删除多余的行列（或把名单复制到新的工作簿）后重试")


def _count_part(zf: zipfile.ZipFile, member: str) -> None:
    try:
        f = zf.open(member)
    except KeyError:
        return
    seen = 0
    with f:
        while chunk := f.read(_CHUNK):
            seen += len(chunk)
            if seen > MAX_PART:
                raise SheetTooLarge(f"工作簿中的文字内容过大（解压后超过 {MAX_PART >> 20} MB），请删除多余的内容后重试")


def scan(path: Path) -> dict[str, SheetInfo]:
    """Each sheet's size and percent cells; SheetTooLarge when one is too large to read safely."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}
    with zf:
        try:
            parts = _sheet_parts(zf)
            percent_xf = percent_styles(_read_small(zf, "xl/styles.xml"))
        except ET.ParseError:
            return {}
        except SheetTooLarge:
            raise
        except Exception:  # noqa: BLE001 - a broken part is the reader's to explain
            return {}
        out = {}
        try:
            _count_part(zf, "xl/sharedStrings.xml")
            for name, member in parts.items():
                out[name] = _scan_sheet(zf, member, name, percent_xf)
        except SheetTooLarge:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
            return out  # a corrupt member: the reader will say the file cannot be read
        return out
