"""For random project tables, LibreOffice's and Gnumeric's recalculations of the workbook equal the
engine's values in every formula cell: each project's scores, subtotals, 分值核对 rows, total and grade,
and 项目汇总.

The cached values we write are removed first (openpyxl re-save), so every value is the application's
own. Gnumeric may show a leaf whose unrounded score is an exact half-cent 0.01 off (docs/numeric.md);
the subtotals, total, grade and 项目汇总 must then follow that display.
"""

import dataclasses
import itertools
import math
import os

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.helpers import FORMS, NATIONAL, tie_project, workbook_case
from workbook_builder.engine import compute, half_cent_ties, rescore
from workbook_builder.gnumeric import recalc, ssconvert
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.projects.cells import formula_cache, parts_for, workbook_cells
from workbook_builder.projects.render import build_project_workbook, normalise_values
from workbook_builder.reader.container import open_container
from workbook_builder.reader.xlsx import read_book

pytestmark = pytest.mark.libreoffice
BATCH = int(os.environ.get("LO_BATCH", "8"))


APPS = {"libreoffice": (convert, soffice), "gnumeric": (recalc, ssconvert)}


def _displays(part, values, app: str) -> list:
    """The engine's result, and for Gnumeric each half-cent leaf shown 0.01 either way."""
    res = compute(part.template, values)
    out = [res]
    if app != "gnumeric":
        return out
    for leaf in sorted(half_cent_ties(part.template, values, res.derived)):
        for step in (-0.01, 0.01):
            leaves = {**res.leaf_scores(part.template), leaf: round(res.scores[leaf] + step, 2)}
            scores, total, grade = rescore(part.template, leaves, res.unused, res.weights)
            out.append(dataclasses.replace(res, scores=scores, total=total, grade=grade))
    return out


def _wanted(form, projects, values, app: str = "libreoffice") -> list[dict]:
    """Every display an honest application may give (one for LibreOffice): cell → value."""
    parts = parts_for(form, projects)
    vals = [normalise_values(p, v) for p, v in zip(parts, values)]
    specs = workbook_cells(form, parts, "测试单位", 2024)
    options = itertools.islice(itertools.product(*[_displays(p, v, app) for p, v in zip(parts, vals)]), 64)
    return [formula_cache(form, parts, specs, vals, list(results)) for results in options]


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return (a in (None, "") and b in (None, "")) or a == b


def _differences(book, wanted: dict) -> list:
    out = []
    for (sheet, r, c), w in wanted.items():
        got = book.sheets[sheet].cells.get((r, c))
        got = None if got is None else got.value
        if not _same(w, got):
            out.append((sheet, r, c, w, got))
    return out


@pytest.mark.parametrize("app", list(APPS))
@pytest.mark.parametrize("form_id", sorted(FORMS))
@settings(max_examples=1, database=None,
          suppress_health_check=[HealthCheck.large_base_example, HealthCheck.data_too_large, HealthCheck.too_slow])
@given(data=st.data())
def test_application_recalculates_to_the_engine(tmp_path_factory, app, form_id, data):
    run, present = APPS[app]
    if present() is None and not os.environ.get("CI"):
        pytest.skip(f"{app} not installed (CI installs it)")
    form = FORMS[form_id]
    src = tmp_path_factory.mktemp("src")
    cases = []
    for i in range(BATCH):
        projects, values = data.draw(workbook_case(form), label=f"workbook {i}")
        cases.append((projects, values, src / f"{form_id}_{i}.xlsx"))
    if form is NATIONAL:  # one exact half-cent leaf in every batch
        tie, v = tie_project()
        cases.append(([tie], [v], src / "tie.xlsx"))
    for projects, values, p in cases:
        p.write_bytes(build_project_workbook(form, "测试单位", 2024, projects, values))
        wb = openpyxl.load_workbook(p)  # drops every cached value: the application must compute them all
        wb.save(p)
    out = run([p for _, _, p in cases], tmp_path_factory.mktemp(app))
    failures = []
    for (projects, values, p), q in zip(cases, out):
        book = read_book(open_container(q))
        options = _wanted(form, projects, values, app)
        assert len(options[0]) > 20
        found = [_differences(book, w) for w in options]
        if all(found):
            failures.append((p.name, found[0][:5]))
    assert not failures, failures[:3]


def test_the_tie_project_has_a_half_cent_leaf():
    """The batch's tie case does exercise the Gnumeric allowance."""
    tie, v = tie_project()
    options = _wanted(NATIONAL, [tie], [v], "gnumeric")
    assert len(options) == 3
    assert len({w[k] for w in options for k in w if isinstance(w[k], float)} - set(options[0].values())) >= 2
