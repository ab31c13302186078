"""Where everything sits: one map from the template to sheets, cells and defined names.

The renderer writes from it and the reader reads from it; neither hard-codes an address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell

from .model import Column, Input, Node, Template
from .rules import entry_inputs, rule_for

SHEET_GUIDE = "填报说明"
SHEET_INPUTS = "基础数据"
SHEET_TABLE = "自评表"
SHEET_LISTS = "_lists"
SHEET_META = "_meta"

#: header fields of the 自评表 (id, label); department and year are filled by the builder
HEADER_FIELDS = [("department", "部门(单位)名称"), ("year", "年度"), ("filler", "填报人"),
                 ("fill_date", "填报时间"), ("head", "单位负责人")]
HEADER_ENTRY = ("filler", "fill_date", "head")

INPUT_COL = 3  # column D of 基础数据 holds values
INPUT_FIRST_ROW = 3  # row 4


@lru_cache(maxsize=1 << 16)
def cell(row: int, col: int, absolute: bool = False) -> str:
    return xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute)


def safe_filename(name: str) -> str:
    """A department name made safe as a file name (the builder's and the reader's one rule)."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .") or "未命名"


def workbook_name(department: str, year: int) -> str:
    """The file a department's workbook is written to: ``部门-年度.xlsx``."""
    return f"{safe_filename(department)}-{year}.xlsx"


def qualified(sheet: str, row: int, col: int) -> str:
    return f"{quote_sheetname(sheet)}!{cell(row, col, True)}"


def name_for(prefix: str, ident: str) -> str:
    return f"{prefix}_{ident.replace('.', '_')}"


@dataclass
class LeafRow:
    node: Node
    row: int
    cols: dict[str, int]

    def at(self, key: str) -> tuple[int, int]:
        return self.row, self.cols[key]


@dataclass
class Layout:
    template: Template
    columns: list[Column]
    col: dict[str, int]
    input_cells: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # id -> (sheet,row,col)
    derived_cells: dict[str, tuple[int, int]] = field(default_factory=dict)  # on 基础数据
    header_cells: dict[str, tuple[int, int]] = field(default_factory=dict)  # on 自评表
    budget_rows: list[tuple[int, dict]] = field(default_factory=list)
    header_row: int = 0
    leaf_rows: dict[str, LeafRow] = field(default_factory=dict)
    node_span: dict[str, tuple[int, int]] = field(default_factory=dict)  # first,last row
    score_cells: dict[str, tuple[int, int]] = field(default_factory=dict)  # every node
    total_cell: tuple[int, int] = (0, 0)
    grade_cell: tuple[int, int] = (0, 0)
    last_row: int = 0
    entries: list[Input] = field(default_factory=list)
    inputs_last_row: int = 0
    #: the sheets the table and its 基础数据 (derived cells too) sit on, and a prefix that keeps
    #: defined names unique when one workbook holds several tables (the project workbook)
    table_sheet: str = SHEET_TABLE
    inputs_sheet: str = SHEET_INPUTS
    name_prefix: str = ""

    # -- names ---------------------------------------------------------------------------
    def defined_names(self) -> dict[str, str]:
        """Every defined name and the absolute reference it points to."""
        out = {}
        p = self.name_prefix
        for iid, (sheet, r, c) in self.input_cells.items():
            out[p + name_for("IN", iid)] = qualified(sheet, r, c)
        for did, (r, c) in self.derived_cells.items():
            out[p + name_for("DV", did)] = qualified(self.inputs_sheet, r, c)
        for nid, (r, c) in self.score_cells.items():
            out[p + name_for("SC", nid)] = qualified(self.table_sheet, r, c)
        out[p + "TOTAL_SCORE"] = qualified(self.table_sheet, *self.total_cell)
        out[p + "GRADE"] = qualified(self.table_sheet, *self.grade_cell)
        return out

    def slot_refs(self, leaf: Node) -> dict[str, str]:
        """Cell (same sheet) or literal for each slot of the leaf's rule."""
        lr = self.leaf_rows[leaf.id]
        refs = {}
        for s in rule_for(leaf).slots(leaf):
            if s.name == "target" and leaf.target and not leaf.target.entry:
                refs["target"] = repr(float(leaf.target.value))
            elif s.name == "score":
                refs["score"] = cell(*lr.at("entry_score"))
            else:
                refs[s.name] = cell(*lr.at(s.name))
        return refs


