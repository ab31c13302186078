"""What else decides what a reviewer sees, read from a workbook's parts: merges, things drawn over the
cells (shapes, text boxes, pictures, notes), hyperlinks, validation messages, rich-text runs, row
heights and column widths, print area and titles, headers and footers, conditional formats that are
not styles (data bars, icon sets, colour scales, x14 formats), the workbook's and sheets' views.

Parts are found as Excel finds them: through the relationships of the package, the workbook and each
sheet. Everything here is bounded by the limits xlsx.py already enforced on the parts it read.
"""

from __future__ import annotations

import math
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from .container import Container
from .xlsx import NS, PKG_RNS, RNS, X14, XM, Book, _parse, _ranges, parse_ref

OFFICE_DOC = "/officeDocument"
MAX_ITEMS = 5_000  # drawings, comments, hyperlinks, validations and runs kept per sheet
MAX_RANGES = 2_000  # ranges of drawn conditional formats per sheet, and of a print area: each is tested per cell
_VML_SHAPE = re.compile(rb"<v:shape\b.*?</v:shape>", re.S)
_VML_TYPE = re.compile(rb'ObjectType\s*=\s*"([^"]*)"')
_VML_ROW = re.compile(rb"<x:Row>\s*(\d+)\s*</x:Row>")
_VML_COL = re.compile(rb"<x:Column>\s*(\d+)\s*</x:Column>")
_VML_ANCHOR = re.compile(rb"<x:Anchor>\s*(\d+)\s*,\s*\d+\s*,\s*(\d+)")
_VML_VISIBLE = re.compile(rb"<x:Visible\s*/?>(?!\s*(?:false|0|f)\b)", re.I)


@dataclass
class Drawn:
    """One object drawn over a sheet: what it is and the cell its top-left corner sits on."""
    kind: str  # shape | picture | chart | group | connector | control | note | background | …
    row: int = 0
    col: int = 0
    text: str = ""


@dataclass
class Message:
    """A data validation's messages and the cells it covers."""
    ranges: list[tuple[int, int, int, int]]
    prompt_title: str = ""
    prompt: str = ""
    show_prompt: bool = False
    error_title: str = ""
    error: str = ""
    show_error: bool = False


@dataclass
class SheetExtras:
    merges: set[tuple[int, int, int, int]] = field(default_factory=set)
    drawn: list[Drawn] = field(default_factory=list)
    comments: dict[tuple[int, int], str] = field(default_factory=dict)
    hyperlinks: list[tuple[tuple[int, int, int, int], str]] = field(default_factory=list)  # range, what it says
    messages: list[Message] = field(default_factory=list)
    runs: dict[tuple[int, int], list[Any]] = field(default_factory=dict)  # rich-text <rPr> of each run
    row_heights: dict[int, float] = field(default_factory=dict)
    default_row_height: float = 15.0
    rows_hidden_by_default: bool = False  # sheetFormatPr zeroHeight: rows not listed are hidden
    col_widths: dict[int, float] = field(default_factory=dict)
    default_col_width: float = 8.43
    header_footer: list[str] = field(default_factory=list)
    print_area: list[tuple[int, int, int, int]] | None = None
    print_title_rows: tuple[int, int] | None = None
    print_title_cols: tuple[int, int] | None = None
    #: conditional formats that draw something of their own: (ranges, kind, shows the value)
    drawn_formats: list[tuple[list[tuple[int, int, int, int]], str, bool]] = field(default_factory=list)
    view: dict[str, str] = field(default_factory=dict)  # the first <sheetView>'s attributes


@dataclass
class Extras:
    sheets: dict[str, SheetExtras] = field(default_factory=dict)
    active: str | None = None  # the sheet the workbook opens on
    view: dict[str, str] = field(default_factory=dict)  # the <workbookView> attributes


def rels(c: Container, part: str) -> dict[str, tuple[str, str, str]]:
    """A part's relationships: id -> (type, target part, target mode)."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", name + ".rels")
    out: dict[str, tuple[str, str, str]] = {}
    if not c.has(path):
        return out
    for r in _parse(c, path).iter(f"{PKG_RNS}Relationship"):
        target = r.get("Target") or ""
        mode = r.get("TargetMode") or ""
        if mode != "External":
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[r.get("Id") or ""] = (r.get("Type") or "", target, mode)
    return out


def workbook_part(c: Container) -> str:
    """The workbook part the package's relationships name (Excel opens that one)."""
    for kind, target, _ in rels(c, "").values():
        if kind.endswith(OFFICE_DOC) and c.has(target):
            return target
    return "xl/workbook.xml"


