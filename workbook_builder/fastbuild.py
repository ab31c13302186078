"""Bulk builds: render a template's workbook once, then write each department's cells into its XML.

Every cell that differs between departments — the department and year cells, prefilled inputs,
the cached values of derived quantities, scores, total and grade, the metadata — is known
from the layout; the rest of the package (styles, validation, protection, names, print setup)
is reused byte for byte. The result equals ``render.build_workbook`` for the same arguments
(tests/test_fastbuild.py compares them cell by cell).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from .cells import all_cells, formula_values, guide_department_line
from .engine import compute
from .layout import SHEET_GUIDE, SHEET_INPUTS, SHEET_META, SHEET_TABLE, build_layout, cell
from .model import Template
from .render import _prefill, build_workbook, metadata
from .values import normalise

_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"((?: [a-z]+="[^"]*")*)(?:/>|>(.*?)</c>)', re.S)
_FORMULA = re.compile(r"<f>.*?</f>|<f/>", re.S)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHEET_PARTS = {SHEET_GUIDE: "xl/worksheets/sheet1.xml", SHEET_INPUTS: "xl/worksheets/sheet2.xml",
               SHEET_TABLE: "xl/worksheets/sheet3.xml", SHEET_META: "xl/worksheets/sheet5.xml"}


@dataclass
class _Slot:
    attrs: str  # the cell's attributes other than r and t (its style)
    formula: str | None  # the <f> element, kept as built


class _SheetTemplate:
    """A sheet's XML cut at the cells that change, so a department's version is one join."""

    def __init__(self, xml: str, refs: set[str]):
        self.pieces: list[str] = []
        self.order: list[str] = []
        self.slots: dict[str, _Slot] = {}
        last = 0
        for m in _CELL.finditer(xml):
            ref = m.group(1)
            if ref not in refs:
                continue
            attrs = re.sub(r' t="[^"]*"', "", m.group(2))
            f = _FORMULA.search(m.group(3) or "")
            self.pieces.append(xml[last:m.start()])
            self.order.append(ref)
            self.slots[ref] = _Slot(attrs, f.group(0) if f else None)
            last = m.end()
        self.pieces.append(xml[last:])
        missing = refs - set(self.order)
        if missing:
            raise ValueError(f"cells not found in the built sheet: {sorted(missing)[:5]}")

    def render(self, values: Mapping[str, Any]) -> str:
        out = [self.pieces[0]]
        for i, ref in enumerate(self.order):
            out.append(_cell_xml(ref, self.slots[ref], values.get(ref)))
            out.append(self.pieces[i + 1])
        return "".join(out)


def _cell_xml(ref: str, slot: _Slot, v: Any) -> str:
    head = f'<c r="{ref}"{slot.attrs}'
    if slot.formula is not None:
        if v is None or isinstance(v, str):
            return f'{head} t="str">{slot.formula}<v>{escape(v or "")}</v></c>'
        return f"{head}>{slot.formula}<v>{repr(float(v))}</v></c>"
    if v is None or v == "":
        return head + "/>"
    if isinstance(v, str):
        text = escape(_ILLEGAL.sub("", v))
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'{head} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    return f"{head}><v>{repr(float(v))}</v></c>"


class Distributor:
    """Builds one template's workbooks for many departments: ``build(department, values) -> bytes``."""

    def __init__(self, t: Template, year: int | None = None, password: str | None = None,
                 sign_key: bytes | None = None):
        self.t, self.year, self.sign_key, self.password = t, year or t.year, sign_key, password
        self.lay = build_layout(t)
        base = build_workbook(t, "", self.year, {}, password=password, sign_key=sign_key, built_at="")
        zf = zipfile.ZipFile(io.BytesIO(base))
        self.infos = zf.infolist()
        self.parts = {i.filename: zf.read(i.filename) for i in self.infos}
        self.meta_rows = list(metadata(t, self.lay, "", self.year, sign_key, built_at="", password=password).keys())
        specs = all_cells(t, self.lay, "", self.year)
        self.inputs = {s.input_id: (s.sheet, cell(s.row, s.col)) for s in specs if s.input_id}
        refs: dict[str, set[str]] = {name: set() for name in SHEET_PARTS}
        for sheet, ref in self.inputs.values():
            refs[sheet].add(ref)
        self.formula_specs = [s for s in specs if s.formula]
        for s in self.formula_specs:
            refs[s.sheet].add(cell(s.row, s.col))
        for fid in ("department", "year"):
            refs[SHEET_TABLE].add(cell(*self.lay.header_cells[fid]))
        refs[SHEET_TABLE].add(cell(1, 0))  # （YYYY年度）
        refs[SHEET_GUIDE].add(cell(1, 0))
        refs[SHEET_META] |= {cell(i, 1) for i in range(1, len(self.meta_rows) + 2)}
        self.sheets = {name: _SheetTemplate(self.parts[part].decode("utf-8"), refs[name])
                       for name, part in SHEET_PARTS.items()}

    def cell_values(self, department: str, values: Mapping[str, Any], built_at: str | None = None) -> dict[str, dict[str, Any]]:
        t, lay, year = self.t, self.lay, self.year
        out: dict[str, dict[str, Any]] = {name: {} for name in SHEET_PARTS}
        for iid, (sheet, ref) in self.inputs.items():
            out[sheet][ref] = _prefill(values.get(iid))
        for (sheet, r, c), v in formula_values(t, self.formula_specs, values, compute(t, values)).items():
            out[sheet][cell(r, c)] = "" if v is None else v
        out[SHEET_TABLE][cell(*lay.header_cells["department"])] = department
        out[SHEET_TABLE][cell(*lay.header_cells["year"])] = float(year)
        out[SHEET_TABLE][cell(1, 0)] = f"（{year}年度）"
        out[SHEET_GUIDE][cell(1, 0)] = guide_department_line(department, year)
        meta = metadata(t, lay, department, year, self.sign_key, built_at=built_at, password=self.password,
                        values=values)
        for i, (k, v) in enumerate(meta.items(), start=1):
            out[SHEET_META][cell(i, 1)] = v
        out[SHEET_META][cell(len(meta) + 1, 1)] = json.dumps(meta, ensure_ascii=False)
        return out

    def build(self, department: str, values: Mapping[str, Any] | None = None, built_at: str | None = None) -> bytes:
        cv = self.cell_values(department, normalise(self.t, values), built_at)
        patched = {SHEET_PARTS[name]: self.sheets[name].render(cv[name]).encode("utf-8") for name in SHEET_PARTS}
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for info in self.infos:
                z.writestr(info, patched.get(info.filename, self.parts[info.filename]))
        return buf.getvalue()
