"""Every cell of a department's project workbook as ``CellSpec``s, and what each formula shows.

Sheets: 填报说明, 项目汇总 (live formulas over the project sheets), one sheet per project, _lists.
The renderer writes these specs; the reader compares a returned workbook against them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..cells import CellSpec, formula_values, grade_formula, hint_summary, input_style, row_hint, signature_cells, sum_formula
from ..engine import Result
from ..expr import parse
from ..layout import Layout, cell, qualified
from ..model import Node, Template
from ..numeric import SCORE_DECIMALS, as_number, fmt_num, xl_round
from ..rules import rule_for
from ..rules.open import NATURES
from .form import ProjectForm
from .layout import (
    COL,
    COLUMNS,
    FUND_COL,
    FUND_HEADER_ROW,
    GOAL_ACTUAL_COLS,
    GOAL_COLS,
    GOAL_HEADER_ROW,
    GOAL_ROW,
    HEAD_ROWS,
    check_row,
    project_layout,
    todo_cell,
)
from .project import FUND_COLS, FUND_ROWS, Project, fund_id, instantiate, sheet_names

SHEET_GUIDE = "填报说明"
SHEET_SUMMARY = "项目汇总"
SHEET_LISTS = "_lists"
SHEET_META = "_meta"
STANDARD = {"input", "derived", "rate", "score", "total", "grade", "hint", "hints"}
SUMMARY_FIRST = 3  # the first project row of 项目汇总
SUMMARY_COLS = [("序号", 6), ("项目名称", 40), ("全年预算数（万元）", 14), ("全年执行数（万元）", 14), ("执行率", 10),
                ("自评得分", 10), ("自评等级", 10)]


@dataclass
class Part:
    """One project: its data, sheet, model template and layout."""

    index: int
    project: Project
    sheet: str
    template: Template
    layout: Layout


def parts_for(form: ProjectForm, projects: list[Project]) -> list[Part]:
    out = []
    for i, (p, sheet) in enumerate(zip(projects, sheet_names(projects)), start=1):
        t = instantiate(form, p)
        out.append(Part(i, p, sheet, t, project_layout(t, sheet, f"P{i:02d}_")))
    return out


def list_sources(form: ProjectForm) -> list[tuple[str, ...]]:
    """The workbook's dropdown lists, one column each on _lists: the 定性 levels, then 指标性质."""
    return [form.level_names, NATURES]


def _open_leaves(top: Node) -> list[Node]:
    return [n for n in top.children if n.kind == "open"]


def _used(lay: Layout, n: Node) -> str:
    return rule_for(n).used_excel(lay.slot_refs(n))


def _target_text(n: Node) -> str:
    if n.target is None:
        return ""
    if n.target.text:
        return n.target.text
    pct = n.actual is not None and n.actual.type == "percent"
    return n.target.display(pct) + ("" if pct else n.unit)


