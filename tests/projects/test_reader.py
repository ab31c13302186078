"""The reader on project workbooks: an honest return (and its LibreOffice re-save) passes clean;
tampering in a project sheet is found at its sheet and cell."""

import dataclasses
import os
import re
from pathlib import Path

import openpyxl
import pytest
from reader.helpers import patch_part, set_cached

from projects.helpers import NATIONAL, open_project, road_project
from workbook_builder.cells import validations
from workbook_builder.layout import cell
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.projects.cells import parts_for
from workbook_builder.projects.render import build_project_workbook
from workbook_builder.reader.validate import validate_file

DEPT = "庆城县交通运输局"
PROJECT1 = "xl/worksheets/sheet3.xml"  # 填报说明, 项目汇总, then the projects


@pytest.fixture(scope="module")
def honest(tmp_path_factory) -> Path:
    (p1, v1), (p2, v2) = road_project(), open_project()
    path = tmp_path_factory.mktemp("honest") / f"{DEPT}-2024.xlsx"
    path.write_bytes(build_project_workbook(NATIONAL, DEPT, 2024, [p1, p2], [v1, v2]))
    return path


def _parts():
    return parts_for(NATIONAL, [road_project()[0], open_project()[0]])


def _codes(path, **where):
    rep = validate_file(path)
    return [(f.code, f.sheet, f.cell) for f in rep.findings], rep


def test_honest_return_passes_clean_with_each_project_reported(honest):
    found, rep = _codes(honest)
    assert found == []
    assert [(p["name"], p["total"], p["grade"]) for p in rep.projects] == [
        ("农村道路维修", 94.1, "优"), ("农村饮水安全巩固提升", 100.0, "优")]
    assert rep.total == 97.05  # the department's average: (94.1 + 100) / 2


def test_libreoffice_resave_passes_clean(honest, tmp_path):
    if soffice() is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice not installed (CI installs it)")
    [q] = convert([honest], tmp_path)
    found, rep = _codes(q)
    assert found == []
    assert [p["found_total"] for p in rep.projects] == [94.1, 100.0]


def _sheet_cell(text: str, ref: str) -> str:
    m = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', text, re.S)
    assert m, ref
    return m.group(0)


def _replace_cell(text: str, ref: str, new: str) -> str:
    old = _sheet_cell(text, ref)
    style = re.search(r' s="\d+"', old)
    return text.replace(old, f'<c r="{ref}"{style.group(0) if style else ""}{new}', 1)


def test_typed_over_score_is_found_at_its_cell(honest, tmp_path):
    lay = _parts()[0].layout
    ref = cell(*lay.score_cells["r1"])
    out = patch_part(honest, PROJECT1, lambda t: _replace_cell(t, ref, "><v>30</v></c>"), tmp_path / "a.xlsx")
    found, _ = _codes(out)
    assert ("formula-replaced", "01 农村道路维修", ref) in found


def test_changed_prefilled_target_and_weight_are_found(honest, tmp_path):
    lay = _parts()[0].layout
    row = lay.leaf_rows["r1"].row
    target, weight = cell(row, lay.col["target"]), cell(row, lay.col["weight"])

    def fn(t):
        t = _replace_cell(t, target, ' t="inlineStr"><is><t>≥10公里</t></is></c>')
        return _replace_cell(t, weight, "><v>35</v></c>")
    found, _ = _codes(patch_part(honest, PROJECT1, fn, tmp_path / "b.xlsx"))
    assert ("locked-value-changed", "01 农村道路维修", target) in found
    assert ("locked-value-changed", "01 农村道路维修", weight) in found


