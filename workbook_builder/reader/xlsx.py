"""Read the parts of a workbook the reader needs straight from its XML (defusedxml, no openpyxl).

One pass gives each cell's formula and cached value, sheet states and protection,
data-validation counts and defined names.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from .container import Container, Refused, parse_xml

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_RNS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_CELLS = 300_000
MAX_BOOK_CELLS = 400_000  # over all sheets: each cell read is kept (~250 bytes) until the report is made
MAX_VALIDATED_CELLS = 200_000  # cells covered by data validation, summed over a sheet's ranges
MAX_VALIDATION_RANGES = 20_000
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})$")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
MAX_ROW, MAX_COL = 1_048_576, 16_384


def parse_ref(ref: str | None) -> tuple[int, int] | None:
    """A cell reference (``B7``, ``$B$7``) as 0-based (row, col); None if it is not a valid one."""
    m = _REF.match(ref or "")
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    row = int(m.group(2))
    if col > MAX_COL or row > MAX_ROW:
        return None
    return row - 1, col - 1


def parse_number(text: str) -> float | None:
    """A number as a spreadsheet stores it (ASCII digits, finite), else None."""
    if not _NUMBER.match(text.strip()):
        return None
    x = float(text)
    return x if math.isfinite(x) else None


@dataclass
class Cell:
    value: Any = None  # cached value: float, str, bool or None
    formula: str | None = None  # without '='
    error: bool = False
    style: int = 0  # index into the workbook's cellXfs
    phonetic: bool = False  # a shared string with phonetic runs (<rPh>), which Excel may not show


@dataclass
class Validation:
    kind: str  # list | decimal | whole | date | custom | …
    formula1: str = ""
    formula2: str = ""
    ranges: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class Sheet:
    name: str
    state: str = "visible"
    part: str = ""
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    protected: bool = False
    protection: dict[str, str] = field(default_factory=dict)  # the <sheetProtection> attributes
    validated: set[tuple[int, int]] = field(default_factory=set)  # cells covered by data validation
    validations: list[Validation] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    #: conditional formats: (ranges, dxf ids of their rules)
    cond_formats: list[tuple[list[tuple[int, int, int, int]], list[int]]] = field(default_factory=list)
    stray_cells: int = 0  # <c> elements outside sheetData (in extLst, …): Excel and we may read other things


@dataclass
class Book:
    sheets: dict[str, Sheet]
    defined_names: dict[str, str]
    structure_locked: bool = False
    order: list[str] = field(default_factory=list)
    styles: Any = None
    #: ambiguities in the defined names: (name, what) for duplicates and sheet-local copies
    name_problems: list[tuple[str, str]] = field(default_factory=list)
    external_links: list[str] = field(default_factory=list)
    render: Any = None  # extras.Extras: what else decides the display (read by validate_file)
    package: Any = None  # package.Package: every part as Excel resolves it (drawings, rels of each sheet, …)

    def has_cached_values(self) -> bool:
        return any(c.formula and c.value not in (None, "") for s in self.sheets.values() for c in s.cells.values())


def _parse(c: Container, name: str, data: bytes | None = None):
    """The part's XML tree, parsed once per container (extras.py reads the same parts again)."""
    trees = c.__dict__.setdefault("_trees", {})
    if name not in trees:
        trees[name] = parse_xml(c, name, data)
    return trees[name]


