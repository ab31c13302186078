"""Write a template as the bureau's authoring workbook (指标体系.xlsx), with live checks.

The 指标体系 sheet has one row per scored item, in the shape of the seeds' tables: parent names
and weights on the first row of their group, blank below. Hidden helper columns carry each
row's path (一级/二级/…) so that plain formulas (SUMIF, SUMPRODUCT) check, as the bureau types,
each parent's weight against its items, the total against 100, duplicate names, and missing
分值 or 评分标准; the 检查 column and conditional formats show it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .. import expr as expr_mod
from ..model import OP_TEXT, Node, Template
from ..rules import rule_for
from ..rules.base import is_percent
from ..rules.text import num_text, points_text
from . import spec as S

SPARE_ROWS = 200  # rows below the items that already carry the check formulas
HEADER_ROW = 1  # 0-based: row 2 as the bureau sees it; row 1 is the status line
RULE_HELP = [
    ("完成比例", "（不用参数；方向看年度指标值的 ≥ ≤ =）", "超额扣分起点=150%；超额扣分系数=1；说明原因起点=130%"),
    ("线性插值", "零分点、满分点", "零分点=60%；满分点=100%"),
    ("分档计分", "每档一项：区间：分数", "x≥90%：5分；80%≤x<90%：4分；x<80%：0分"),
    ("超限扣分", "标准、每超过（或每低于）、扣、不足一档", "标准=100%；每超过=1%；扣=0.5"),
    ("清单计分", "每项扣（或每项得）、项目", "每项扣=分值的25%；项目=甲、乙、丙"),
    ("等级评定", "每个等级一项：名称=比例、分数或区间", "达成年度指标=80%~100%，空白按100%；部分达成=60%~80%，空白按70%"),
    ("是否判断", "（不用参数）", ""),
    ("人工评分", "（不用参数）", ""),
]


def _compose_help() -> list[tuple[str, str, str]]:
    """The 组合计分 rows of 使用说明: one per part, from the parts' own EXAMPLE faces."""
    from ..rules.compose import PARTS
    from ..rules.parts import na
    rows = [("组合计分", "数值（名称，可加 (%)、(项)、(是否)、(等级)）；主计分一项：基础分、分档、条件、等级或公式；"
                     "扣分可几项：按差扣分、计数扣分；可加 不适用",
             "数值=完成率(%)、问题(项)；基础分=满分；按差扣分=完成率低于100%每1%扣1分；计数扣分=问题每项扣0.5分，最多扣3分")]
    rows += [(f"　{p.param_key}", p.label, p.EXAMPLE) for p in PARTS.values()]
    return rows + [(f"　{na.PARAM_KEY}", "选“不适用”时的得分", na.EXAMPLE)]


def target_text(n: Node) -> str:
    t = n.target
    if t is None:
        return ""
    if t.text:
        return t.text
    op = OP_TEXT.get(t.op or "", "")
    if t.entry:
        return f"{op}（{S.ENTRY_TARGET}）"
    if t.value is None:
        return op
    return f"{op}{num_text(t.value, is_percent(n))}"


def source_text(t: Template, n: Node) -> str:
    a = n.actual
    if a is None or a.source == "entry":
        return ""
    if a.source == "input":
        return f"{S.SHEET_INPUTS}：{next(i.label for i in t.inputs if i.id == a.ref)}"
    return f"{S.SHEET_DERIVED}：{next(d.label for d in t.derived if d.id == a.ref)}"


def expr_text(t: Template, text: str) -> str:
    """A derived expression with Chinese names (``【在职人员数】/【编制数】``)."""
    labels = {i.id: i.label for i in t.inputs} | {d.id: d.label for d in t.derived}
    e = expr_mod.parse(text)
    out = text
    for name in sorted(e.names, key=len, reverse=True):
        out = _replace_name(out, name, f"【{labels.get(name, name)}】")
    return out