def project_sheet(form: ProjectForm, part: Part, department: str, year: int) -> list[CellSpec]:
    t, lay, S, p = part.template, part.layout, part.sheet, part.project
    last = len(COLUMNS) - 1
    out = [CellSpec(S, 0, 0, form.title, style="title", merge_to=(0, last)),
           CellSpec(S, 1, 0, f"（{year}年度）", style="subtitle", merge_to=(1, last))]
    r = HEAD_ROWS["name"]
    out += [CellSpec(S, r, 0, "项目名称", style="header", merge_to=(r, 1)),
            CellSpec(S, r, 2, p.name, style="text", merge_to=(r, last))]
    r = HEAD_ROWS["owner"]
    out += [CellSpec(S, r, 0, "主管部门", style="header", merge_to=(r, 1)),
            CellSpec(S, r, 2, p.owner or department, style="text", merge_to=(r, 4)),
            CellSpec(S, r, 5, "实施单位", style="header", merge_to=(r, 6)),
            CellSpec(S, r, 7, p.unit or department, style="text", merge_to=(r, last))]
    # 项目资金 block
    h = FUND_HEADER_ROW
    out.append(CellSpec(S, h, 0, "项目资金（万元）", style="header", merge_to=(h, 1)))
    for c, label in FUND_COLS:
        out.append(CellSpec(S, h, FUND_COL[c], label, style="header"))
    for key, label in (("rate", "执行率"), ("weight", "分值"), ("score", "得分"), ("reason", "执行率偏差原因"), ("hint", "提示")):
        out.append(CellSpec(S, h, FUND_COL[key], label, style="header"))
    out.append(CellSpec(S, h, 7, None, style="header"))
    budget = t.indicators[0]
    for i, (rk, label) in enumerate(FUND_ROWS):
        r = h + 1 + i
        out.append(CellSpec(S, r, 0, label, style="text", merge_to=(r, 1)))
        for c, _ in FUND_COLS:
            iid = fund_id(rk, c)
            out.append(CellSpec(S, r, FUND_COL[c], None, style="in_money", locked=False, input_id=iid))
        f, calc = row_hint(t, lay, [fund_id(rk, c) for c, _ in FUND_COLS])
        out.append(CellSpec(S, r, FUND_COL["hint"], None, formula=f, style="hint" if f else "text", calc=calc if f else None))
        if i == 0:
            rr, rc = lay.derived_cells["rate"]
            rate = parse(t.derived[0].expr).excel(lambda name: cell(*lay.input_cells[name][1:], absolute=True))
            out += [CellSpec(S, rr, rc, None, formula=rate, style="f_pct", calc=("derived", "rate")),
                    CellSpec(S, r, FUND_COL["weight"], budget.weight, style="num"),
                    CellSpec(S, r, 7, None),
                    CellSpec(S, r, FUND_COL["score"], None, formula=rule_for(budget).formula(budget, lay.slot_refs(budget)),
                             style="f_score", calc=("score", budget.id)),
                    CellSpec(S, r, FUND_COL["reason"], None, style="in_text", locked=False, input_id=f"{budget.id}.reason")]
        else:
            out += [CellSpec(S, r, c, None) for c in range(5, FUND_COL["hint"])]
    # 年度总体目标
    g = GOAL_HEADER_ROW
    out += [CellSpec(S, g, 0, "年度总体目标", style="header", merge_to=(GOAL_ROW, 1)),
            CellSpec(S, g, GOAL_COLS[0], "预期目标", style="header", merge_to=(g, GOAL_COLS[1])),
            CellSpec(S, g, GOAL_ACTUAL_COLS[0], "实际完成情况", style="header", merge_to=(g, GOAL_ACTUAL_COLS[1]))]
    if p.goal:
        out.append(CellSpec(S, GOAL_ROW, GOAL_COLS[0], p.goal, style="text", merge_to=(GOAL_ROW, GOAL_COLS[1])))
    else:
        out.append(CellSpec(S, GOAL_ROW, GOAL_COLS[0], None, style="in_text", locked=False, input_id="goal",
                            merge_to=(GOAL_ROW, GOAL_COLS[1])))
    out.append(CellSpec(S, GOAL_ROW, GOAL_ACTUAL_COLS[0], None, style="in_text", locked=False, input_id="goal_actual",
                        merge_to=(GOAL_ROW, GOAL_ACTUAL_COLS[1])))
    # 绩效指标
    for c, col in enumerate(COLUMNS):
        out.append(CellSpec(S, lay.header_row, c, col.header, style="header"))
    for top in t.indicators[1:]:
        first, lastrow = lay.node_span[top.id]
        out.append(CellSpec(S, first, 0, top.name, style="text", merge_to=(lastrow, 0) if lastrow > first else None))
        start = first
        for i, n in enumerate(top.children):
            nxt = top.children[i + 1] if i + 1 < len(top.children) else None
            if nxt is None or nxt.group != n.group:
                end = lay.leaf_rows[n.id].row
                out.append(CellSpec(S, start, 1, n.group, style="text", merge_to=(end, 1) if end > start else None))
                start = end + 1
            out += _leaf_cells(t, lay, n, S)
    out += _total_cells(form, part)
    return out


