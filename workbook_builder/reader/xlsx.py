"""Read the parts of a workbook the reader needs straight from its XML (defusedxml, no openpyxl).

One pass gives each cell's formula and cached value, sheet states and protection,
data-validation counts and defined names.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree as ET
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

from .container import Container, Refused

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_RNS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_CELLS = 300_000


@dataclass
class Cell:
    value: Any = None  # cached value: float, str, bool or None
    formula: str | None = None  # without '='
    error: bool = False


@dataclass
class Sheet:
    name: str
    state: str = "visible"
    part: str = ""
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    protected: bool = False
    validated: set[tuple[int, int]] = field(default_factory=set)  # cells covered by data validation


@dataclass
class Book:
    sheets: dict[str, Sheet]
    defined_names: dict[str, str]
    structure_locked: bool = False

    def has_cached_values(self) -> bool:
        return any(c.formula and c.value not in (None, "") for s in self.sheets.values() for c in s.cells.values())


def _parse(c: Container, name: str):
    try:
        return ET.fromstring(c.read(name))
    except Refused:
        raise
    except ET.ParseError as e:
        raise Refused("xml-invalid", f"{name}: {e}") from None
    except Exception as e:  # defusedxml's EntitiesForbidden, DTDForbidden, ...
        raise Refused("xml-entities", f"{name}: {type(e).__name__}") from None


def read_book(c: Container, load: set[str] | None = None) -> Book:
    """Sheets (cells parsed only for those named in ``load``), defined names, protection."""
    wb = _parse(c, "xl/workbook.xml")
    rels = {}
    if c.has("xl/_rels/workbook.xml.rels"):
        for r in _parse(c, "xl/_rels/workbook.xml.rels").iter(f"{PKG_RNS}Relationship"):
            target = r.get("Target", "")
            rels[r.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    sheets: dict[str, Sheet] = {}
    for s in wb.iter(f"{NS}sheet"):
        sh = Sheet(s.get("name"), s.get("state", "visible"), rels.get(s.get(f"{RNS}id"), ""))
        sheets[sh.name] = sh
    names = {}
    for dn in wb.iter(f"{NS}definedName"):
        names[dn.get("name")] = (dn.text or "").strip()
    prot = wb.find(f"{NS}workbookProtection")
    locked = prot is not None and prot.get("lockStructure") in ("1", "true")
    strings = _shared_strings(c)
    for sh in sheets.values():
        if load is None or sh.name in load:
            if sh.part and c.has(sh.part):
                _read_sheet(c, sh, strings)
    return Book(sheets, names, locked)


def _shared_strings(c: Container) -> list[str]:
    if not c.has("xl/sharedStrings.xml"):
        return []
    out = []
    for si in _parse(c, "xl/sharedStrings.xml").iter(f"{NS}si"):
        out.append("".join(t.text or "" for t in si.iter(f"{NS}t")))
    return out


def _read_sheet(c: Container, sh: Sheet, strings: list[str]) -> None:
    root = _parse(c, sh.part)
    p = root.find(f"{NS}sheetProtection")
    sh.protected = p is not None and p.get("sheet") in ("1", "true")
    dvs = root.find(f"{NS}dataValidations")
    if dvs is not None:
        for dv in dvs.findall(f"{NS}dataValidation"):
            sh.validated |= _expand(dv.get("sqref", ""))
    shared: dict[str, tuple[str, str]] = {}
    pending: list[tuple[tuple[int, int], str, str]] = []
    n = 0
    for el in root.iter(f"{NS}c"):
        n += 1
        if n > MAX_CELLS:
            raise Refused("file-too-large", f"工作表 {sh.name} 超过 {MAX_CELLS} 个单元格")
        ref = el.get("r")
        rc = xl_cell_to_rowcol(ref)
        t = el.get("t", "n")
        cell = Cell()
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
            cell.value = "".join(x.text or "" for x in el.iter(f"{NS}t"))
        elif v is not None and v.text is not None:
            if t == "s":
                cell.value = strings[int(v.text)]
            elif t in ("str",):
                cell.value = v.text
            elif t == "b":
                cell.value = v.text in ("1", "true")
            elif t == "e":
                cell.value, cell.error = v.text, True
            else:
                try:
                    cell.value = float(v.text)
                except ValueError:
                    cell.value = v.text
        elif t == "str" and f is not None:
            cell.value = ""
        if cell.value is not None or cell.formula is not None:
            sh.cells[rc] = cell
        elif f is not None:
            sh.cells[rc] = cell
    if pending:
        from openpyxl.formula.translate import Translator
        for rc, si, ref in pending:
            if si in shared:
                text, origin = shared[si]
                sh.cells.setdefault(rc, Cell()).formula = Translator("=" + text, origin).translate_formula(ref)[1:]


def _expand(sqref: str) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for part in sqref.split():
        a, _, b = part.partition(":")
        r1, c1 = xl_cell_to_rowcol(a)
        r2, c2 = xl_cell_to_rowcol(b) if b else (r1, c1)
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 100_000:
            continue  # a whole-column rule: not one of ours
        out |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    return out


def cell_name(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col)