def _replace_name(text: str, name: str, to: str) -> str:
    return re.sub(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", to, text)


def system_columns(t: Template) -> list[str]:
    depth = t.depth
    cols: list[str] = []
    for k in range(1, depth + 1):
        cols.append(S.LEVELS[k - 1])
        if k < depth:
            cols.append(S.level_weight(k))
    cols += [h for h, _ in S.LEAF_COLUMNS if h != "编号"]
    for k in range(1, depth):
        if any(n.explanation for n in t.nodes() if n.children and n.depth == k):
            cols.append(S.level_explanation(k))
    cols += list(S.OUTPUT_COLUMNS) + ["编号"] + [S.LEVELS[k - 1].removesuffix("指标") + "编号" for k in range(1, depth)]
    return cols


def export(t: Template, path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    f = _formats(wb)
    values, lists = _lists(t)
    _system_sheet(wb, f, t, lists)
    _table(wb, f, S.SHEET_INPUTS, S.INPUT_HEADERS, [
        [i.label, S.INPUT_TYPE_NAMES[i.type], i.unit, _bound(i.min, i.type), _bound(i.max, i.type),
         "、".join(i.choices), "是" if i.required else "否", i.help, i.id] for i in t.inputs],
        widths=(28, 8, 6, 9, 9, 16, 6, 30, 14), lists={1: list(S.INPUT_TYPE_NAMES.values()), 6: ["是", "否"]}, hide=(8,))
    _table(wb, f, S.SHEET_DERIVED, S.DERIVED_HEADERS, [
        [d.label, expr_text(t, d.expr), S.DERIVED_TYPES.get(d.type, d.type), d.unit, d.help, d.id] for d in t.derived],
        widths=(24, 48, 8, 6, 30, 14), lists={2: list(S.DERIVED_TYPES.values())}, hide=(5,))
    _table(wb, f, S.SHEET_GRADES, S.GRADE_HEADERS, [[g.name, g.min] for g in t.grades], widths=(12, 10))
    info = []
    for key, name in S.INFO_FIELDS:
        v = _info_value(t, key)
        for x in (v if key in S.LIST_FIELDS else [v]):
            info.append([name, x])
    _table(wb, f, S.SHEET_INFO, S.INFO_HEADERS, info, widths=(14, 90),
           lists_by_row={i: list(S.REASON_WHEN.values()) for i, r in enumerate(info) if r[0] == "扣分原因要求"})
    _layout_sheet(wb, f, t)
    _table(wb, f, S.SHEET_CHECKS, S.CHECK_HEADERS, [_check_row(t, c) for c in t.checks], widths=(10, 40, 28, 8, 8),
           lists={0: list(S.CHECK_KINDS.values())})
    _guide_sheet(wb, f)
    _lists_sheet(wb, values)  # created last: sheets are written in the order made (defined names count on it)
    wb.get_worksheet_by_name(S.SHEET_SYSTEM).activate()
    wb.close()


def _formats(wb):
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1, "text_wrap": True}
    return {
        "head": wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "align": "center"}),
        "cell": wb.add_format(base),
        "num": wb.add_format({**base, "num_format": "0.##"}),
        # 年度指标值 is text: “=100%” typed in Excel or WPS stays the text the bureau typed, not a formula
        "textcell": wb.add_format({**base, "num_format": "@"}),
        "textcol": wb.add_format({"num_format": "@"}),
        "out": wb.add_format({**base, "font_color": "#595959", "bg_color": "#F2F2F2"}),
        "spare": wb.add_format({"font_name": "宋体", "font_size": 10, "font_color": "#9C0006"}),
        "status": wb.add_format({"font_name": "宋体", "font_size": 11, "bold": True}),
        "bad": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        "title": wb.add_format({"font_name": "宋体", "font_size": 14, "bold": True}),
        "text": wb.add_format({"font_name": "宋体", "font_size": 10, "text_wrap": True, "valign": "top"}),
    }


def _bound(v, typ):
    if v is None:
        return ""
    return num_text(v, True) if typ == "percent" else v


