"""reader/listing.py: returned project workbooks checked against the bureau's 项目清单
(``validate --projects``): a rebuilt workbook with other projects, indicators or fund figures is found."""

import dataclasses
from pathlib import Path

import pytest

from workbook_builder.cli import main
from workbook_builder.layout import cell
from workbook_builder.projects.form import project_forms
from workbook_builder.projects.layout import fund_cell
from workbook_builder.projects.listing import read_listing
from workbook_builder.projects.project import fund_id
from workbook_builder.projects.render import build_project_workbook
from workbook_builder.reader.listing import check_listing
from workbook_builder.reader.validate import validate_file

EX = Path("examples/projects")
LIST, INDICATORS = EX / "庆城县项目清单.csv", EX / "庆城县绩效指标.csv"
NATIONAL = project_forms()["national_project_2020"]
DEPT = "庆城县自然资源局"


@pytest.fixture(scope="module")
def listing():
    return read_listing(NATIONAL, LIST, INDICATORS)


def _checked(tmp_path, listing, projects, values, dept=DEPT, form=NATIONAL):
    path = tmp_path / f"{dept}-项目-2024.xlsx"
    path.write_bytes(build_project_workbook(form, dept, 2024, projects, values))
    rep = validate_file(path)
    check_listing(rep, listing, NATIONAL.id)
    return [(f.code, f.sheet, f.cell, f.detail) for f in rep.findings if f.code.startswith("listing-")], rep


def test_the_workbook_built_from_the_list_agrees_with_it(tmp_path, listing):
    mine = listing[DEPT]
    found, rep = _checked(tmp_path, listing, mine.projects, mine.values)
    assert found == [] and len(rep.projects) == 12


def test_a_rebuilt_workbook_with_an_easier_target_is_found(tmp_path, listing):
    mine = listing[DEPT]
    p = mine.projects[0]
    easier = dataclasses.replace(p, rows=[dataclasses.replace(p.rows[0], target=p.rows[0].target / 2), *p.rows[1:]])
    found, rep = _checked(tmp_path, listing, [easier, *mine.projects[1:]], mine.values)
    assert found == [("listing-project-changed", rep.projects[0]["sheet"], "",
                      f"{p.name}：指标“{p.rows[0].name}”的年度指标值不同")]


def test_a_changed_budget_figure_is_found_at_its_cell(tmp_path, listing):
    mine = listing[DEPT]
    values = [dict(v) for v in mine.values]
    key = fund_id("total", "year")
    values[2][key] = values[2][key] * 2  # the department doubles its 全年预算数: 执行率 halves, so does its score
    found, rep = _checked(tmp_path, listing, mine.projects, values)
    assert found == [("listing-fund-changed", rep.projects[2]["sheet"], cell(*fund_cell("total", "year")),
                      f"{mine.projects[2].name}·年度资金总额·全年预算数")]


def test_projects_dropped_or_added_are_found(tmp_path, listing):
    mine = listing[DEPT]
    extra = dataclasses.replace(mine.projects[0], name="另加的项目")
    found, _ = _checked(tmp_path, listing, [*mine.projects[1:], extra], [*mine.values[1:], mine.values[0]])
    assert [(c, d) for c, _, _, d in found] == [("listing-project-missing", mine.projects[0].name),
                                                ("listing-project-extra", "另加的项目")]


def test_an_unlisted_department_and_another_form_are_found(tmp_path, listing):
    mine = listing[DEPT]
    found, _ = _checked(tmp_path, listing, mine.projects, mine.values, dept="某某局")
    assert [c for c, *_ in found] == ["listing-department-unknown"]
    sichuan = project_forms()["sichuan_project_2021"]
    found, _ = _checked(tmp_path, listing, mine.projects, mine.values, form=sichuan)
    assert [c for c, *_ in found] == ["listing-form-differs"]


def test_cli_names_departments_that_returned_nothing_and_refuses_a_bad_list(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["projects", "build", "--list", str(LIST), "--indicators", str(INDICATORS), "--year", "2024",
                 "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["validate", str(out), "--projects", str(LIST), "--indicators", str(INDICATORS)]) == 1
    text = capsys.readouterr().out
    assert "listing-" not in text  # unfilled (required-missing), but the same as the list
    other = tmp_path / "清单.csv"
    other.write_text(LIST.read_text(encoding="utf-8-sig") + "\n,庆城县文化馆,非遗保护,1,1,,\n", encoding="utf-8")
    assert main(["validate", str(out), "--projects", str(other), "--indicators", str(INDICATORS)]) == 1
    assert "项目清单中有 1 个部门没有交回项目工作簿：庆城县文化馆" in capsys.readouterr().out
    assert main(["validate", str(out), "--indicators", str(INDICATORS)]) == 2
    assert capsys.readouterr().err.startswith("错误: --indicators 需要与 --projects")
    bad = tmp_path / "坏清单.csv"
    bad.write_text("部门,项目名称\n庆城县自然资源局,\n", encoding="utf-8")
    assert main(["validate", str(out), "--projects", str(bad)]) == 2
    assert capsys.readouterr().err.startswith("错误: ")
