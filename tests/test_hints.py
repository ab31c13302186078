"""Honest mistakes are visible in the workbook (hints.py).

Values are typed into a built workbook as an accountant would (openpyxl writes the cells), then
LibreOffice recalculates: each wrong cell's conditional format holds, its row's 提示 cell says why
in Chinese, and the line by 总分 counts the rows to correct; a clean workbook shows none of it. The
Python face (the cached values a build writes) says exactly what LibreOffice computes.
"""

import os
from pathlib import Path

import openpyxl
import pytest
import yaml
from projects.helpers import NATIONAL, road_project

from workbook_builder.cells import (
    all_cells,
    formula_values,
    hint_cell_of,
    mistake_formats,
)
from workbook_builder.engine import compute
from workbook_builder.layout import build_layout
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.loader import load_template
from workbook_builder.projects.cells import parts_for, workbook_cells
from workbook_builder.projects.render import build_project_workbook
from workbook_builder.render import build_workbook

needs_lo = pytest.mark.skipif(soffice() is None and not os.environ.get("CI"), reason="LibreOffice not installed")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRATCH_COL = 40  # + the input's column: where each mistake format's formula is copied, to read its value


def example(tid: str) -> dict:
    return yaml.safe_load((EXAMPLES / f"{tid}.inputs.yaml").read_text(encoding="utf-8"))["values"]


#: (template, typed values, {input: a phrase its row's 提示 must say}); the other inputs stay as in the example
TYPED = [
    ("qingcheng_2024", {"total_executed": 99999999999.0, "staff_budget_year": "一千万", "public_budget_initial": -5.0,
                        "funds_use.actual": "很好", "finance_rules.score": 9.0},
     {"total_executed": "不应大于“年度资金总额·全年预算数”", "staff_budget_year": "应填数值",
      "public_budget_initial": "不应小于0", "basic_budget_initial": "应等于“人员经费·年初预算数”",
      "funds_use.actual": "请从下拉列表中选择", "finance_rules.score": "自评分"}),
    ("zizhou_2024", {"staff_quota": "十一", "payment_progress.actual": "全部"},
     {"staff_quota": "应填数值", "payment_progress.actual": "实际完成值应填数值"}),
]


def _type(path: Path, lay, typed: dict, formats) -> None:
    """Type ``typed`` into the workbook; copy each mistake format's formula into a scratch cell."""
    wb = openpyxl.load_workbook(path)
    for iid, v in typed.items():
        sheet, r, c = lay.input_cells[iid]
        wb[sheet].cell(r + 1, c + 1).value = v
    for sheet, r, c, f in formats:
        wb[sheet].cell(r + 1, SCRATCH_COL + c + 1).value = "=" + f
    wb.save(path)


def _hints(book, lay) -> dict[str, str]:
    cells = hint_cell_of(lay.template, lay)
    return {iid: book[sheet].cell(cells[iid][0] + 1, cells[iid][1] + 1).value or ""
            for iid, (sheet, _, _) in lay.input_cells.items()}