def read_book(c: Container, load: set[str] | None = None) -> Book:
    """Sheets (cells parsed only for those named in ``load``), defined names, protection; every part
    found as Excel finds it, through the package's relationships (package.py)."""
    pkg = c.package if c.package is not None else _package(c)
    wb_part = pkg.part("workbook")
    wb = _parse(c, wb_part)
    links = [r.target for r in pkg.rels.get(wb_part, []) if r.type == "externalLink" or r.external]
    sheets: dict[str, Sheet] = {}
    order = []
    used: set[str] = set()
    for s in wb.iter(f"{NS}sheet"):
        rid = s.get(f"{RNS}id") or ""
        part = pkg.sheet_part(rid)
        if not part:
            raise Refused("package-invalid", f"工作表 {(s.get('name') or '')[:31]} 的关系“{rid[:20]}”不指向工作表部件")
        if part in used:
            raise Refused("part-names-disagree", f"两个工作表共用部件 {part[:60]}")
        used.add(part)
        sh = Sheet(s.get("name") or "", s.get("state", "visible"), part)
        if sh.name in sheets:
            raise Refused("duplicate-part", f"工作表名 {sh.name}")
        sheets[sh.name] = sh
        order.append(sh.name)
    unused = sorted(set(pkg.related(wb_part, "worksheet")) - used)
    if unused:  # a sheet part related but not listed: Excel does not show it
        raise Refused("part-unreachable", f"{unused[0][:60]}（工作簿未列出此工作表）")
    names: dict[str, str] = {}
    problems = []
    for dn in wb.iter(f"{NS}definedName"):
        name = dn.get("name") or ""
        if dn.get("localSheetId") is not None:
            problems.append((name, "local"))
            continue
        if name in names:
            problems.append((name, "duplicate"))
        names[name] = (dn.text or "").strip()
    prot = wb.find(f"{NS}workbookProtection")
    locked = prot is not None and prot.get("lockStructure") in ("1", "true")
    strings, phonetic = _shared_strings(c, pkg.part("sharedStrings"))
    budget = [MAX_BOOK_CELLS]
    for sh in sheets.values():
        if load is None or sh.name in load:
            _read_sheet(c, sh, strings, phonetic, budget)
    from .styles import Styles
    styles_part, theme_part = pkg.part("styles"), pkg.part("theme")
    if styles_part is None:
        raise Refused("package-invalid", "工作簿没有样式部件")
    styles = Styles(_parse(c, styles_part), _parse(c, theme_part) if theme_part else None)
    return Book(sheets, names, locked, order, styles, problems, links, pkg)


def _package(c: Container):
    from .package import open_package
    return open_package(c)


def _shared_strings(c: Container, part: str | None = "xl/sharedStrings.xml") -> tuple[list[str], set[int]]:
    if part is None or not c.has(part):
        return [], set()
    out, phonetic = [], set()
    for i, si in enumerate(_parse(c, part).iter(f"{NS}si")):
        # phonetic runs (<rPh>) are not shown by Excel: only the <t> of the string and of its runs count
        out.append("".join(t.text or "" for t in _shown_text(si)))
        if si.find(f"{NS}rPh") is not None:
            phonetic.add(i)
    return out, phonetic


def _shown_text(si):
    """The <t> elements Excel displays: the item's own and its rich-text runs', never phonetic ones."""
    for ch in si:
        if ch.tag == f"{NS}t":
            yield ch
        elif ch.tag == f"{NS}r":
            yield from ch.findall(f"{NS}t")


def _ranges(sqref: str) -> list[tuple[int, int, int, int]]:
    out = []
    for part in sqref.split()[:MAX_VALIDATION_RANGES]:
        a, _, b = part.partition(":")
        p, q = parse_ref(a), parse_ref(b) if b else parse_ref(a)
        if p is not None and q is not None:
            out.append((min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1])))
    return out


X14 = "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}"
XM = "{http://schemas.microsoft.com/office/excel/2006/main}"