def test_row_added_to_the_locked_indicator_block_is_found(honest, tmp_path):
    lay = _parts()[0].layout
    row = lay.leaf_rows["r2"].row
    wb = openpyxl.load_workbook(honest)
    ws = wb["01 农村道路维修"]
    ws.insert_rows(row + 1)
    ws.cell(row + 1, lay.col["level3"] + 1, "新增指标")
    wb.save(tmp_path / "c.xlsx")
    found, _ = _codes(tmp_path / "c.xlsx")
    mine = [(code, ref) for code, sheet, ref in found if sheet == "01 农村道路维修"]
    assert ("locked-value-changed", cell(row, lay.col["level3"])[:-len(str(row + 1))] + str(row + 2)) in mine


def test_summary_cache_and_open_row_weight_tampering(honest, tmp_path):
    from workbook_builder.projects.cells import SUMMARY_FIRST
    out = patch_part(honest, "xl/worksheets/sheet2.xml", lambda t: set_cached(t, f"F{SUMMARY_FIRST + 1}", "99"),
                     tmp_path / "d.xlsx")
    found, _ = _codes(out)
    assert ("cached-value-mismatch", "项目汇总", f"F{SUMMARY_FIRST + 1}") in found
    # the department types 分值 that no longer add up: the sheet shows blank totals, and the reader agrees
    lay = _parts()[1].layout
    ref = cell(*lay.input_cells["o1_1_1.weight"][1:])
    wb = openpyxl.load_workbook(honest)
    wb["02 农村饮水安全巩固提升"][ref] = 35
    wb.save(tmp_path / "e.xlsx")
    rep = validate_file(tmp_path / "e.xlsx")
    assert rep.projects[1]["total"] is None and rep.total is None


OPEN_ROW = parts_for(NATIONAL, [open_project()[0]])[0].layout


def _open_cell(nid: str, key: str) -> str:
    lr = OPEN_ROW.leaf_rows[nid]
    return cell(lr.row, lr.cols[key])


@pytest.mark.parametrize("edit, want", [
    ({"o1_1_1.actual": "达成"}, [("open-row-incomplete", _open_cell("o1_1_1", "name"), "改造供水工程（数量指标第1行）：实际完成值应为数值")]),
    ({"o1_1_1.actual": None}, [("open-row-incomplete", _open_cell("o1_1_1", "name"), "改造供水工程（数量指标第1行）：未填写实际完成值")]),
    ({"o1_1_1.target": "三处", "o1_1_1.nature": "大于"},
     [("value-not-in-list", _open_cell("o1_1_1", "nature"), None),
      ("open-row-incomplete", _open_cell("o1_1_1", "name"), "改造供水工程（数量指标第1行）：指标性质应为≥、≤、=、定性之一")]),
    ({"o1_1_1.weight": 25.0}, [("allotment-mismatch", None, "产出指标为 45 分，应为 50 分")]),
    ({"o2_2_1.score": 5.0, "o2_2_1.reason": "部分群众反映供水不稳定"},
     [("score-outside-level", _open_cell("o2_2_1", "entry_score"), "社会效益指标第1行：达成年度指标")]),
], ids=["text-actual", "blank-actual", "bad-nature", "weights-miss-allotment", "score-outside-level"])
def test_an_open_row_that_cannot_score_is_reported_not_left_blank(tmp_path, edit, want):
    """The sheet shows a blank 总分 for these; the reader says why, at the row."""
    p, v = open_project()
    v = {k: x for k, x in {**v, **edit}.items() if x is not None}
    path = tmp_path / f"{DEPT}-2024.xlsx"
    path.write_bytes(build_project_workbook(NATIONAL, DEPT, 2024, [p], [v]))
    rep = validate_file(path)
    got = [(f.code, f.cell, f.detail) for f in rep.findings]
    assert len(got) == len(want), got
    for (code, at, detail), (wc, wat, wd) in zip(got, want):
        assert code == wc and (wat is None or at == wat) and (wd is None or detail == wd), got
    assert not rep.valid


