"""The project workbook's formulas, evaluated by the `formulas` package, equal the engine in every
formula cell (project sheets and 项目汇总) on random inputs.

One workbook per form, compiled once: a project with prefilled rows and one with open rows. Hypothesis
then types random fund figures, actuals, levels, scores and open rows into its input cells.
"""

import math

import pytest
from engines import FormulasBook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.helpers import FORMS, every_nature_rows, fixed_values, open_values
from workbook_builder.engine import compute
from workbook_builder.projects.cells import formula_cache, parts_for, workbook_cells
from workbook_builder.projects.project import Project
from workbook_builder.projects.render import build_project_workbook, normalise_values

_books: dict = {}


def book(form_id, tmp_path_factory):
    """The form's two-project workbook, built with no values and compiled by `formulas`."""
    if form_id not in _books:
        form = FORMS[form_id]
        projects = [Project("预填项目", goal="完成年度任务", rows=every_nature_rows(form)), Project("自填项目")]
        path = tmp_path_factory.mktemp("formulas") / f"{form_id}.xlsx"
        path.write_bytes(build_project_workbook(form, "测试单位", 2024, projects))
        parts = parts_for(form, projects)
        _books[form_id] = (form, projects, parts, FormulasBook(path))
    return _books[form_id]


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return (a in (None, "") and b in (None, "")) or a == b


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_formulas_match_engine(form_id, tmp_path_factory):
    form, projects, parts, fb = book(form_id, tmp_path_factory)
    specs = workbook_cells(form, parts, "测试单位", 2024)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.tuples(fixed_values(form, projects[0].rows), open_values(form)))
    def check(values):
        vals = [normalise_values(p, v) for p, v in zip(parts, values)]
        want = formula_cache(form, parts, specs, vals, [compute(p.template, v) for p, v in zip(parts, vals)])
        typed = {}
        for part, v in zip(parts, vals):
            for iid, (sheet, r, c) in part.layout.input_cells.items():
                if v.get(iid) is not None:
                    typed[(sheet, r, c)] = v[iid]
        assert len(want) > 40
        got = fb.cells(typed, list(want))
        diff = {k: (w, got[k]) for k, w in want.items() if not _same(w, got[k])}
        assert not diff, f"formulas vs engine differ: {list(diff.items())[:5]}"

    check()
