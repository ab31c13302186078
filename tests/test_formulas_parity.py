"""The workbook's formulas, evaluated by the `formulas` package, equal the Python engine on random inputs."""

import pytest
from engines import FormulasBook, expected
from hypothesis import given, settings
from strategies import values_for

from workbook_builder.layout import build_layout
from workbook_builder.loader import load_template, template_paths
from workbook_builder.render import build_workbook

TEMPLATES = [p.stem for p in template_paths()]
_books = {}


def book(tid, tmp_path_factory):
    if tid not in _books:
        t = load_template(tid)
        path = tmp_path_factory.mktemp(tid) / f"{tid}.xlsx"
        path.write_bytes(build_workbook(t, "测试单位", 2024))
        _books[tid] = (t, FormulasBook(path, build_layout(t)))
    return _books[tid]


@pytest.mark.parametrize("tid", TEMPLATES)
def test_formulas_match_engine(tid, tmp_path_factory):
    t, fb = book(tid, tmp_path_factory)

    @settings(max_examples=20)
    @given(values_for(t))
    def check(values):
        got = fb.calculate(values)
        want = expected(t, values)
        diff = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
        assert not diff, f"formulas vs engine differ: {diff}"

    check()