@needs_lo
def test_typed_mistakes_are_marked_and_told_and_a_clean_workbook_shows_none(tmp_path):
    cases = []
    for tid, typed, want in TYPED:
        t = load_template(tid)
        lay = build_layout(t)
        formats = mistake_formats(t, lay)
        for kind, values, edits in (("clean", example(tid), {}), ("blank", {}, {}), ("typed", example(tid), typed)):
            p = tmp_path / f"{tid}-{kind}.xlsx"
            p.write_bytes(build_workbook(t, "测试单位", 2024, values))
            _type(p, lay, edits, formats)
            cases.append((t, lay, kind, {**values, **edits}, want if edits else {}, formats, p))
    outs = convert([c[-1] for c in cases], tmp_path / "lo")
    for (t, lay, kind, values, want, formats, _), out in zip(cases, outs):
        book = openpyxl.load_workbook(out, data_only=True)
        hints = _hints(book, lay)
        cells = hint_cell_of(t, lay)
        told = {(lay.input_cells[i][0], *cells[i]) for i, h in hints.items() if h}
        assert told == {(lay.input_cells[i][0], *cells[i]) for i in want}, (t.id, kind, hints)
        for iid, phrase in want.items():
            assert phrase in hints[iid], (t.id, iid, hints[iid])
        marked = {iid for iid, (sheet, r, c) in lay.input_cells.items()
                  for s2, r2, c2, _ in formats if (s2, r2, c2) == (sheet, r, c)
                  and book[sheet].cell(r + 1, SCRATCH_COL + c + 1).value is True}
        # a format too long for Excel marks by its row's 提示 instead: the whole row's inputs
        wrong_rows = {(lay.input_cells[i][0], cells[i][0]) for i in want}
        by_row = {i for i, (sheet, r, c) in lay.input_cells.items() for s2, r2, c2, f in formats
                  if (s2, r2, c2) == (sheet, r, c) and f.startswith("LEN(") and (sheet, r) in wrong_rows}
        assert marked == set(want) | by_row, (t.id, kind, marked ^ set(want))
        tr, tc = lay.total_cell
        gr = lay.grade_cell[0]
        line = book[lay.table_sheet].cell(gr + 2, 1).value or ""
        total = book[lay.table_sheet].cell(tr + 1, tc + 1).value
        rows = len({lay.input_cells[i][:2] for i in want})
        if kind == "clean":
            assert isinstance(total, (int, float)) and line == "", (t.id, line)
        elif kind == "blank":
            assert "必填项未填写" in line and "填写有误" not in line, (t.id, line)
        else:
            assert f"有{rows}行填写有误" in line, (t.id, line)
        # the Python face: what a build caches for these values is what LibreOffice shows
        specs = all_cells(t, lay, "测试单位", 2024)
        cached = formula_values(t, specs, values, compute(t, values))
        for iid, (sheet, _, _) in lay.input_cells.items():
            r, c = cells[iid]
            assert (cached.get((sheet, r, c)) or "") == hints[iid], (t.id, iid)
        assert (cached[(lay.table_sheet, gr + 1, 0)] or "") == line


@needs_lo
def test_project_sheet_marks_and_tells_typed_mistakes(tmp_path):
    p, v = road_project()
    parts = parts_for(NATIONAL, [p])
    lay = parts[0].layout
    typed = {"fund_total_executed": 200.0, "fund_fiscal_year": "五十", "r1.actual": "十二"}
    want = {"fund_total_executed": "不应大于“年度资金总额·全年预算数”", "fund_fiscal_year": "应填数值",
            "r1.actual": "实际完成值应填数值"}
    files = []
    for kind, edits in (("clean", {}), ("typed", typed)):
        f = tmp_path / f"{kind}.xlsx"
        f.write_bytes(build_project_workbook(NATIONAL, "测试单位", 2024, [p], [v]))
        _type(f, lay, edits, mistake_formats(parts[0].template, lay))
        files.append(f)
    clean, bad = (openpyxl.load_workbook(o, data_only=True) for o in convert(files, tmp_path / "lo"))
    assert not any(_hints(clean, lay).values())
    hints = _hints(bad, lay)
    cells = hint_cell_of(parts[0].template, lay)
    assert {cells[i] for i, h in hints.items() if h} == {cells[i] for i in want}, hints
    for iid, phrase in want.items():
        assert phrase in hints[iid]
    tr = lay.total_cell[0]
    from workbook_builder.projects.layout import COL
    line = bad[lay.table_sheet].cell(tr + 1, COL["reason"] + 1).value or ""
    assert "有3行填写有误" in line and "改正前总分不计算" in line, line
    assert not clean[lay.table_sheet].cell(tr + 1, COL["reason"] + 1).value
    specs = workbook_cells(NATIONAL, parts, "测试单位", 2024)
    assert any(s.formula and s.calc and s.calc[0] == "hints" for s in specs)