def _of_type(r: dict[str, tuple[str, str, str]], suffix: str) -> list[str]:
    return [t for k, t, mode in r.values() if k.endswith(suffix) and mode != "External"]


def read_extras(c: Container, book: Book, sheets: tuple[str, ...] | None = None) -> Extras:
    """The extras of the named sheets (every sheet when None)."""
    wb_part = workbook_part(c)
    wb = _parse(c, wb_part)
    out = Extras()
    view = wb.find(f"{NS}bookViews/{NS}workbookView")
    out.view = dict(view.attrib) if view is not None else {}
    tab = out.view.get("activeTab", "0")
    if tab.isdigit() and int(tab) < len(book.order):
        out.active = book.order[int(tab)]
    wrels = rels(c, wb_part)
    runs = _shared_runs(c, _of_type(wrels, "/sharedStrings"))
    local: dict[str, dict[str, str]] = {}
    for dn in wb.iter(f"{NS}definedName"):
        i = dn.get("localSheetId")
        if i is not None and i.isdigit() and int(i) < len(book.order):
            names = local.setdefault(book.order[int(i)], {})
            key, text = dn.get("name") or "", (dn.text or "").strip()
            if key == "_xlnm.Print_Area" and key in names:  # defined twice: applications differ, the smaller wins
                text = min(names[key], text, key=lambda a: sum((r2 - r1 + 1) * (c2 - c1 + 1)
                                                               for r1, c1, r2, c2 in _areas(a)))
            names[key] = text
    for name, sh in book.sheets.items():
        if sheets is not None and name not in sheets:
            continue
        if not sh.part or not c.has(sh.part):
            continue
        ex = _read_sheet(c, sh.part, runs)
        names = local.get(name, {})
        area = names.get("_xlnm.Print_Area")
        if area is not None:
            ex.print_area = _areas(area)
        titles = names.get("_xlnm.Print_Titles")
        if titles:
            ex.print_title_rows, ex.print_title_cols = _titles(titles)
        out.sheets[name] = ex
    return out


def _shared_runs(c: Container, parts: list[str]) -> dict[int, list[Any]]:
    """For each shared string with rich-text runs, the runs' <rPr> (None for a run without one)."""
    out: dict[int, list[Any]] = {}
    for part in parts[:1]:
        if not c.has(part):
            continue
        for i, si in enumerate(_parse(c, part).iter(f"{NS}si")):
            r = _runs(si)
            if r:
                out[i] = r
    return out


def _runs(el) -> list[tuple[Any, str]]:
    """The (rPr, text) of each rich-text run of a string item, [] when it has none."""
    found = el.findall(f"{NS}r")
    return [(r.find(f"{NS}rPr"), "".join(t.text or "" for t in r.findall(f"{NS}t"))) for r in found[:MAX_ITEMS]]


def _num(v: str | None, default: float) -> float:
    try:
        x = float(v) if v is not None else default
    except ValueError:
        return default
    return x if math.isfinite(x) and abs(x) < 1e6 else default


def _flag(v: str | None) -> bool:
    return (v or "").strip().lower() in ("1", "true")