def _read_sheet(c: Container, sh: Sheet, strings: list[str], phonetic: set[int] | None = None,
                budget: list[int] | None = None) -> None:
    data = c.read(sh.part)
    n_cells = len(_CELL_TAG.findall(data))
    if n_cells > MAX_CELLS:
        raise Refused("file-too-large", f"工作表 {sh.name} 超过 {MAX_CELLS} 个单元格")
    if budget is not None:
        budget[0] -= n_cells
        if budget[0] < 0:
            raise Refused("file-too-large", f"工作簿超过 {MAX_BOOK_CELLS} 个单元格")
    root = _parse(c, sh.part, data)
    p = root.find(f"{NS}sheetProtection")
    sh.protected = p is not None and p.get("sheet") in ("1", "true")
    sh.protection = dict(p.attrib) if p is not None else {}
    budget = [MAX_VALIDATION_RANGES, MAX_VALIDATED_CELLS]
    dvs = root.find(f"{NS}dataValidations")
    for dv in dvs.findall(f"{NS}dataValidation") if dvs is not None else []:
        sqref = dv.get("sqref", "")
        sh.validated |= _expand(sqref, budget, sh.name)
        f1, f2 = dv.find(f"{NS}formula1"), dv.find(f"{NS}formula2")
        sh.validations.append(Validation(dv.get("type", "none"), (f1.text or "") if f1 is not None else "",
                                         (f2.text or "") if f2 is not None else "", _ranges(sqref)))
    for dv in root.iter(f"{X14}dataValidation"):  # Excel keeps validations whose list is on another sheet here
        sq = dv.find(f"{XM}sqref")
        sqref = (sq.text or "") if sq is not None else ""
        sh.validated |= _expand(sqref, budget, sh.name)
        f1, f2 = dv.find(f"{X14}formula1/{XM}f"), dv.find(f"{X14}formula2/{XM}f")
        sh.validations.append(Validation(dv.get("type", "none"), (f1.text or "") if f1 is not None else "",
                                         (f2.text or "") if f2 is not None else "", _ranges(sqref)))
    for cf in root.findall(f"{NS}conditionalFormatting"):
        ids = [int(r.get("dxfId")) for r in cf.findall(f"{NS}cfRule") if (r.get("dxfId") or "").isdigit()]
        sh.cond_formats.append((_ranges(cf.get("sqref", "")), ids))
    cols = root.find(f"{NS}cols")
    for col in list(cols) if cols is not None else []:
        width = col.get("width")
        if col.get("hidden") in ("1", "true") or (width is not None and _float(width) == 0):
            lo, hi = int(_float(col.get("min") or 1)), int(_float(col.get("max") or 1))
            sh.hidden_cols |= set(range(max(lo, 1) - 1, min(hi, lo + 200)))
    shared: dict[str, tuple[str, str]] = {}
    pending: list[tuple[tuple[int, int], str, str]] = []
    data_el = root.find(f"{NS}sheetData")
    rows = list(data_el) if data_el is not None else []
    seen: set[tuple[int, int]] = set()
    for row_el in rows:
        if row_el.tag != f"{NS}row":
            raise Refused("xml-invalid", f"工作表 {sh.name} 的数据区有不属于表格的内容（{_local(row_el.tag)}）")
        if row_el.get("hidden") in ("1", "true") or (row_el.get("ht") is not None and _float(row_el.get("ht")) == 0):
            r = row_el.get("r")
            if (r or "").isdigit():
                sh.hidden_rows.add(int(r) - 1)
        last = None
        for el in row_el:
            if el.tag != f"{NS}c":
                raise Refused("xml-invalid", f"工作表 {sh.name} 的行中有不属于表格的内容（{_local(el.tag)}）")
            for part in el:
                if part.tag not in _CELL_PARTS:
                    raise Refused("xml-invalid", f"工作表 {sh.name} 的单元格中有不属于表格的内容（{_local(part.tag)}）")
            ref = el.get("r")
            if ref is None and last is not None:  # Excel allows r to be left out: the next column
                rc = (last[0], last[1] + 1)
                ref = xl_rowcol_to_cell(*rc)
            elif ref is None:
                r = row_el.get("r")
                if not (r or "").isdigit() or not 1 <= int(r) <= MAX_ROW:
                    raise Refused("xml-invalid", f"工作表 {sh.name} 有一个没有位置的单元格")
                rc = (int(r) - 1, 0)
                ref = xl_rowcol_to_cell(*rc)
            else:
                rc = parse_ref(ref)
                if rc is None:
                    raise Refused("xml-invalid", f"工作表 {sh.name} 的单元格地址“{ref[:20]}”无效")
            if rc in seen:  # Excel and other readers disagree on which copy counts
                raise Refused("duplicate-cell", f"{sh.name}!{ref}")
            seen.add(rc)
            last = rc
            _read_cell(el, rc, ref, sh, strings, shared, pending, phonetic or set())
    sh.stray_cells = n_cells - len(seen)
    if pending:
        from openpyxl.formula.translate import Translator
        for rc, si, ref in pending:
            if si in shared:
                text, origin = shared[si]
                try:
                    f = Translator("=" + text, origin).translate_formula(ref)[1:]
                except Exception:  # noqa: BLE001 - openpyxl's tokenizer on a hostile formula
                    raise Refused("xml-invalid", f"工作表 {sh.name} 的共享公式无法展开") from None
                sh.cells.setdefault(rc, Cell()).formula = f


