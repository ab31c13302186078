"""LibreOffice Calc recalculates the saved workbooks: its values equal the Python engine's.

One hypothesis example draws a batch of input sets per template; all files go through
one LibreOffice start. Runs in CI (``.ci/run`` installs LibreOffice); skipped only
where LibreOffice is absent and CI is not set.
"""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engines import expected, read_scores
from strategies import values_for
from workbook_builder.layout import build_layout
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.loader import load_template, template_paths
from workbook_builder.render import build_workbook

pytestmark = pytest.mark.libreoffice
if soffice() is None and not os.environ.get("CI"):
    pytestmark = [pytest.mark.libreoffice, pytest.mark.skip(reason="LibreOffice not installed (CI installs it)")]

TEMPLATES = [load_template(p) for p in template_paths()]
PER_TEMPLATE = int(os.environ.get("LO_BATCH", "8"))


@settings(max_examples=1, database=None)
@given(st.tuples(*[st.lists(values_for(t), min_size=PER_TEMPLATE, max_size=PER_TEMPLATE) for t in TEMPLATES]))
def test_libreoffice_matches_engine(tmp_path_factory, batches):
    src = tmp_path_factory.mktemp("src")
    cases = []
    for t, batch in zip(TEMPLATES, batches):
        for i, values in enumerate(batch):
            p = src / f"{t.id}_{i}.xlsx"
            p.write_bytes(build_workbook(t, "测试单位", 2024, values))
            cases.append((t, values, p))
    out = convert([p for _, _, p in cases], tmp_path_factory.mktemp("lo"))
    failures = []
    for (t, values, p), q in zip(cases, out):
        got = read_scores(q, build_layout(t))
        want = expected(t, values)
        diff = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
        if diff:
            failures.append((p.name, diff, values))
    assert not failures, failures[:3]


def test_seed_examples_recalculate_in_libreoffice(tmp_path):
    import yaml
    from pathlib import Path
    files, docs = [], []
    for f in sorted(Path("examples").glob("*.inputs.yaml")):
        d = yaml.safe_load(f.read_text(encoding="utf-8"))
        t = load_template(d["template"])
        p = tmp_path / f"{t.id}.xlsx"
        p.write_bytes(build_workbook(t, d["department"], d["year"], d["values"]))
        files.append(p)
        docs.append((t, d))
    out = convert(files, tmp_path / "lo")
    for (t, d), q in zip(docs, out):
        got = read_scores(q, build_layout(t))
        assert got == expected(t, d["values"]), t.id