def _read_sheet(c: Container, part: str, runs: dict[int, list[Any]]) -> SheetExtras:
    root = _parse(c, part)
    ex = SheetExtras()
    srels = rels(c, part)
    sv = root.find(f"{NS}sheetViews/{NS}sheetView")
    ex.view = dict(sv.attrib) if sv is not None else {}
    fmt = root.find(f"{NS}sheetFormatPr")
    if fmt is not None:
        ex.default_row_height = _num(fmt.get("defaultRowHeight"), 15.0)
        ex.rows_hidden_by_default = _flag(fmt.get("zeroHeight"))
        base = _num(fmt.get("baseColWidth"), 8.0)
        ex.default_col_width = _num(fmt.get("defaultColWidth"), base + 0.43)
    cols = root.find(f"{NS}cols")
    for col in list(cols)[:MAX_ITEMS] if cols is not None else []:
        lo, hi = int(_num(col.get("min"), 1)), int(_num(col.get("max"), 1))
        width = _num(col.get("width"), ex.default_col_width)
        for i in range(max(lo, 1) - 1, min(hi, lo + 200)):
            ex.col_widths[i] = width
    data = root.find(f"{NS}sheetData")
    for row in list(data) if data is not None else []:
        r = row.get("r")
        if r is not None and r.isdigit() and row.get("ht") is not None:
            ex.row_heights[int(r) - 1] = _num(row.get("ht"), ex.default_row_height)
        for el in row:
            t = el.get("t")
            if t not in ("s", "inlineStr"):
                continue
            rc = parse_ref(el.get("r"))
            if rc is None:
                continue
            if t == "inlineStr":
                isel = el.find(f"{NS}is")
                found = _runs(isel) if isel is not None else []
            else:
                v = el.find(f"{NS}v")
                i = (v.text or "").strip() if v is not None else ""
                found = runs.get(int(i), []) if i.isdigit() else []
            if found and len(ex.runs) < MAX_ITEMS:
                ex.runs[rc] = found
    for m in root.iter(f"{NS}mergeCell"):
        for rng in _ranges(m.get("ref") or "")[:1]:
            if rng[0] != rng[2] or rng[1] != rng[3]:
                ex.merges.add(rng)
        if len(ex.merges) > MAX_ITEMS:
            break
    for h in list(root.iter(f"{NS}hyperlink"))[:MAX_ITEMS]:
        what = h.get("tooltip") or h.get("display") or h.get("location") or ""
        rid = h.get(f"{RNS}id")
        if rid and rid in srels:
            what = what or srels[rid][1]
        for rng in _ranges(h.get("ref") or "")[:1]:
            ex.hyperlinks.append((rng, what))
    for dv in list(root.iter(f"{NS}dataValidation"))[:MAX_ITEMS]:
        ex.messages.append(_message(dv, _ranges(dv.get("sqref") or "")))
    for dv in list(root.iter(f"{X14}dataValidation"))[:MAX_ITEMS]:
        sq = dv.find(f"{XM}sqref")
        ex.messages.append(_message(dv, _ranges((sq.text or "") if sq is not None else "")))
    budget = [MAX_RANGES]
    for cf in root.findall(f"{NS}conditionalFormatting"):
        for rule in cf.findall(f"{NS}cfRule"):
            kind = rule.get("type") or ""
            if kind in ("dataBar", "iconSet", "colorScale"):
                el = rule.find(f"{NS}{kind}")
                _drawn_format(ex, cf.get("sqref") or "", kind, el, budget)
    for cf in root.iter(f"{X14}conditionalFormatting"):  # Excel applies these; LibreOffice may not
        sq = cf.find(f"{XM}sqref")
        for rule in cf.findall(f"{X14}cfRule"):
            kind = rule.get("type") or "x14"
            _drawn_format(ex, (sq.text or "") if sq is not None else "", "x14:" + kind, rule.find(f"{X14}{kind}"), budget)
    hf = root.find(f"{NS}headerFooter")
    if hf is not None:
        ex.header_footer = [el.text or "" for el in hf]
    _drawings(c, root, srels, ex)
    return ex


def _drawn_format(ex: SheetExtras, sqref: str, kind: str, el, budget: list[int]) -> None:
    """One conditional format that draws its own picture; past the range budget, one over the whole sheet."""
    if budget[0] < 0:
        return  # the whole sheet is already covered
    rng = _ranges(sqref)[:budget[0]] if budget[0] > 0 else [(0, 0, 1_048_575, 16_383)]
    budget[0] -= max(1, len(rng))
    ex.drawn_formats.append((rng, kind, el is None or el.get("showValue") not in ("0", "false")))


def _message(dv, ranges) -> Message:
    return Message(ranges, dv.get("promptTitle") or "", dv.get("prompt") or "", _flag(dv.get("showInputMessage")),
                   dv.get("errorTitle") or "", dv.get("error") or "", _flag(dv.get("showErrorMessage")))


_XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_KINDS = {"sp": "shape", "pic": "picture", "graphicFrame": "chart", "grpSp": "group", "cxnSp": "connector",
          "contentPart": "ink"}


