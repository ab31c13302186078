"""Every cell of the workbook as plain data (CellSpec), from the template and its layout.

The renderer writes these; the reader compares a returned workbook's locked cells
against them and the fingerprint is computed over them, so all three agree.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .crosscheck import checked_input
from .crosscheck import excel as crosscheck_excel
from .crosscheck import message as crosscheck_message
from .engine import Result, slot_values
from .expr import parse
from .hints import Test, checked, join_formula, join_text, problems, summary_formula, summary_text, tests
from .layout import HEADER_FIELDS, INPUT_COL, INPUT_FIRST_ROW, SHEET_GUIDE, SHEET_LISTS, Layout, cell, qualified
from .model import Input, Node, Template
from .numeric import as_number, fmt_num
from .pages import DEFAULT_ROW, continued, fit_scale, page_breaks, page_capacity, row_heights
from .rules import entry_inputs, rule_for
from .rules.base import _is_literal


@dataclass
class CellSpec:
    sheet: str
    row: int
    col: int
    value: Any = None  # str or float; None = empty
    formula: str | None = None  # without '='
    style: str = "text"
    locked: bool = True
    merge_to: tuple[int, int] | None = None  # (last_row, last_col)
    input_id: str | None = None  # for unlocked input cells
    comment: str | None = None
    #: for formula cells, what the formula shows, as the engine computes it (see ``formula_values``):
    #: ('input', id) | ('derived', id) | ('rate', leaf id) | ('score', node id) | ('total',) | ('grade',)
    calc: tuple | None = None
    #: a group's name repeated at the top of a printed page it continues on (pages.continued)
    repeat: bool = False

    @property
    def ref(self) -> str:
        return cell(self.row, self.col)


def _input_ref(lay: Layout, iid: str) -> str:
    sheet, r, c = lay.input_cells[iid]
    return qualified(sheet, r, c)


def _derived_ref(lay: Layout, did: str) -> str:
    return qualified(lay.inputs_sheet, *lay.derived_cells[did])


def input_style(type_: str) -> str:
    return {"percent": "in_pct", "money": "in_money", "integer": "in_int", "date": "in_date",
            "number": "in_num"}.get(type_, "in_text")


def inputs_sheet(t: Template, lay: Layout) -> list[CellSpec]:
    S = lay.inputs_sheet
    last = HINT_COL
    out = [CellSpec(S, 0, 0, f"{t.title}·基础数据", style="title", merge_to=(0, last)),
           CellSpec(S, 1, 0, "黄色单元格为填报项；蓝色单元格为自动计算项，不可修改。填写有误的单元格显示为红色，原因见“提示”列。",
                    style="note", merge_to=(1, last))]
    for c, h in enumerate(("序号", "项目", "单位", "数值", "说明", "提示")):
        out.append(CellSpec(S, 2, c, h, style="header"))
    for i, inp in enumerate(t.inputs):
        r = INPUT_FIRST_ROW + i
        hint = join_formula(hint_tests(t, lay, inp.id))
        out += [CellSpec(S, r, 0, float(i + 1), style="center"), CellSpec(S, r, 1, inp.label),
                CellSpec(S, r, 2, inp.unit, style="center"),
                CellSpec(S, r, INPUT_COL, None, style=input_style(inp.type), locked=False, input_id=inp.id),
                CellSpec(S, r, 4, ("（必填）" if inp.required else "") + inp.help),
                CellSpec(S, r, HINT_COL, None, formula=hint, style="hint", calc=("hint", inp.id))]
    labels = {i.id: i.label for i in t.inputs} | {d.id: d.label for d in t.derived}
    r0 = INPUT_FIRST_ROW + len(t.inputs)
    if t.derived:
        out.append(CellSpec(S, r0, 0, "计算指标（自动计算）", style="subheader", merge_to=(r0, last)))
    for i, d in enumerate(t.derived):
        r, c = lay.derived_cells[d.id]
        f = parse(d.expr).excel(lambda n: _name_ref(lay, n))
        out += [CellSpec(S, r, 0, float(i + 1), style="center"), CellSpec(S, r, 1, d.label),
                CellSpec(S, r, 2, d.unit or ("%" if d.type == "percent" else ""), style="center"),
                CellSpec(S, r, c, None, formula=f, style="f_pct" if d.type == "percent" else "f_money",
                         calc=("derived", d.id)),
                CellSpec(S, r, 4, d.help or "计算方法：" + parse(d.expr).describe(labels)),
                CellSpec(S, r, HINT_COL, None)]
    return out


#: the 提示 column of 基础数据, beside 说明
HINT_COL = 5


def hint_tests(t: Template, lay: Layout, iid: str) -> list[Test]:
    """The mistake tests (hints.tests) of one input cell, its references on its own sheet."""
    inp = input_items(t, lay)[iid]
    leaves = _leaves(t)
    if not checked(inp, leaves):
        return []
    sheet, r, c = lay.input_cells[iid]

    def ref_of(other: str) -> str:
        s2, r2, c2 = lay.input_cells[other]
        return cell(r2, c2, absolute=True) if s2 == sheet else qualified(s2, r2, c2)
    return tests(t, inp, cell(r, c), ref_of, leaves.get(inp.leaf) if inp.leaf else None)


def _leaves(t: Template) -> dict[str, Node]:
    return {n.id: n for n in t.leaves()}


def mistake_formats(t: Template, lay: Layout) -> list[tuple[str, int, int, str]]:
    """(sheet, row, col, formula) of the conditional format that marks each input cell red when wrong:
    its own tests, or (a formula too long for Excel's conditional formats) its row's 提示 cell."""
    out = []
    hint_cells = hint_cell_of(t, lay)
    for iid, (sheet, r, c) in lay.input_cells.items():
        xs = hint_tests(t, lay, iid)
        if not xs:
            continue
        f = xs[0].cond if len(xs) == 1 else f"OR({','.join(x.cond for x in xs)})"
        if len(f) > MAX_VALIDATION_FORMULA:
            f = f"LEN({cell(*hint_cells[iid])})>0"
        out.append((sheet, r, c, f))
    return out


def hint_cell_of(t: Template, lay: Layout) -> dict[str, tuple[int, int]]:
    """Where each input's problems are told: the 提示 cell of its row."""
    out = {}
    for iid, (sheet, r, c) in lay.input_cells.items():
        out[iid] = (r, lay.col["hint"] if sheet == lay.table_sheet else HINT_COL)
    return out


def row_hint(t: Template, lay: Layout, iids: list[str]) -> tuple[str | None, tuple]:
    """The 提示 formula of a row holding the inputs ``iids`` (None when none is tested), and its calc."""
    xs = [x for i in iids for x in hint_tests(t, lay, i)]
    return (join_formula(xs) if xs else None), ("hint", *iids)


def hint_summary(t: Template, lay: Layout, total_ref: str, hint_ranges: list[tuple[str, int]]) -> tuple[str, tuple]:
    """The 提示 line near 总分 (hints.summary_formula) and its calc."""
    decl = input_items(t, lay)
    table = lay.table_sheet
    required = [iid for iid in lay.input_cells if decl[iid].required]
    refs = []
    for iid in required:
        s2, r2, c2 = lay.input_cells[iid]
        refs.append(cell(r2, c2) if s2 == table else qualified(s2, r2, c2))
    return summary_formula(hint_ranges, refs, total_ref), ("hints", *required)


def _name_ref(lay: Layout, name: str) -> str:
    if name in lay.derived_cells:
        return cell(*lay.derived_cells[name], absolute=True)
    _, r, c = lay.input_cells[name]
    return cell(r, c, absolute=True)


def _num_style(type_: str, prefix: str) -> str:
    return f"{prefix}_pct" if type_ == "percent" else f"{prefix}_int" if type_ == "integer" else f"{prefix}_num"


def table_sheet(t: Template, lay: Layout, department: str, year: int, udf_cells: bool = False) -> list[CellSpec]:
    S = lay.table_sheet
    ncol = len(lay.columns)
    out = [CellSpec(S, 0, 0, t.layout.title, style="title", merge_to=(0, ncol - 1)),
           CellSpec(S, 1, 0, f"（{year}年度）", style="subtitle", merge_to=(1, ncol - 1))]
    for fid, label in HEADER_FIELDS:
        r, c = lay.header_cells[fid]
        out.append(CellSpec(S, r, c - 1, label, style="header"))
        end = (r, c + 1)
        if fid == "department":
            out.append(CellSpec(S, r, c, department, style="text", merge_to=end))
        elif fid == "year":
            out.append(CellSpec(S, r, c, float(year), style="center", merge_to=end))
        else:
            out.append(CellSpec(S, r, c, None, style="in_date" if fid == "fill_date" else "in_text",
                                locked=False, merge_to=end, input_id=f"header.{fid}"))
    bb = t.layout.budget_block
    if bb:
        r = lay.budget_rows[0][0] - 1
        heads = [bb.get("title", "部门资金"), "年初预算数", "全年预算数", "全年执行数", "执行率"]
        for c, h in enumerate(heads):
            out.append(CellSpec(S, r, c, h, style="header"))
        for r, br in lay.budget_rows:
            out.append(CellSpec(S, r, 0, br["label"]))
            for c, k in enumerate(("initial", "year", "executed"), start=1):
                if k in br:
                    ref = _input_ref(lay, br[k])
                    out.append(CellSpec(S, r, c, None, formula=f'IF(ISNUMBER({ref}),{ref},"")', style="f_money",
                                        calc=("input", br[k])))
                else:
                    out.append(CellSpec(S, r, c, None))
            if "rate" in br:
                out.append(CellSpec(S, r, 4, None, formula=f"{_derived_ref(lay, br['rate'])}", style="f_pct",
                                    calc=("derived", br["rate"])))
    hr = lay.header_row
    for c, colspec in enumerate(lay.columns):
        out.append(CellSpec(S, hr, c, colspec.header, style="header"))

    # hierarchy columns: names, weights, subtotals, merged over each node's rows
    for n in t.nodes():
        first, last = lay.node_span[n.id]
        c = lay.col.get(f"level{n.depth}")
        if c is not None:
            out.append(CellSpec(S, first, c, n.name, style="text", merge_to=(last, c) if last > first else None))
        c = lay.col.get(f"level{n.depth}_weight")
        if c is not None:
            out.append(CellSpec(S, first, c, n.weight, style="num", merge_to=(last, c) if last > first else None))
        if n.children:
            r, c = lay.score_cells[n.id]
            refs = ",".join(cell(*lay.score_cells[ch.id]) for ch in n.children)
            out.append(CellSpec(S, r, c, None, formula=sum_formula(refs, len(n.children)), style="f_score",
                                merge_to=(last, c) if last > first else None, calc=("score", n.id)))
        else:
            # deeper level columns of a shallow leaf stay empty but bordered
            for d in range(n.depth + 1, t.depth + 1):
                for key in (f"level{d}", f"level{d}_weight", f"level{d}_score"):
                    if key in lay.col:
                        out.append(CellSpec(S, first, lay.col[key], None))
            out += leaf_cells(t, lay, n, udf_cells)
    # the levelN_score columns of a leaf's own level hold nothing
    for n in t.leaves():
        c = lay.col.get(f"level{n.depth}_score")
        if c is not None:
            out.append(CellSpec(S, lay.leaf_rows[n.id].row, c, None))
    tr, tc = lay.total_cell
    gr, gc = lay.grade_cell
    # the 总分/评价等级 labels span the columns before the first of weight and score
    label_end = max(0, min(c for c in (lay.col.get("weight"), tc) if c is not None) - 1)
    out.append(CellSpec(S, tr, 0, "总分", style="header", merge_to=(tr, label_end) if label_end else None))
    if "weight" in lay.col:
        out.append(CellSpec(S, tr, lay.col["weight"], t.total_weight, style="num"))
    tops = ",".join(cell(*lay.score_cells[n.id]) for n in t.indicators)
    out.append(CellSpec(S, tr, tc, None, formula=sum_formula(tops, len(t.indicators)), style="f_total",
                        calc=("total",)))
    out.append(CellSpec(S, gr, 0, "评价等级", style="header", merge_to=(gr, label_end) if label_end else None))
    out.append(CellSpec(S, gr, gc, None, formula=grade_formula(t, cell(tr, tc)), style="f_total", calc=("grade",)))
    bands = "；".join(f"{g.name}：{'≥' + fmt_num(g.min) if g.min > 0 else '<' + fmt_num(sorted(x.min for x in t.grades)[1]) if len(t.grades) > 1 else ''}"
                      for g in sorted(t.grades, key=lambda g: -g.min))
    out.append(CellSpec(S, gr + 2, 0, f"说明：评价等级 {bands}。黄色单元格为填报项，其余单元格由公式计算或为模板内容，已锁定。",
                        style="note", merge_to=(gr + 2, ncol - 1)))
    f, calc = hint_summary(t, lay, cell(tr, tc), hint_ranges(t, lay))
    out.append(CellSpec(S, gr + 1, 0, None, formula=f, style="hint_line", merge_to=(gr + 1, ncol - 1), calc=calc))
    out += signature_cells(S, gr + 3, ncol - 1)
    return split_at_breaks(out, t, lay, table_breaks(t, lay, out))


def hint_ranges(t: Template, lay: Layout) -> list[tuple[str, int]]:
    """The 提示 cells the line near 总分 counts: 基础数据's column and the table's."""
    out = []
    if t.inputs and lay.inputs_sheet != lay.table_sheet:
        first, n = INPUT_FIRST_ROW, len(t.inputs)
        out.append((f"{qualified(lay.inputs_sheet, first, HINT_COL)}:{cell(first + n - 1, HINT_COL, True)}", n))
    rows = [lr.row for lr in lay.leaf_rows.values()]
    c = lay.col["hint"]
    out.append((f"{cell(min(rows), c)}:{cell(max(rows), c)}", max(rows) - min(rows) + 1))
    return out


#: the signature block an office files under the table: (text) per row, merged across the table
SIGNATURE_ROWS = ("单位负责人（签字）：＿＿＿＿＿＿＿＿　　　填报人（签字）：＿＿＿＿＿＿＿＿　　　联系电话：＿＿＿＿＿＿＿＿＿＿",
                  "填报日期：＿＿＿＿年＿＿月＿＿日　　　　　　　　　　　　（单位盖章）")


def signature_cells(sheet: str, row: int, last_col: int) -> list[CellSpec]:
    return [CellSpec(sheet, row + i, 0, text, style="sign", merge_to=(row + i, last_col))
            for i, text in enumerate(SIGNATURE_ROWS)]


def sign_rows(lay: Layout) -> tuple[int, int]:
    """The first and last rows of the 自评表's signature block (the last rows printed)."""
    r = lay.grade_cell[0] + 3
    return r, r + len(SIGNATURE_ROWS) - 1


TITLE_ROW_HEIGHT = 28.0


def table_heights(lay: Layout, specs: list[CellSpec]) -> dict[int, float]:
    """Row heights of the 自评表 (rows not named are the default height)."""
    S = lay.table_sheet
    mine = [s for s in specs if s.sheet == S]
    out = {r: h for (_, r), h in row_heights(mine, {S: [c.width for c in lay.columns]}).items()}
    out[0] = TITLE_ROW_HEIGHT
    return out


def table_scale(lay: Layout) -> int:
    return fit_scale([c.width for c in lay.columns])


def table_breaks(t: Template, lay: Layout, specs: list[CellSpec]) -> list[int]:
    """First rows of the 自评表's printed pages after the first: between 一级 groups where they fit."""
    heights = table_heights(lay, specs)
    groups = [lay.node_span[n.id] for n in t.indicators]
    preferred = {lay.node_span[n.id][0] for n in t.nodes() if n.depth == 2}
    hr = lay.header_row
    return page_breaks(heights, hr + 1, groups, preferred, sign_rows(lay)[1], heights.get(hr, DEFAULT_ROW),
                       page_capacity(table_scale(lay)))


def split_at_breaks(specs: list[CellSpec], t: Template, lay: Layout, breaks: list[int]) -> list[CellSpec]:
    """Cut every cell merged down across a page break; a group's name repeats on the next page."""
    if not breaks:
        return specs
    names = {lay.col[f"level{d}"] for d in range(1, t.depth + 1) if f"level{d}" in lay.col}
    out = []
    for s in specs:
        cuts = [b for b in breaks if s.merge_to and s.sheet == lay.table_sheet and s.row < b <= s.merge_to[0]]
        if not cuts:
            out.append(s)
            continue
        last, lc = s.merge_to
        bounds = [s.row, *cuts, last + 1]
        for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
            merge = (b - 1, lc) if b - 1 > a else None
            if i == 0:
                s.merge_to = merge
                out.append(s)
            elif s.col in names and isinstance(s.value, str):
                out.append(CellSpec(s.sheet, a, s.col, continued(s.value), style=s.style, merge_to=merge, repeat=True))
            else:
                out.append(CellSpec(s.sheet, a, s.col, None, style=s.style, merge_to=merge))
    return out


def grade_formula(t: Template, total_ref: str) -> str:
    bands = sorted(t.grades, key=lambda g: -g.min)
    out = f'"{bands[-1].name}"'
    for g in reversed(bands[:-1]):
        out = f'IF({total_ref}>={fmt_num(g.min)},"{g.name}",{out})'
    return f'IF(ISNUMBER({total_ref}),{out},"")'


def sum_formula(refs: str, n: int) -> str:
    """A subtotal or the total: blank until all n scores are there (engine._sum)."""
    return f'IF(COUNT({refs})<{n},"",ROUND(SUM({refs}),2))'


#: leaf columns copied from the template as they are: column key -> (node attribute, style)
STATIC_LEAF_FIELDS = {"criteria": ("criteria", "small"), "explanation": ("explanation", "small"),
                      "unit": ("unit", "center"), "weight": ("weight", "num")}


def leaf_cells(t: Template, lay: Layout, n: Node, udf_cells: bool = False) -> list[CellSpec]:
    S = lay.table_sheet
    lr = lay.leaf_rows[n.id]
    rule = rule_for(n)
    slots = {s.name: s for s in rule.slots(n)}
    row, col = lr.row, lay.col
    out: list[CellSpec] = []
    pct = n.actual is not None and n.actual.type == "percent"
    for key, c in col.items():
        if key.startswith("level"):
            continue
        spec = CellSpec(S, row, c, None)
        if key in STATIC_LEAF_FIELDS:
            attr, spec.style = STATIC_LEAF_FIELDS[key]
            spec.value = getattr(n, attr)
        elif key == "target":
            if n.target and n.target.entry:
                spec.locked, spec.input_id = False, f"{n.id}.target"
                spec.style = input_style(slots["target"].type)
            else:
                spec.value = n.target.display(pct) if n.target else ""
                spec.style = "center"
        elif key == "actual":
            a = n.actual
            if a and a.source in ("input", "derived"):
                ref = _input_ref(lay, a.ref) if a.source == "input" else _derived_ref(lay, a.ref)
                spec.formula, spec.style = f'IF(ISNUMBER({ref}),{ref},"")', _num_style(a.type, "f")
                spec.calc = (a.source, a.ref)
            elif "actual" in slots:
                s = slots["actual"]
                spec.locked, spec.input_id = False, f"{n.id}.actual"
                spec.style = "in_text" if s.type == "choice" else input_style(s.type)
        elif key == "entry_score":
            if "score" in slots:
                spec.locked, spec.input_id, spec.style = False, f"{n.id}.score", "in_num"
        elif key == "rate":
            if rule.shows_rate(n):
                a, tg = lay.slot_refs(n)["actual"], lay.slot_refs(n)["target"]
                spec.formula = f'IF(AND(ISNUMBER({a}),ISNUMBER({tg})),IF({tg}<>0,{a}/{tg},""),"")'
                spec.style, spec.calc = "f_pct", ("rate", n.id)
        elif key == "score":
            spec.formula = rule.formula(n, lay.slot_refs(n))
            spec.style, spec.calc = "f_score", ("score", n.id)
            if udf_cells:  # the xlwings variant: the UDF scores, the plain formula stays in a comment
                spec.comment = "不用 xlwings 时的公式：=" + spec.formula
                spec.formula = rule.udf_call(n, lay.slot_refs(n))
        elif key == "reason":
            spec.locked, spec.input_id, spec.style = False, f"{n.id}.reason", "in_text"
        elif key == "hint":
            f, calc = row_hint(t, lay, [e.id for e in lay.entries if e.leaf == n.id])
            if f is not None:
                spec.formula, spec.style, spec.calc = f, "hint", calc
        elif key in slots:  # a composed rule's further values and its 不适用 choice (rules/compose.py)
            s = slots[key]
            spec.locked, spec.input_id = False, f"{n.id}.{key}"
            spec.style = "in_text" if s.type == "choice" else input_style(s.type)
        out.append(spec)
    return out


def reason_flag_formula(lay: Layout, n: Node) -> str:
    """True when the leaf needs a 扣分原因 (score below weight, or a large deviation)."""
    rule = rule_for(n)
    refs = lay.slot_refs(n)
    numeric = {sl.name for sl in rule.slots(n) if sl.numeric}
    r = {k: (v if _is_literal(v) or k not in numeric else f"ROUND({v},9)") for k, v in refs.items()}
    score = cell(*lay.score_cells[n.id])
    return f"AND(ISNUMBER({score}),{rule.needs_reason_excel(n, r, score)})"


def formula_values(t: Template, specs: list[CellSpec], values: Mapping[str, Any], res: Result
                   ) -> dict[tuple[str, int, int], Any]:
    """What every formula cell shows for ``values`` (``res`` is the engine's result for them)."""
    out: dict[tuple[str, int, int], Any] = {}
    leaves: dict[str, Node] = {}
    decl: dict[str, Input] = {}
    summaries: list = []
    for s in specs:
        if s.formula is None:
            continue
        kind, *key = s.calc
        if kind == "input":
            v = as_number(values.get(key[0]))
        elif kind == "derived":
            v = res.derived.get(key[0])
        elif kind == "rate":
            leaves = leaves or {n.id: n for n in t.leaves()}
            sv = slot_values(leaves[key[0]], values, res.derived)
            a, tg = as_number(sv.get("actual")), as_number(sv.get("target"))
            v = a / tg if a is not None and tg else None
        elif kind == "score":
            v = res.scores[key[0]]
        elif kind == "hint":
            decl = decl or _declared(t)
            leaves = leaves or {n.id: n for n in t.leaves()}
            v = join_text([m for i in key for m in problems(t, decl[i], values, leaves.get(decl[i].leaf or ""))])
        elif kind == "hints":
            summaries.append((s, key))
            continue
        else:
            v = res.total if kind == "total" else res.grade
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        out[(s.sheet, s.row, s.col)] = v
    for s, required in summaries:  # after every 提示 cell: the line near 总分 counts them
        wrong = sum(1 for sp in specs if sp.calc and sp.calc[0] == "hint" and out.get((sp.sheet, sp.row, sp.col)))
        missing = sum(1 for i in required if values.get(i) is None or values.get(i) == "")
        out[(s.sheet, s.row, s.col)] = summary_text(wrong, missing, res.total)
    return out


def _declared(t: Template) -> dict[str, Input]:
    """Every input's declaration by id, 基础数据's and the entry cells' (rules.entry_inputs)."""
    return {i.id: i for i in t.inputs} | {e.id: e for e in entry_inputs(t)}


def guide_department_line(department: str, year: int) -> str:
    return f"部门(单位)：{department}    年度：{year}"


def guide_sheet(t: Template, department: str, year: int) -> list[CellSpec]:
    """填报说明: how to fill the workbook, the grade bands and the template's decisions, in column A."""
    lines = [
        (f"{t.title}·填报说明", "title"),
        (guide_department_line(department, year), "text"),
        (f"适用地区：{t.region}    模板版本：{t.version}", "text"),
        ("一、填报方法", "subheader"),
        ("1. 先在“基础数据”表填写黄色单元格（预算数、执行数、人数等），蓝色单元格的比率由公式自动计算。", "text"),
        ("2. 再在“自评表”中填写黄色单元格：实际完成值、下拉选择的评价等级或“是/否”、自评分、扣分原因。", "text"),
        ("3. 得分、小计、总分和评价等级由公式自动计算，已锁定，不能也不需要手工填写。", "text"),
        ("4. 得分低于分值的指标必须填写扣分原因；未填写时该单元格显示为红色。必填项为空时显示为橙色。", "text"),
        ("二、颜色说明", "subheader"),
        ("黄色：填报项（可编辑）；蓝色：公式计算项（锁定）；灰色：表头；橙色：必填项尚未填写；红色：缺少扣分原因。", "text"),
        ("三、评价等级", "subheader"),
    ]
    bands = sorted(t.grades, key=lambda g: -g.min)
    for i, g in enumerate(bands):
        hi = f"，且低于 {bands[i - 1].min:g} 分" if i > 0 else ""
        lines.append((f"{g.name}：总分不低于 {g.min:g} 分{hi}", "text"))
    if t.guide_notes:
        lines.append(("四、本表的处理说明", "subheader"))
        lines += [(f"{i}. {d}", "text") for i, d in enumerate(t.guide_notes, start=1)]
    return [CellSpec(SHEET_GUIDE, r, 0, text, style=style) for r, (text, style) in enumerate(lines)]


def list_choices(t: Template, lay: Layout) -> list[tuple[str, ...]]:
    """The distinct choice lists of the template's inputs, in the order their columns sit on _lists."""
    out: list[tuple[str, ...]] = []
    for inp in input_items(t, lay).values():
        if (inp.type == "choice" or inp.choices) and tuple(inp.choices) not in out:
            out.append(tuple(inp.choices))
    return out


def lists_sheet(t: Template, lay: Layout) -> list[CellSpec]:
    """_lists (very hidden): one column per choice list, the sources of the dropdowns."""
    return [CellSpec(SHEET_LISTS, r, c, ch) for c, choices in enumerate(list_choices(t, lay))
            for r, ch in enumerate(choices)]


def input_items(t: Template, lay: Layout) -> dict[str, Input]:
    """Every input cell's declaration by input id, 基础数据 and 自评表 entries alike."""
    decl = {i.id: i for i in t.inputs} | {e.id: e for e in lay.entries}
    return {iid: decl[iid] for iid in lay.input_cells}


@dataclass
class ValidationSpec:
    """The data validation of one input cell, as the renderer writes it and the reader compares it."""

    sheet: str
    row: int
    col: int
    kind: str  # list | decimal | whole | date | custom
    source: str = ""  # list: =_lists!$A$1:$A$3; custom: the formula
    minimum: Any = None
    maximum: Any = None
    title: str = ""
    message: str = ""
    error: str = ""


#: Excel's limit on a data validation formula's length (characters, without the "=")
MAX_VALIDATION_FORMULA = 255


def validations(t: Template, lay: Layout, lists: list[tuple[str, ...]] | None = None) -> list[ValidationSpec]:
    """Every input cell's validation; ``lists`` gives the _lists columns when a workbook shares them."""
    lists = {choices: c for c, choices in enumerate(list_choices(t, lay) if lists is None else lists)}
    out = []
    items = [(inp, lay.input_cells[iid]) for iid, inp in input_items(t, lay).items()]
    if "fill_date" in lay.header_cells:
        fr, fc = lay.header_cells["fill_date"]
        items.append((Input("fill_date", "填报时间", type="date"), (lay.table_sheet, fr, fc)))
    leaves = {n.id: n for n in t.leaves()}
    for inp, (sheet, r, c) in items:
        v = ValidationSpec(sheet, r, c, "", title=inp.label[:32])
        msg = inp.help or ""
        check = _entry_check(leaves.get(inp.leaf), inp, lay)
        if check is not None and len(check.formula) > MAX_VALIDATION_FORMULA:
            check = None  # Excel drops (and "repairs") a longer one: validate by type; the reader checks the rest
        if inp.type == "choice" or inp.choices:
            n = lists[tuple(inp.choices)]
            v.kind, v.source = "list", f"={SHEET_LISTS}!{cell(0, n, True)}:{cell(len(inp.choices) - 1, n, True)}"
            v.error = f"请从下拉列表中选择：{'、'.join(inp.choices)}"[:255]
            v.message = (msg or "请从下拉列表中选择")[:255]
        elif inp.type == "date":
            import datetime as dt
            v.kind, v.minimum, v.maximum = "date", dt.date(2000, 1, 1), dt.date(2100, 12, 31)
            v.error = v.message = "请输入日期，如 2025-03-17"
        elif check is not None:
            v.kind, v.source, v.error, v.message = "custom", "=" + check.formula, check.error[:255], check.prompt[:255]
        elif inp.type in ("number", "percent", "money", "integer"):
            lo = inp.min if inp.min is not None else -1e12
            hi = inp.max if inp.max is not None else 1e12
            v.kind, v.minimum, v.maximum = ("whole" if inp.type == "integer" else "decimal"), lo, hi
            v.error = f"请输入{'整数' if inp.type == 'integer' else '数值'}{range_text(inp, lo, hi)}。"[:255]
            v.message = (f"{msg} 单位：{inp.unit}。" if inp.unit else msg or "请输入数值")[:255]
            mine = [c for c in t.checks if checked_input(c) == inp.id]
            if mine:  # the range and the cross-field checks in one custom rule
                x = cell(r, c)
                conds = [f"{x}>={fmt_num(lo)}", f"{x}<={fmt_num(hi)}"] + [
                    crosscheck_excel(k, lambda i: cell(*lay.input_cells[i][1:], absolute=True)) for k in mine]
                formula = f"AND({','.join(conds)})"
                if len(formula) <= MAX_VALIDATION_FORMULA:
                    v.kind, v.minimum, v.maximum, v.source = "custom", None, None, "=" + formula
                    v.error = (v.error + "".join(crosscheck_message(t, k) for k in mine))[:255]
        else:
            continue
        out.append(v)
    return out


def _entry_check(leaf: Node | None, inp: Input, lay: Layout):
    """The rule's own validation of this entry cell (rules' ``entry_check_excel``), if it has one."""
    if leaf is None or not inp.slot:
        return None
    refs = {e.slot: cell(*lay.input_cells[e.id][1:]) for e in lay.entries if e.leaf == leaf.id}
    return rule_for(leaf).entry_check_excel(leaf, inp.slot, refs)


def range_text(inp: Input, lo: float, hi: float) -> str:
    pct = inp.type == "percent"
    show = lambda x: f"{x * 100:g}%" if pct else f"{x:g}"  # noqa: E731
    if inp.min is not None and inp.max is not None:
        return f"，范围 {show(lo)} 至 {show(hi)}"
    if inp.min is not None:
        return f"，不小于 {show(lo)}"
    if inp.max is not None:
        return f"，不大于 {show(hi)}"
    return ""


def all_cells(t: Template, lay: Layout, department: str, year: int, udf_cells: bool = False) -> list[CellSpec]:
    return (guide_sheet(t, department, year) + inputs_sheet(t, lay) + table_sheet(t, lay, department, year, udf_cells)
            + lists_sheet(t, lay))


def locked_content(specs: list[CellSpec]) -> dict[str, Any]:
    """What a department cannot change by honest use: every locked cell's value or formula."""
    out = {}
    for s in specs:
        if s.locked and (s.value not in (None, "") or s.formula):
            out[f"{s.sheet}!{s.ref}"] = ("=" + s.formula) if s.formula else s.value
    return out


def fingerprint(t: Template, lay: Layout, department: str, year: int, udf_cells: bool = False) -> str:
    return fingerprint_of(t, all_cells(t, lay, department, year, udf_cells))


def fingerprint_of(t: Template, specs: list[CellSpec]) -> str:
    content = locked_content(specs)
    blob = json.dumps({"template": t.id, "version": t.version, "cells": content},
                      ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