def _info_value(t: Template, key: str):
    return {"id": t.id, "title": t.title, "region": t.region, "year": t.year, "version": t.version,
            "description": t.description, "layout_title": t.layout.title,
            "reason_when": S.REASON_WHEN[next((n.reason_when for n in t.nodes()), "not-achieved")],
            "reason_min_length": t.reason_min_length, "guide_notes": t.guide_notes, "decisions": t.decisions,
            "layout_notes": t.layout.notes}[key]


def _check_row(t: Template, c) -> list:
    label = {i.id: i.label for i in t.inputs}
    if c.kind == "le":
        return [S.CHECK_KINDS["le"], label.get(c.left, c.left), label.get(c.right, c.right), c.factor, ""]
    return [S.CHECK_KINDS["sum"], "＋".join(label.get(p, p) for p in c.parts), label.get(c.total, c.total), "", c.tolerance]


def _lists(t: Template) -> tuple[list[list[str]], dict[str, str]]:
    """The dropdown lists (one column each on the hidden sheet) and the references the validations use."""
    sources = [f"{S.SHEET_INPUTS}：{i.label}" for i in t.inputs if i.numeric]
    sources += [f"{S.SHEET_DERIVED}：{d.label}" for d in t.derived]
    columns, refs = [], {}
    for col, (key, values) in enumerate((("rules", list(S.RULE_NAMES)), ("sources", sources))):
        columns.append(values)
        if values:
            c = xl_col_to_name(col)
            refs[key] = f"='{S.SHEET_LISTS}'!${c}$1:${c}${len(values)}"
    return columns, refs


def _lists_sheet(wb, columns: list[list[str]]) -> None:
    ws = wb.add_worksheet(S.SHEET_LISTS)
    ws.hide()
    for col, values in enumerate(columns):
        for r, v in enumerate(values):
            ws.write_string(r, col, v)


def _table(wb, f, name, headers, rows, widths=(), lists=None, lists_by_row=None, hide=()):
    ws = wb.add_worksheet(name)
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, f["head"])
        ws.set_column(c, c, widths[c] if c < len(widths) else 12, None, {"hidden": c in hide})
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row):
            _write(ws, r, c, v, f)
    for c, values in (lists or {}).items():
        ws.data_validation(1, c, max(len(rows), 1) + SPARE_ROWS, c,
                           {"validate": "list", "source": values, "error_message": "请从下拉列表中选择"})
    for r, values in (lists_by_row or {}).items():
        ws.data_validation(r + 1, 1, r + 1, 1, {"validate": "list", "source": values})
    ws.freeze_panes(1, 0)
    _one_page_wide(ws)
    ws.repeat_rows(0)
    return ws


def _one_page_wide(ws) -> None:
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def _write(ws, r, c, v, f, fmt="cell"):
    if v is None or v == "":
        ws.write_blank(r, c, None, f[fmt])
    elif isinstance(v, (int, float)) and not isinstance(v, bool):
        ws.write_number(r, c, v, f["num"] if fmt == "cell" else f[fmt])
    else:
        ws.write_string(r, c, str(v), f[fmt])


def _layout_sheet(wb, f, t: Template):
    ws = wb.add_worksheet(S.SHEET_LAYOUT)
    for c, h in enumerate(S.LAYOUT_HEADERS):
        ws.write_string(0, c, h, f["head"])
    for r, col in enumerate(t.layout.columns, 1):
        _write(ws, r, 0, S.column_name(col.key), f)
        _write(ws, r, 1, col.header, f)
        _write(ws, r, 2, col.width, f)
    r = len(t.layout.columns) + 2
    bb = t.layout.budget_block
    if bb:
        labels = {i.id: i.label for i in t.inputs} | {d.id: d.label for d in t.derived}
        ws.write_string(r, 0, "资金表标题", f["head"])
        _write(ws, r, 1, bb.get("title", ""), f)
        r += 1
        for c, h in enumerate(S.BUDGET_HEADERS):
            ws.write_string(r, c, h, f["head"])
        for row in bb.get("rows", []):
            r += 1
            for c, key in enumerate(S.BUDGET_KEYS):
                v = row.get(key, "")
                _write(ws, r, c, v if key == "label" else labels.get(v, v), f)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 4, 22)
    _one_page_wide(ws)


