"""For random project tables, LibreOffice's recalculation of the workbook equals the engine's values in
every formula cell: each project's scores, subtotals, 分值核对 rows, total and grade, and 项目汇总.

The cached values we write are removed first (openpyxl re-save), so every value is LibreOffice's own."""

import math
import os

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.helpers import FORMS, workbook_case
from workbook_builder.engine import compute
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.projects.cells import formula_cache, parts_for, workbook_cells
from workbook_builder.projects.render import build_project_workbook, normalise_values
from workbook_builder.reader.container import open_container
from workbook_builder.reader.xlsx import read_book

pytestmark = pytest.mark.libreoffice
BATCH = int(os.environ.get("LO_BATCH", "8"))


def _wanted(form, projects, values):
    parts = parts_for(form, projects)
    vals = [normalise_values(p, v) for p, v in zip(parts, values)]
    specs = workbook_cells(form, parts, "测试单位", 2024)
    return formula_cache(form, parts, specs, vals, [compute(p.template, v) for p, v in zip(parts, vals)])


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return (a in (None, "") and b in (None, "")) or a == b


@pytest.mark.parametrize("form_id", sorted(FORMS))
@settings(max_examples=1, database=None,
          suppress_health_check=[HealthCheck.large_base_example, HealthCheck.data_too_large, HealthCheck.too_slow])
@given(data=st.data())
def test_libreoffice_recalculates_to_the_engine(tmp_path_factory, form_id, data):
    if soffice() is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice not installed (CI installs it)")
    form = FORMS[form_id]
    src = tmp_path_factory.mktemp("src")
    cases = []
    for i in range(BATCH):
        projects, values = data.draw(workbook_case(form), label=f"workbook {i}")
        p = src / f"{form_id}_{i}.xlsx"
        p.write_bytes(build_project_workbook(form, "测试单位", 2024, projects, values))
        wb = openpyxl.load_workbook(p)  # drops every cached value: LibreOffice must compute them all
        wb.save(p)
        cases.append((projects, values, p))
    out = convert([p for _, _, p in cases], tmp_path_factory.mktemp("lo"))
    failures = []
    for (projects, values, p), q in zip(cases, out):
        book = read_book(open_container(q))
        wanted = _wanted(form, projects, values)
        assert len(wanted) > 20
        for (sheet, r, c), w in wanted.items():
            got = book.sheets[sheet].cells.get((r, c))
            got = None if got is None else got.value
            if not _same(w, got):
                failures.append((p.name, sheet, r, c, w, got))
    assert not failures, failures[:5]