def _leaf_cells(t: Template, lay: Layout, n: Node, S: str) -> list[CellSpec]:
    row = lay.leaf_rows[n.id].row
    rule = rule_for(n)
    refs = lay.slot_refs(n)
    f, calc = row_hint(t, lay, [e.id for e in lay.entries if e.leaf == n.id])
    out = [CellSpec(S, row, COL["score"], None, formula=rule.formula(n, refs), style="f_score", calc=("score", n.id)),
           CellSpec(S, row, COL["reason"], None, style="in_text", locked=False, input_id=f"{n.id}.reason"),
           CellSpec(S, row, COL["hint"], None, formula=f, style="hint" if f else "text", calc=calc if f else None)]
    if n.kind == "open":
        styles = {"name": "in_text", "nature": "in_text", "target": "in_text", "actual": "in_text",
                  "weight": "in_num", "score": "in_num"}
        for slot, style in styles.items():
            c = lay.leaf_rows[n.id].cols["entry_score" if slot == "score" else slot]
            out.append(CellSpec(S, row, c, None, style=style, locked=False, input_id=f"{n.id}.{slot}"))
        return out
    slots = {s.name: s for s in rule.slots(n)}
    s = slots["actual"]
    out += [CellSpec(S, row, COL["level3"], n.name, style="text"),
            CellSpec(S, row, COL["nature"], "定性" if n.kind == "grade" else {">=": "≥", "<=": "≤", "=": "="}[n.target.op],
                     style="center"),
            CellSpec(S, row, COL["target"], _target_text(n), style="center"),
            CellSpec(S, row, COL["actual"], None, style="in_text" if s.type == "choice" else input_style(s.type),
                     locked=False, input_id=f"{n.id}.actual"),
            CellSpec(S, row, COL["weight"], n.weight, style="num")]
    if "score" in slots:
        out.append(CellSpec(S, row, COL["entry_score"], None, style="in_num", locked=False, input_id=f"{n.id}.score"))
    else:
        out.append(CellSpec(S, row, COL["entry_score"], None))
    return out


def _span(lay: Layout, top: Node, key: str) -> str:
    first, last = lay.node_span[top.id]
    return f"{cell(first, COL[key])}:{cell(last, COL[key])}"


def subtotal_formula(lay: Layout, top: Node) -> str:
    scores = _span(lay, top, "score")
    opens = _open_leaves(top)
    if not opens:
        return sum_formula(scores, len(top.children))
    need = "+".join([str(len(top.children) - len(opens))] + [_used(lay, n) for n in opens])
    return (f'IF(OR(COUNT({scores})<{need},ROUND(SUM({_span(lay, top, "weight")}),{SCORE_DECIMALS})<>{fmt_num(top.weight)}),'
            f'"",ROUND(SUM({scores}),{SCORE_DECIMALS}))')


def hint_ranges(lay: Layout) -> list[tuple[str, int]]:
    """The 提示 cells the line beside 总分 counts: the 项目资金 rows' and the indicator rows'."""
    c = COL["hint"]
    first, top, end = FUND_HEADER_ROW + 1, lay.header_row + 1, lay.total_cell[0] - 1
    return [(f"{cell(first, c)}:{cell(first + len(FUND_ROWS) - 1, c)}", len(FUND_ROWS)),
            (f"{cell(top, c)}:{cell(end, c)}", end - top + 1)]