def _guide_sheet(wb, f):
    ws = wb.add_worksheet(S.SHEET_GUIDE)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 44)
    ws.set_column(2, 2, 70)
    ws.write_string(0, 0, "指标体系编写说明", f["title"])
    lines = [
        "“指标体系”表每行一个计分项；一级、二级指标名称及其分值只写在该组的第一行，下面的行留空表示同上。",
        "“计分方法”从下拉列表选择；留空时，程序按“评分标准”的文字识别计分方法，并在“解析结果”列写出它的理解，请核对。",
        "“年度指标值”写比较方向和数值，如 ≥95%、≤100%、=100%；由部门填写的写 ≥（部门填写）；定性指标直接写文字。",
        "“实际值来源”留空表示部门在自评表中填写；引用基础数据或计算指标时从下拉列表选择。",
        "“检查”列和第1行实时显示问题：上级分值与下级合计不符、总分不是100、名称重复、缺少分值或评分标准。",
        "新增计分项时，请复制一整行后“插入复制的单元格”，这样检查公式会随行带上。",
    ]
    for r, line in enumerate(lines, 2):
        ws.write_string(r, 0, f"{r - 1}.", f["text"])
        ws.merge_range(r, 1, r, 2, line, f["text"])
    _one_page_wide(ws)
    r = len(lines) + 3
    for c, h in enumerate(("计分方法", "参数", "示例")):
        ws.write_string(r, c, h, f["head"])
    for label, what, example in RULE_HELP + _compose_help():
        r += 1
        ws.write_string(r, 0, label, f["cell"])
        ws.write_string(r, 1, what, f["cell"])
        _write(ws, r, 2, example, f)


