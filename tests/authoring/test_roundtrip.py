"""Every shipped template survives export → import: the same scores and the same locked workbook content."""

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from strategies import values_for

from workbook_builder.authoring.export import export
from workbook_builder.cells import fingerprint
from workbook_builder.engine import compute
from workbook_builder.layout import build_layout
from workbook_builder.loader import is_shipped, load_authoring, load_template, template_paths

SHIPPED = [p.stem for p in template_paths() if is_shipped(p)]
EXAMPLES = {yaml.safe_load(p.read_text(encoding="utf-8"))["template"]: p for p in Path("examples").glob("*.inputs.yaml")}


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    d = tmp_path_factory.mktemp("authoring")
    out = {}
    for tid in SHIPPED:
        t = load_template(tid)
        path = d / f"{tid}.xlsx"
        export(t, path)
        out[tid] = (t, load_authoring(path)[0])
    return out


@pytest.mark.parametrize("tid", SHIPPED)
def test_same_locked_content(pairs, tid):
    a, b = pairs[tid]
    assert [n.id for n in b.nodes()] == [n.id for n in a.nodes()]
    assert fingerprint(b, build_layout(b), "某部门", 2024) == fingerprint(a, build_layout(a), "某部门", 2024)


@pytest.mark.parametrize("tid", sorted(EXAMPLES))
def test_same_scores_on_the_examples(pairs, tid):
    a, b = pairs[tid]
    values = yaml.safe_load(EXAMPLES[tid].read_text(encoding="utf-8"))["values"]
    ra, rb = compute(a, values), compute(b, values)
    assert (rb.scores, rb.total, rb.grade) == (ra.scores, ra.total, ra.grade)


@pytest.mark.parametrize("tid", SHIPPED)
def test_same_scores_on_random_inputs(pairs, tid):
    a, b = pairs[tid]

    @settings(max_examples=30)
    @given(values_for(a))
    def check(values):
        ra, rb = compute(a, values), compute(b, values)
        assert (rb.scores, rb.total, rb.grade, rb.needs_reason) == (ra.scores, ra.total, ra.grade, ra.needs_reason)

    check()