def test_signature_shows_a_rebuilt_workbook_with_easier_targets_is_not_the_bureaus(tmp_path):
    """A department can rebuild its own workbook with lower targets: the unkeyed fingerprint then agrees.
    The bureau's key (``--sign-key``) tells the two apart; the department and year are signed too."""
    key = b"bureau-secret"
    (p, v) = road_project()
    signed = tmp_path / "signed.xlsx"
    signed.write_bytes(build_project_workbook(NATIONAL, DEPT, 2024, [p], [v], sign_key=key))
    assert validate_file(signed, sign_key=key).findings == []

    easier = dataclasses.replace(p, rows=[dataclasses.replace(p.rows[0], target=10.0), *p.rows[1:]])
    forged = tmp_path / "forged.xlsx"
    forged.write_bytes(build_project_workbook(NATIONAL, DEPT, 2024, [easier], [v]))
    assert validate_file(forged).valid  # without the key nothing can tell: docs/findings.md says so
    assert [f.code for f in validate_file(forged, sign_key=key).findings] == ["signature-missing"]
    forged.write_bytes(build_project_workbook(NATIONAL, DEPT, 2024, [easier], [v], sign_key=b"a guess"))
    assert [f.code for f in validate_file(forged, sign_key=key).findings] == ["signature-invalid"]
    other_year = tmp_path / "other-year.xlsx"
    other_year.write_bytes(build_project_workbook(NATIONAL, DEPT, 2023, [p], [v], sign_key=b"a guess"))
    assert "signature-invalid" in [f.code for f in validate_file(other_year, sign_key=key).findings]


def test_fund_parts_that_do_not_add_up_are_a_cross_check_finding_at_the_total(tmp_path):
    """本年财政拨款 + 上年结转资金 + 其他资金 must equal 年度资金总额 once all four are typed (元/万元 mix-ups),
    and 全年执行数 may not exceed 全年预算数; the cells' own validations say the same."""
    from workbook_builder.projects.layout import fund_cell
    from workbook_builder.projects.project import fund_id
    p, v = road_project()
    v = {**v, fund_id("fiscal", "year"): 60.0, fund_id("carryover", "year"): 30.0, fund_id("other", "year"): 100000.0}
    path = tmp_path / f"{DEPT}-2024.xlsx"
    path.write_bytes(build_project_workbook(NATIONAL, DEPT, 2024, [p], [v]))
    found, _ = _codes(path)
    assert found == [("cross-check-failed", "01 农村道路维修", cell(*fund_cell("total", "year")))]
    v[fund_id("other", "year")] = 10.0  # 60 + 30 + 10 = 100
    v[fund_id("total", "executed")] = 950000.0  # 元 typed where 万元 is asked
    path.write_bytes(build_project_workbook(NATIONAL, DEPT, 2024, [p], [v]))
    found, _ = _codes(path)
    assert ("cross-check-failed", "01 农村道路维修", cell(*fund_cell("total", "executed"))) in found
    specs = {(x.row, x.col): x for x in validations(parts_for(NATIONAL, [p])[0].template, parts_for(NATIONAL, [p])[0].layout)}
    checked = specs[fund_cell("total", "executed")]
    assert checked.kind == "custom" and "ABS(SUM(" in checked.source and "<=" in checked.source


def test_a_missing_reason_on_a_self_entered_row_says_the_rows_own_weight(tmp_path):
    """An open row's 分值 is typed by the department: “应为” is that 分值 (10), never the blank node's 0."""
    p, v = open_project()
    v = {**v, "o3_1_1.actual": 0.7}  # 0.7 / 0.9 × 10 = 7.78 < 10: a reason is needed
    path = tmp_path / f"{DEPT}-2024.xlsx"
    path.write_bytes(build_project_workbook(NATIONAL, DEPT, 2024, [p], [v]))
    [f] = [f for f in validate_file(path).findings if f.code == "reason-missing"]
    assert f.detail == "服务对象满意度指标第1行" and f.found == pytest.approx(7.78) and f.expected == 10.0