def _system_sheet(wb, f, t: Template, lists: dict[str, str]) -> None:
    ws = wb.add_worksheet(S.SHEET_SYSTEM)
    cols = system_columns(t)
    ci = {h: i for i, h in enumerate(cols)}
    depth = t.depth
    helper0 = len(cols)  # hidden path columns P1..Pdepth, then the leaf path
    widths = {"一级指标": 10, "二级指标": 12, "三级指标": 18, "评分要点": 18, "评分标准": 40, "解析结果": 36, "检查": 22,
              "参数": 24, "年度指标值": 11, "实际值来源": 16, "指标解释": 24, "说明": 16, "计分方法": 10}
    for h, i in ci.items():
        hidden = h.endswith("编号")
        ws.set_column(i, i, widths.get(h, 8 if "分值" in h or h == "单位" else 14), f["textcol"] if h in TEXT_COLUMNS else None,
                      {"hidden": hidden})
    ws.set_column(helper0, helper0 + depth, 10, None, {"hidden": True})
    for i, h in enumerate(cols):
        ws.write_string(HEADER_ROW, i, h, f["head"])
    for k in range(depth + 1):
        ws.write_string(HEADER_ROW, helper0 + k, f"路径{k + 1}" if k < depth else "计分项路径", f["head"])

    leaves = list(t.leaves())
    first = HEADER_ROW + 1
    started: set[str] = set()
    chains = _chains(t)
    grid: dict[int, list[str]] = {}  # the names as written, for the cached values of the path columns
    for r, leaf in enumerate(leaves, first):
        grid[r] = [""] * depth
        grid[r][leaf.depth - 1] = leaf.name
        for i in range(ci["解析结果"]):
            ws.write_blank(r, i, None, f["cell"])
        for n in chains[leaf.id]:
            if n.id in started:
                continue
            started.add(n.id)
            grid[r][n.depth - 1] = n.name
            _write(ws, r, ci[S.LEVELS[n.depth - 1]], n.name, f)
            _write(ws, r, ci[S.level_weight(n.depth)], n.weight, f)
            _write(ws, r, ci[S.LEVELS[n.depth - 1].removesuffix("指标") + "编号"], n.id, f)
            if n.explanation:
                _write(ws, r, ci[S.level_explanation(n.depth)], n.explanation, f)
        rule = rule_for(leaf)
        values = {S.LEVELS[leaf.depth - 1]: leaf.name, "分值": leaf.weight, "评分标准": leaf.criteria,
                  "计分方法": rule.label, "参数": rule.params_text(leaf), "年度指标值": target_text(leaf),
                  "单位": leaf.unit, "实际值来源": source_text(t, leaf), "指标解释": leaf.explanation, "说明": leaf.note,
                  "编号": leaf.id, "解析结果": rule.describe(leaf)}
        for h, v in values.items():
            _write(ws, r, ci[h], v, f, "out" if h == "解析结果" else "textcell" if h in TEXT_COLUMNS else "cell")
        ws.set_row(r, _height(values, widths))
    last = first + len(leaves) + SPARE_ROWS - 1
    _check_formulas(ws, f, t, ci, helper0, first, last, len(leaves), grid)
    ws.print_area(0, 0, first + len(leaves) - 1, ci["检查"])
    ws.data_validation(first, ci["计分方法"], last, ci["计分方法"],
                       {"validate": "list", "source": lists["rules"], "error_type": "warning",
                        "error_message": "请从下拉列表中选择计分方法，或留空由程序按评分标准识别"})
    if "sources" in lists:
        ws.data_validation(first, ci["实际值来源"], last, ci["实际值来源"],
                           {"validate": "list", "source": lists["sources"], "error_type": "warning"})
    for h in ["分值"] + [S.level_weight(k) for k in range(1, depth)]:
        ws.data_validation(first, ci[h], last, ci[h], {"validate": "decimal", "criteria": ">=", "value": 0,
                                                     "error_message": "分值应为不小于0的数字"})
    ws.freeze_panes(HEADER_ROW + 1, ci[S.LEVELS[depth - 1]] + 1)
    ws.autofilter(HEADER_ROW, 0, last, len(cols) - 1)
    ws.set_row(HEADER_ROW, 30)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)


#: 指标体系 columns formatted as text, so that a typed “=100%” or “≥95%” is kept as typed
TEXT_COLUMNS = ("年度指标值", "参数")
WRAPPED = ("评分标准", "解析结果", "参数", "指标解释") + S.LEVELS


def _height(values: dict, widths: dict[str, float]) -> float:
    """A row tall enough for its wrapped text (a CJK character is about two width units)."""
    lines = max(1, *(math.ceil(len(v) * 2 / max(widths.get(h, 10) - 1, 4))
                     for h, v in values.items() if h in WRAPPED and isinstance(v, str) and v))
    return min(409, 14 * lines)


def _chains(t: Template) -> dict[str, list[Node]]:
    """Each leaf's ancestors, top first, by leaf id (one walk of the tree)."""
    out: dict[str, list[Node]] = {}

    def walk(nodes, path):
        for n in nodes:
            if n.is_leaf:
                out[n.id] = path
            else:
                walk(n.children, path + [n])

    walk(t.indicators, [])
    return out