def _needs_entry_score(t: Template) -> bool:
    return any(rule_for(n).needs_entry_score(n) for n in t.leaves())


def _extra_columns(t: Template) -> list[tuple[str, str]]:
    """The entry columns some leaf's rule needs beyond the usual ones (a composed rule's 数值2, 是否适用)."""
    out: dict[str, str] = {}
    for n in t.leaves():
        out.update(rule_for(n).extra_columns(n))
    return sorted(out.items(), key=lambda kv: (kv[0] == "na", kv[0]))


def build_layout(t: Template) -> Layout:
    cols = list(t.layout.columns)
    keys = [c.key for c in cols]
    depth = t.depth
    for k, h in (("actual", "实际完成值"), ("score", "得分"), ("reason", "扣分原因")):
        if k not in keys:
            cols.append(Column(k, h, 12))
    if any(n.target and n.target.entry for n in t.leaves()) and "target" not in keys:
        cols.append(Column("target", "年度指标值", 12))
    if _needs_entry_score(t) and "entry_score" not in keys:
        cols.append(Column("entry_score", "自评分", 8))
    for k, h in _extra_columns(t):
        if k not in keys:
            cols.append(Column(k, h, 10))
    for lvl in range(1, depth + 1):
        if f"level{lvl}" not in [c.key for c in cols]:
            cols.insert(lvl - 1, Column(f"level{lvl}", f"{lvl}级指标", 12))
    nonleaf_levels = sorted({n.depth for n in t.nodes() if n.children})
    for lvl in reversed(nonleaf_levels):
        if f"level{lvl}_score" not in [c.key for c in cols]:
            cols.append(Column(f"level{lvl}_score", f"{lvl}级得分", 8))
    if "hint" not in [c.key for c in cols]:
        cols.append(Column("hint", "提示", 16))  # why a typed value is wrong (hints.py)
    col = {c.key: i for i, c in enumerate(cols)}
    lay = Layout(template=t, columns=cols, col=col)

    # 基础数据: inputs then derived
    r = INPUT_FIRST_ROW
    for inp in t.inputs:
        lay.input_cells[inp.id] = (SHEET_INPUTS, r, INPUT_COL)
        r += 1
    r += 1  # heading row for derived
    for d in t.derived:
        r += 1
        lay.derived_cells[d.id] = (r, INPUT_COL)
    lay.inputs_last_row = r

    # 自评表
    row = 2
    for i, (fid, _) in enumerate(HEADER_FIELDS):
        lay.header_cells[fid] = (row + i // 3, 1 + (i % 3) * 3)
    row += 2
    bb = t.layout.budget_block
    if bb:
        row += 1  # block header row
        for br in bb.get("rows", []):
            lay.budget_rows.append((row, br))
            row += 1
        row += 1
    lay.header_row = row
    row += 1

    def place(n: Node) -> None:
        nonlocal row
        first = row
        if n.is_leaf:
            lay.leaf_rows[n.id] = LeafRow(n, row, col)
            lay.score_cells[n.id] = (row, col["score"])
            row += 1
        else:
            for c in n.children:
                place(c)
            lay.score_cells[n.id] = (first, col[f"level{n.depth}_score"])
        lay.node_span[n.id] = (first, row - 1)

    for n in t.indicators:
        place(n)
    lay.total_cell = (row, col["score"])
    lay.grade_cell = (row + 1, col["score"])
    lay.last_row = row + 1

    entries = entry_inputs(t)
    for e in entries:
        lr = lay.leaf_rows[e.leaf]
        key = "entry_score" if e.slot == "score" else e.slot
        lay.input_cells[e.id] = (SHEET_TABLE, lr.row, col[key])
    lay.entries = entries
    return lay