def _drawings(c: Container, root, srels, ex: SheetExtras) -> None:
    """Shapes, pictures, charts, notes and controls over the sheet, with the cell each one starts on."""
    for tag, kind in (("picture", "background"), ("legacyDrawingHF", "header-picture"), ("oleObjects", "object"),
                      ("controls", "control"), ("webPublishItems", "object")):
        if root.find(f"{NS}{tag}") is not None:
            ex.drawn.append(Drawn(kind))
    for d in root.findall(f"{NS}drawing"):
        rid = d.get(f"{RNS}id") or ""
        target = srels.get(rid, ("", "", ""))[1]
        if not target or not c.has(target):
            ex.drawn.append(Drawn("drawing"))
            continue
        for anchor in list(_parse(c, target))[:MAX_ITEMS]:
            frm = anchor.find(f"{_XDR}from")
            row = col = 0
            if frm is not None:
                row = int(_num(getattr(frm.find(f"{_XDR}row"), "text", None), 0))
                col = int(_num(getattr(frm.find(f"{_XDR}col"), "text", None), 0))
            for el in anchor:
                name = el.tag.rsplit("}", 1)[-1]
                if name in _KINDS:
                    text = "".join(t.text or "" for t in el.iter(f"{_A}t"))
                    ex.drawn.append(Drawn(_KINDS[name], row, col, text[:100]))
    for kind, target, mode in srels.values():
        if kind.endswith("/comments") and c.has(target):
            _comments(c, target, ex)
    for ld in root.findall(f"{NS}legacyDrawing"):
        target = srels.get(ld.get(f"{RNS}id") or "", ("", "", ""))[1]
        if target and c.has(target):
            _vml(c.read(target), ex)
        else:
            ex.drawn.append(Drawn("drawing"))


def _comments(c: Container, part: str, ex: SheetExtras) -> None:
    for cm in list(_parse(c, part).iter(f"{NS}comment"))[:MAX_ITEMS]:
        rc = parse_ref(cm.get("ref"))
        if rc is not None:
            text = cm.find(f"{NS}text")
            ex.comments[rc] = "".join(t.text or "" for t in text.iter(f"{NS}t")) if text is not None else ""


def _vml(data: bytes, ex: SheetExtras) -> None:
    """Legacy (VML) drawings: notes, and anything else (buttons, labels, text boxes) as a drawn object.
    VML is often not well-formed XML, so it is scanned rather than parsed."""
    for m in list(_VML_SHAPE.finditer(data))[:MAX_ITEMS]:
        shape = m.group(0)
        t = _VML_TYPE.search(shape)
        kind = t.group(1).decode("ascii", "replace") if t else ""
        row, col, anchor = _VML_ROW.search(shape), _VML_COL.search(shape), _VML_ANCHOR.search(shape)
        if row and col:
            where = (int(row.group(1)), int(col.group(1)))
        else:
            where = (int(anchor.group(2)), int(anchor.group(1))) if anchor else (0, 0)
        if kind != "Note":
            ex.drawn.append(Drawn("vml:" + (kind or "shape"), *where))
        elif _VML_VISIBLE.search(shape):
            ex.drawn.append(Drawn("note-shown", *where))


_AREA = re.compile(r"^\$?([A-Z]{1,3})?\$?(\d+)?(?::\$?([A-Z]{1,3})?\$?(\d+)?)?$")


def _areas(text: str) -> list[tuple[int, int, int, int]]:
    """The ranges of a print area (``'自评表'!$A$1:$P$43,…``); [] when it names no valid range (#REF!)."""
    out = []
    for piece in text.split(",")[:MAX_RANGES]:
        ref = piece.rsplit("!", 1)[-1].strip()
        rng = _range(ref)
        if rng is not None:
            out.append(rng)
    return out


def _range(ref: str) -> tuple[int, int, int, int] | None:
    m = _AREA.match(ref.replace("$", ""))
    if not m or not ref:
        return None
    c1, r1, c2, r2 = m.groups()
    if c2 is None and r2 is None and ":" not in ref:
        c2, r2 = c1, r1
    def col(s, d):
        p = parse_ref(f"{s}1") if s is not None else None
        return d if p is None else p[1]

    def row(s, d):
        return d if s is None else int(s) - 1
    return (row(r1, 0), col(c1, 0), row(r2, 1_048_575), col(c2, 16_383))


def _titles(text: str) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """Print titles: the repeated rows (``$5:$5``) and columns (``$A:$B``), 0-based and inclusive."""
    rows = cols = None
    for piece in text.split(","):
        ref = piece.rsplit("!", 1)[-1].strip().replace("$", "")
        a, _, b = ref.partition(":")
        b = b or a
        if a.isdigit() and b.isdigit():
            rows = (int(a) - 1, int(b) - 1)
        elif a.isalpha() and b.isalpha():
            p, q = parse_ref(f"{a.upper()}1"), parse_ref(f"{b.upper()}1")
            if p and q:
                cols = (p[1], q[1])
        else:
            rows = rows or (0, 1_048_575)  # something else: treat as rows we cannot place
    return rows, cols