def _total_cells(form: ProjectForm, part: Part) -> list[CellSpec]:
    t, lay, S = part.template, part.layout, part.sheet
    last = len(COLUMNS) - 1
    tr, tc = lay.total_cell
    gr, gc = lay.grade_cell
    tops = t.indicators
    refs = ",".join(cell(*lay.score_cells[n.id]) for n in tops)
    hint, hint_calc = hint_summary(t, lay, cell(tr, tc), hint_ranges(lay))
    out = [CellSpec(S, tr, 0, "总分", style="header", merge_to=(tr, 5)),
           CellSpec(S, tr, COL["weight"], t.total_weight, style="num"), CellSpec(S, tr, 7, None),
           CellSpec(S, tr, tc, None, formula=sum_formula(refs, len(tops)), style="f_total", calc=("total",)),
           CellSpec(S, tr, COL["reason"], None, formula=hint, style="hint_box", merge_to=(gr, last), calc=hint_calc),
           CellSpec(S, gr, 0, "自评等级", style="header", merge_to=(gr, 5)),
           CellSpec(S, gr, COL["weight"], None), CellSpec(S, gr, 7, None),
           CellSpec(S, gr, gc, None, formula=grade_formula(t, cell(tr, tc)), style="f_total", calc=("grade",))]
    for top in tops[1:]:
        r = check_row(lay, top.id)
        wsum = f"ROUND(SUM({_span(lay, top, 'weight')}),{SCORE_DECIMALS})"
        w = fmt_num(top.weight)
        out += [CellSpec(S, r, 0, f"{top.name}：分值合计（应为{w}）与得分小计", style="subheader", merge_to=(r, 5)),
                CellSpec(S, r, COL["weight"], None, formula=wsum, style="f_num", calc=("wsum", top.id)),
                CellSpec(S, r, 7, None),
                CellSpec(S, r, COL["score"], None, formula=subtotal_formula(lay, top), style="f_score", calc=("score", top.id)),
                CellSpec(S, r, COL["reason"], None, formula=f'IF({wsum}={w},"分值合计正确","分值合计应为{w}，请调整")',
                         style="f_text", calc=("wstatus", top.id)),
                CellSpec(S, r, COL["hint"], None)]
    opens = [n for top in tops[1:] for n in _open_leaves(top)]
    r, c = todo_cell(lay)
    note = r + 1
    if opens:
        scored = ",".join(cell(*lay.score_cells[n.id]) for n in opens)
        used = "+".join(_used(lay, n) for n in opens)
        out += [CellSpec(S, r, 0, "已开始填写但未填完整的指标行数（填完整后才计分）", style="subheader", merge_to=(r, 5)),
                CellSpec(S, r, c, None, formula=f"{used}-COUNT({scored})", style="f_int", calc=("todo",))]
    text = ("说明：黄色单元格为填报项，其余由公式计算或为预填内容，已锁定。得分低于分值的指标须填写偏差原因；"
            f"评价等级 {'；'.join(f'{g.name}≥{fmt_num(g.min)}' for g in sorted(t.grades, key=lambda g: -g.min) if g.min > 0)}。")
    if opens:
        text += "本项目的指标未预填：请在各二级指标下的空行填写三级指标、指标性质（下拉选择）、年度指标值、实际完成值和分值；空行不计分。"
    out.append(CellSpec(S, note, 0, text, style="note", merge_to=(note, last)))
    out += signature_cells(S, note + 1, last)
    return out