def _check_formulas(ws, f, t, ci, helper0, first, last, n_items, grid):
    """The hidden path columns and the 检查 column; cached values are the paths as the formulas give them
    (LibreOffice may show cached values without recalculating, and later edits recalculate from them)."""
    depth = t.depth
    name = [ci[S.LEVELS[k]] for k in range(depth)]
    wcol = ci["分值"]

    def a(r, c):
        return xl_rowcol_to_cell(r, c)

    def rng(c):
        return f"${xl_col_to_name(c)}${first + 1}:${xl_col_to_name(c)}${last + 1}"

    prev = [""] * depth
    for r in range(first, last + 1):
        names = grid.get(r, [""] * depth)
        paths = []
        for k in range(depth):
            if names[k]:
                paths.append((paths[k - 1] + "/" if k else "") + names[k])
            else:
                paths.append("" if any(names[:k]) else prev[k])
        prev = paths
        leaf_value = next((paths[k] for k in reversed(range(depth)) if names[k]), "")
        for k in range(depth):
            higher = [f'{a(r, name[j])}<>""' for j in range(k)]
            prev_path = "" if k == 0 else f'{a(r, helper0 + k - 1)}&"/"&'
            own = f'{prev_path}{a(r, name[k])}'
            inherit = '""' if r == first else a(r - 1, helper0 + k)
            if higher:
                inherit = f'IF(OR({",".join(higher)}),"",{inherit})'
            ws.write_formula(r, helper0 + k, f'=IF({a(r, name[k])}<>"",{own},{inherit})', None, paths[k])
        leaf_path = '""'
        for k in range(depth):
            leaf_path = f'IF({a(r, name[k])}<>"",{a(r, helper0 + k)},{leaf_path})'
        ws.write_formula(r, helper0 + depth, f"={leaf_path}", None, leaf_value)
        any_name = f'COUNTA({a(r, name[0])}:{a(r, name[-1])})>0'
        msgs = [f'IF(AND({any_name},NOT(ISNUMBER({a(r, wcol)}))),"缺少分值；","")',
                f'IF(AND(ISNUMBER({a(r, wcol)}),NOT({any_name})),"缺少指标名称；","")',
                f'IF(AND({any_name},{a(r, ci["评分标准"])}="",{a(r, ci["计分方法"])}=""),"缺少评分标准或计分方法；","")',
                f'IF(AND({a(r, helper0 + depth)}<>"",SUMPRODUCT(--({rng(helper0 + depth)}={a(r, helper0 + depth)}))>1),"名称重复；","")']
        for k in range(depth - 1):
            wk = ci[S.level_weight(k + 1)]
            deeper = f'COUNTA({a(r, name[k + 1])}:{a(r, name[-1])})>0'
            start = f'AND({a(r, name[k])}<>"",{deeper})'
            total = f'SUMIF({rng(helper0 + k)},{a(r, helper0 + k)},{rng(wcol)})'
            label = S.level_weight(k + 1)
            msgs.append(f'IF(AND({start},ISNUMBER({a(r, wk)})),IF(ABS({total}-{a(r, wk)})>0.0001,'
                        f'"{label}"&{a(r, wk)}&"与下级合计"&ROUND({total},4)&"不符；",""),"")')
            msgs.append(f'IF(AND({start},SUMPRODUCT(({rng(helper0 + k)}={a(r, helper0 + k)})*({rng(name[k])}<>""))>1),'
                        f'"{S.LEVELS[k]}名称重复；","")')
        ws.write_formula(r, ci["检查"], "=" + "&".join(msgs), f["out"] if r < first + n_items else f["spare"], "")
    # the status line (row 1) and conditional formats
    total = f"SUM({rng(wcol)})"
    checks = rng(ci["检查"])
    ws.write_string(0, 0, "分值合计", f["status"])
    ws.write_formula(0, 1, f"={total}", f["status"], sum(n.weight for n in t.leaves()))
    status = (f'=IF(ABS({total}-100)>0.0001,"总分应为100，现为"&ROUND({total},4),'
              f'IF(SUMPRODUCT(--({checks}<>""))>0,"有"&SUMPRODUCT(--({checks}<>""))&"行需要修改，见“检查”列","检查通过"))')
    leaf_total = sum(n.weight for n in t.leaves())
    ws.write_formula(0, 2, status, f["status"],
                     "检查通过" if abs(leaf_total - 100) <= 1e-4 else f"总分应为100，现为{points_text(leaf_total)}")
    ws.conditional_format(0, 2, 0, 2, {"type": "formula", "criteria": '=$C$1<>"检查通过"', "format": f["bad"]})
    c = xl_col_to_name(ci["检查"])
    ws.conditional_format(first, 0, last, ci["检查"], {"type": "formula", "criteria": f'=${c}{first + 1}<>""',
                                                        "format": f["bad"]})