_CELL_PARTS = {f"{NS}f", f"{NS}v", f"{NS}is"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1][:40]


def _float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return -1.0


def _read_cell(el, rc, ref, sh: Sheet, strings: list[str], shared, pending, phonetic: set[int]) -> None:
    t = el.get("t", "n")
    cell = Cell()
    st = el.get("s")
    cell.style = int(st) if st and st.isascii() and st.isdigit() and len(st) < 7 else 0
    f = el.find(f"{NS}f")
    if f is not None:
        if f.get("t") == "shared":
            si = f.get("si")
            if f.text:
                shared[si] = (f.text, ref)
                cell.formula = f.text
            else:
                pending.append((rc, si, ref))
        else:
            cell.formula = f.text or ""
    v = el.find(f"{NS}v")
    if t == "inlineStr":
        isel = el.find(f"{NS}is")
        cell.value = "" if isel is None else "".join(x.text or "" for x in _shown_text(isel))
        cell.phonetic = isel is not None and isel.find(f"{NS}rPh") is not None
    elif v is not None and v.text is not None:
        if t == "s":
            i = v.text.strip()
            if not i.isascii() or not i.isdigit() or int(i) >= len(strings):
                raise Refused("xml-invalid", f"工作表 {sh.name} 单元格 {ref} 引用了不存在的共享字符串“{i[:20]}”")
            cell.value = strings[int(i)]
            cell.phonetic = int(i) in phonetic
        elif t in ("str",):
            cell.value = v.text
        elif t == "b":
            cell.value = v.text in ("1", "true")
        elif t == "e":
            cell.value, cell.error = v.text, True
        else:
            x = parse_number(v.text)
            cell.value = v.text if x is None else x  # NaN, INF, 1e400, full-width digits stay text
    elif t == "str" and f is not None:
        cell.value = ""
    sh.cells[rc] = cell  # kept even when empty: its style (lock, format) matters


def _expand(sqref: str, budget: list[int], sheet: str) -> set[tuple[int, int]]:
    """The cells of a validation's ranges; ``budget`` ([ranges, cells] left) bounds the work per sheet."""
    out: set[tuple[int, int]] = set()
    for part in sqref.split():
        budget[0] -= 1
        if budget[0] < 0:
            raise Refused("file-too-large", f"工作表 {sheet} 的数据有效性区域超过 {MAX_VALIDATION_RANGES} 个")
        a, _, b = part.partition(":")
        p, q = parse_ref(a), parse_ref(b) if b else parse_ref(a)
        if p is None or q is None:
            continue  # a whole-column or malformed range: not one of ours
        (r1, c1), (r2, c2) = p, q
        size = (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
        if size > 100_000:
            continue  # a whole-column rule: not one of ours
        budget[1] -= size
        if budget[1] < 0:
            raise Refused("file-too-large", f"工作表 {sheet} 的数据有效性覆盖的单元格过多")
        out |= {(r, c) for r in range(min(r1, r2), max(r1, r2) + 1) for c in range(min(c1, c2), max(c1, c2) + 1)}
    return out


def cell_name(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col)
