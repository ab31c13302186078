"""crosscheck: the Python face of each check equals its formula face (the `formulas` package)."""

import formulas
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook_builder.crosscheck import excel, holds
from workbook_builder.model import Check


def _formula_holds(c: Check, values: dict) -> bool:
    refs = {k: f"{'ABCDEFGH'[i]}1" for i, k in enumerate(sorted({c.left, c.right, c.total, *c.parts} - {""}))}
    f = excel(c, refs.__getitem__)
    for k, ref in refs.items():  # a blank cell as an empty text: COUNT skips it, as it skips a blank
        v = values.get(k)
        f = f.replace(f"${ref[0]}${ref[1:]}", ref).replace(ref, '""' if v is None else repr(float(v)))
    return bool(formulas.Parser().ast("=" + f)[1].compile()())


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.none(), st.floats(0, 2e5), st.sampled_from([1e5, 1e5 * (1 + 1e-13), 1e5 * (1 + 1e-11)])))
def test_the_cap_check_faces_agree(x):
    c = Check("cap", left="a", factor=1e5)
    values = {} if x is None else {"a": x}
    assert holds(c, values) == _formula_holds(c, values)
    assert holds(c, values) == (x is None or x <= 1e5 * (1 + 1e-12))


@pytest.mark.parametrize("x,ok", [(1e5, True), (150000, False), (None, True), (0, True)])
def test_the_cap_check(x, ok):
    assert holds(Check("cap", left="a", factor=1e5), {} if x is None else {"a": x}) is ok
