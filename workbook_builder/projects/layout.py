"""Where a project's cells sit on its sheet: a ``layout.Layout`` the cells, renderer and reader share.

Rows: title, year, 项目名称, 主管部门/实施单位, the 项目资金 block (预算执行率 is its leaf: rate,
分值, 得分 and 偏差原因 on the 年度资金总额 row), 年度总体目标, the 绩效指标 table, 总分, 自评等级,
then one 分值核对 row per 一级指标 holding its 分值合计 and 得分小计.
"""

from __future__ import annotations

from ..layout import Layout, LeafRow
from ..model import Column, Template
from ..rules import entry_inputs
from .project import FUND_COLS, FUND_ROWS, fund_id

COLUMNS = [Column("level1", "一级指标", 10), Column("level2", "二级指标", 11), Column("level3", "三级指标", 24),
           Column("nature", "指标性质", 9), Column("target", "年度指标值", 12), Column("actual", "实际完成值", 12),
           Column("weight", "分值", 8), Column("entry_score", "自评分", 8), Column("score", "得分", 8),
           Column("reason", "偏差原因分析及改进措施", 30), Column("hint", "提示", 16)]
COL = {c.key: i for i, c in enumerate(COLUMNS)}
#: the 项目资金 block's columns: 年初预算数, 全年预算数, 全年执行数, then 执行率, 分值, 得分, 偏差原因, 提示
FUND_COL = {"initial": 2, "year": 3, "executed": 4, "rate": 5, "weight": 6, "score": 8, "reason": 9, "hint": 10}
HEAD_ROWS = {"name": 2, "owner": 3}
FUND_HEADER_ROW = 4
GOAL_HEADER_ROW = FUND_HEADER_ROW + len(FUND_ROWS) + 1
GOAL_ROW = GOAL_HEADER_ROW + 1
GOAL_COLS = (2, 5)  # 预期目标 C:F
GOAL_ACTUAL_COLS = (6, 10)  # 实际完成情况 G:K


def fund_cell(row: str, col: str) -> tuple[int, int]:
    """(row, column) of a 项目资金 figure: ``row`` a FUND_ROWS key, ``col`` a FUND_COLS key."""
    return FUND_HEADER_ROW + 1 + [k for k, _ in FUND_ROWS].index(row), FUND_COL[col]


def project_layout(t: Template, sheet: str, prefix: str) -> Layout:
    lay = Layout(template=t, columns=list(COLUMNS), col=dict(COL), table_sheet=sheet, inputs_sheet=sheet,
                 name_prefix=prefix)
    for r, _ in FUND_ROWS:
        for c, _ in FUND_COLS:
            lay.input_cells[fund_id(r, c)] = (sheet, *fund_cell(r, c))
    total_row = FUND_HEADER_ROW + 1
    lay.derived_cells["rate"] = (total_row, FUND_COL["rate"])
    if any(i.id == "goal" for i in t.inputs):
        lay.input_cells["goal"] = (sheet, GOAL_ROW, GOAL_COLS[0])
    lay.input_cells["goal_actual"] = (sheet, GOAL_ROW, GOAL_ACTUAL_COLS[0])
    budget = t.indicators[0]
    lay.leaf_rows[budget.id] = LeafRow(budget, total_row, dict(FUND_COL, actual=FUND_COL["rate"]))
    lay.score_cells[budget.id] = (total_row, FUND_COL["score"])
    lay.node_span[budget.id] = (total_row, total_row)

    lay.header_row = GOAL_ROW + 1
    row = lay.header_row + 1
    open_cols = dict(COL, name=COL["level3"])
    for top in t.indicators[1:]:
        first = row
        for n in top.children:
            lay.leaf_rows[n.id] = LeafRow(n, row, open_cols if n.kind == "open" else COL)
            lay.score_cells[n.id] = (row, COL["score"])
            lay.node_span[n.id] = (row, row)
            row += 1
        lay.node_span[top.id] = (first, row - 1)
    lay.total_cell = (row, COL["score"])
    lay.grade_cell = (row + 1, COL["score"])
    for i, top in enumerate(t.indicators[1:]):
        lay.score_cells[top.id] = (row + 2 + i, COL["score"])
    lay.last_row = row + 1 + len(t.indicators) - 1
    lay.inputs_last_row = lay.last_row

    entries = entry_inputs(t)
    for e in entries:
        lr = lay.leaf_rows[e.leaf]
        key = "entry_score" if e.slot == "score" else e.slot
        lay.input_cells[e.id] = (sheet, lr.row, lr.cols[key])
    lay.entries = entries
    return lay


def check_row(lay: Layout, top_id: str) -> int:
    """The 分值核对 row of an 一级指标."""
    return lay.score_cells[top_id][0]


def todo_cell(lay: Layout) -> tuple[int, int]:
    """The cell counting open rows begun but not finished (below the 分值核对 rows)."""
    return lay.last_row + 1, COL["score"]