def summary_sheet(form: ProjectForm, parts: list[Part], department: str, year: int) -> list[CellSpec]:
    S = SHEET_SUMMARY
    last = len(SUMMARY_COLS) - 1
    out = [CellSpec(S, 0, 0, f"{department}·项目支出绩效自评汇总表", style="title", merge_to=(0, last)),
           CellSpec(S, 1, 0, f"（{year}年度）本表由各项目表自动汇总，不需填写。", style="subtitle", merge_to=(1, last))]
    for c, (h, _) in enumerate(SUMMARY_COLS):
        out.append(CellSpec(S, 2, c, h, style="header"))
    for part in parts:
        r = SUMMARY_FIRST + part.index - 1
        lay = part.layout
        refs = {"year": qualified(part.sheet, *lay.input_cells[fund_id("total", "year")][1:]),
                "executed": qualified(part.sheet, *lay.input_cells[fund_id("total", "executed")][1:]),
                "rate": qualified(part.sheet, *lay.derived_cells["rate"]),
                "total": qualified(part.sheet, *lay.total_cell), "grade": qualified(part.sheet, *lay.grade_cell)}
        num = lambda ref: f'IF(ISNUMBER({ref}),{ref},"")'  # noqa: E731
        out += [CellSpec(S, r, 0, float(part.index), style="center"), CellSpec(S, r, 1, part.project.name),
                CellSpec(S, r, 2, None, formula=num(refs["year"]), style="f_money", calc=("p_input", part.index, fund_id("total", "year"))),
                CellSpec(S, r, 3, None, formula=num(refs["executed"]), style="f_money",
                         calc=("p_input", part.index, fund_id("total", "executed"))),
                CellSpec(S, r, 4, None, formula=num(refs["rate"]), style="f_pct", calc=("p_rate", part.index)),
                CellSpec(S, r, 5, None, formula=num(refs["total"]), style="f_score", calc=("p_total", part.index)),
                CellSpec(S, r, 6, None, formula=f'IF(ISNUMBER({refs["total"]}),{refs["grade"]},"")', style="f_text",
                         calc=("p_grade", part.index))]
    n = len(parts)
    first, lastrow = SUMMARY_FIRST, SUMMARY_FIRST + n - 1
    col = lambda c: f"{cell(first, c)}:{cell(lastrow, c)}"  # noqa: E731
    r = lastrow + 1
    out += [CellSpec(S, r, 0, "合计", style="header", merge_to=(r, 1)),
            CellSpec(S, r, 2, None, formula=f"SUM({col(2)})", style="f_money", calc=("sum", fund_id("total", "year"))),
            CellSpec(S, r, 3, None, formula=f"SUM({col(3)})", style="f_money", calc=("sum", fund_id("total", "executed")))]
    out += [CellSpec(S, r, c, None) for c in (4, 5, 6)]
    r += 1
    out += [CellSpec(S, r, 0, f"平均得分（{n}个项目）", style="header", merge_to=(r, 4)),
            CellSpec(S, r, 5, None, formula=f'IF(COUNT({col(5)})<{n},"",ROUND(AVERAGE({col(5)}),{SCORE_DECIMALS}))',
                     style="f_total", calc=("avg",)), CellSpec(S, r, 6, None)]
    r += 1
    out += [CellSpec(S, r, 0, "按全年预算数加权的平均得分", style="header", merge_to=(r, 4)),
            CellSpec(S, r, 5, None, formula=(f'IF(OR(COUNT({col(5)})<{n},COUNT({col(2)})<{n}),"",IF(SUM({col(2)})<=0,"",'
                                             f'ROUND(SUMPRODUCT({col(5)},{col(2)})/SUM({col(2)}),{SCORE_DECIMALS})))'),
                     style="f_total", calc=("wavg",)), CellSpec(S, r, 6, None)]
    r += 2
    out.append(CellSpec(S, r, 0, "说明：项目得分、资金和执行率取自各项目表；任一项目尚未完成评分时，平均得分显示为空白。",
                        style="note", merge_to=(r, last)))
    return out


def guide_sheet(form: ProjectForm, department: str, year: int, n: int) -> list[CellSpec]:
    lines = [(f"{form.title}·填报说明", "title"), (f"部门(单位)：{department}    年度：{year}    项目数：{n}", "text"),
             (f"适用地区：{form.region}    表样版本：{form.version}", "text"),
             ("一、填报方法", "subheader"),
             ("1. 每个项目一张工作表。先填写“项目资金”的全年预算数和全年执行数（万元），执行率和得分自动计算。", "text"),
             ("2. 填写年度总体目标的实际完成情况，再逐行填写绩效指标的实际完成值；定性指标下拉选择评价等级，并可在该等级的分数范围内填写自评分。", "text"),
             ("3. 得分低于分值的指标须填写偏差原因分析及改进措施；未填写时该单元格显示为红色。", "text"),
             ("4. 指标未预填的项目：在二级指标下的空行填写三级指标、指标性质、年度指标值、实际完成值和分值，各一级指标的分值合计须等于规定分值。", "text"),
             ("5. “项目汇总”表自动汇总各项目的资金、执行率和得分，不需填写。", "text"),
             ("二、计分规则", "subheader"), (form.description, "text"),
             ("三、评价等级", "subheader")]
    bands = sorted(form.grades, key=lambda g: -g.min)
    for i, g in enumerate(bands):
        hi = f"，且低于 {bands[i - 1].min:g} 分" if i > 0 else ""
        lines.append((f"{g.name}：得分不低于 {g.min:g} 分{hi}", "text"))
    return [CellSpec(SHEET_GUIDE, r, 0, text, style=style) for r, (text, style) in enumerate(lines)]


def lists_sheet(form: ProjectForm) -> list[CellSpec]:
    return [CellSpec(SHEET_LISTS, r, c, ch) for c, choices in enumerate(list_sources(form)) for r, ch in enumerate(choices)]


def workbook_cells(form: ProjectForm, parts: list[Part], department: str, year: int) -> list[CellSpec]:
    out = guide_sheet(form, department, year, len(parts)) + summary_sheet(form, parts, department, year)
    for part in parts:
        out += project_sheet(form, part, department, year)
    return out + lists_sheet(form)


def shown_sheets(parts: list[Part]) -> tuple[str, ...]:
    return (SHEET_GUIDE, SHEET_SUMMARY, *(p.sheet for p in parts))


def formula_cache(form: ProjectForm, parts: list[Part], specs: list[CellSpec], values: list[Mapping[str, Any]],
                  results: list[Result]) -> dict[tuple[str, int, int], Any]:
    """What every formula cell shows, for each project's ``values`` and the engine's ``results``."""
    by_sheet = {p.sheet: p for p in parts}
    standard: dict[str, list[CellSpec]] = {}
    out: dict[tuple[str, int, int], Any] = {}
    totals = [r.total for r in results]
    budgets = [as_number(v.get(fund_id("total", "year"))) for v in values]
    for s in specs:
        if s.formula is None:
            continue
        kind, *key = s.calc
        if kind in STANDARD and s.sheet in by_sheet:
            standard.setdefault(s.sheet, []).append(s)
            continue
        part = by_sheet.get(s.sheet)
        if kind == "wsum":
            top = part.template.node(key[0])
            v = xl_round(sum((results[part.index - 1].weights.get(n.id) or 0.0) if n.kind == "open" else n.weight
                             for n in top.children), SCORE_DECIMALS)
        elif kind == "wstatus":
            top = part.template.node(key[0])
            ws = out.get((s.sheet, s.row, COL["weight"]))
            v = "分值合计正确" if ws == top.weight else f"分值合计应为{fmt_num(top.weight)}，请调整"
        elif kind == "todo":
            res = results[part.index - 1]
            v = float(sum(1 for n in part.template.leaves() if n.kind == "open" and n.id not in res.unused
                          and res.scores[n.id] is None))
        elif kind == "p_input":
            v = as_number(values[key[0] - 1].get(key[1]))
        elif kind == "p_rate":
            v = results[key[0] - 1].derived.get("rate")
        elif kind == "p_total":
            v = totals[key[0] - 1]
        elif kind == "p_grade":
            v = results[key[0] - 1].grade if totals[key[0] - 1] is not None else None
        elif kind == "sum":
            v = float(sum(x for x in (as_number(vv.get(key[0])) for vv in values) if x is not None))
        elif kind == "avg":
            v = None if None in totals else xl_round(sum(totals) / len(totals), SCORE_DECIMALS)
        elif kind == "wavg":
            v = None
            if None not in totals and None not in budgets and sum(budgets) > 0:
                v = xl_round(sum(a * b for a, b in zip(totals, budgets)) / sum(budgets), SCORE_DECIMALS)
        else:
            raise ValueError(f"unknown calc {s.calc}")
        out[(s.sheet, s.row, s.col)] = v
    for sheet, mine in standard.items():
        part = by_sheet[sheet]
        out.update(formula_values(part.template, mine, values[part.index - 1], results[part.index - 1]))
    for k, v in out.items():
        if isinstance(v, float) and not math.isfinite(v):
            out[k] = None
    return out
