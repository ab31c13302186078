"""Spreadsheet applications recalculate the saved workbooks: their values equal the Python engine's.

LibreOffice (``soffice --convert-to``, one start for a whole batch) must agree exactly. Gnumeric
(``ssconvert --recalc``) must agree except where docs/numeric.md says it may not: a leaf whose
unrounded score is an exact half-cent may show 0.01 less or more, and the subtotals, total and
grade then follow that leaf. One hypothesis example draws a batch of input sets per template.
Runs in CI (``.ci/run`` installs both); skipped only where an application is absent and CI is unset.
"""

import math
import os
from pathlib import Path

import pytest
import yaml
from engines import expected, read_scores
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import values_for

from workbook_builder.engine import compute, half_cent_ties, rescore
from workbook_builder.gnumeric import recalc, ssconvert
from workbook_builder.layout import build_layout
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.loader import load_template, template_paths
from workbook_builder.reader.container import open_container
from workbook_builder.reader.xlsx import read_book
from workbook_builder.render import build_workbook

APPS = {"libreoffice": (convert, soffice), "gnumeric": (recalc, ssconvert)}
pytestmark = pytest.mark.libreoffice


def _app(name):
    run, present = APPS[name]
    if present() is None and not os.environ.get("CI"):
        pytest.skip(f"{name} not installed (CI installs it)")
    return run


TEMPLATES = [load_template(p) for p in template_paths()]
PER_TEMPLATE = int(os.environ.get("LO_BATCH", "8"))


def allowed(t, values, app: str) -> list[dict]:
    """The displays an honest application may produce for ``values`` (one for LibreOffice)."""
    want = expected(t, values)
    if app != "gnumeric":
        return [want]
    res = compute(t, values)
    ties = half_cent_ties(t, values, res.derived)
    out = [want]
    for leaf in ties:  # each tie may be shown 0.01 either way; the rest follows
        for step in (-0.01, 0.01):
            leaves = {n.id: res.scores[n.id] for n in t.leaves()}
            leaves[leaf] = round(leaves[leaf] + step, 2)
            scores, total, grade = rescore(t, leaves)
            out.append({**{k: ("" if v is None else v) for k, v in scores.items()},
                        "__total__": "" if total is None else total, "__grade__": grade})
    return out


def _matches(got, options) -> bool:
    return any(got == o for o in options)


@pytest.mark.parametrize("app", list(APPS))
@settings(max_examples=1, database=None,  # one batch of LO_BATCH (≤ 8: hypothesis' buffer) input sets per template
          suppress_health_check=[HealthCheck.large_base_example, HealthCheck.data_too_large, HealthCheck.too_slow])
@given(batches=st.tuples(*[st.lists(values_for(t), min_size=PER_TEMPLATE, max_size=PER_TEMPLATE) for t in TEMPLATES]))
def test_application_matches_engine(tmp_path_factory, app, batches):
    run = _app(app)
    src = tmp_path_factory.mktemp("src")
    cases = []
    for t, batch in zip(TEMPLATES, batches):
        for i, values in enumerate(batch):
            p = src / f"{t.id}_{i}.xlsx"
            p.write_bytes(build_workbook(t, "测试单位", 2024, values))
            cases.append((t, values, p))
    out = run([p for _, _, p in cases], tmp_path_factory.mktemp(app))
    failures = []
    for (t, values, p), q in zip(cases, out):
        got = read_scores(q, build_layout(t))
        options = allowed(t, values, app)
        if not _matches(got, options):
            diff = {k: (options[0][k], got[k]) for k in options[0] if options[0][k] != got[k]}
            failures.append((p.name, diff, values))
    assert not failures, failures[:3]


def _seed_files(tmp_path: Path):
    files, docs = [], []
    for f in sorted(Path("examples").glob("*.inputs.yaml")):
        d = yaml.safe_load(f.read_text(encoding="utf-8"))
        t = load_template(d["template"])
        p = tmp_path / f"{t.id}.xlsx"
        p.write_bytes(build_workbook(t, d["department"], d["year"], d["values"]))
        files.append(p)
        docs.append((t, d))
    return files, docs


@pytest.mark.parametrize("app", list(APPS))
def test_seed_examples_recalculate_to_the_engines_scores(tmp_path, app):
    files, docs = _seed_files(tmp_path)
    out = _app(app)(files, tmp_path / app)
    for (t, d), q in zip(docs, out):
        assert _matches(read_scores(q, build_layout(t)), allowed(t, d["values"], app)), t.id


def _formula_cells(path: Path) -> dict[tuple[str, int, int], object]:
    book = read_book(open_container(path))
    return {(s.name, r, c): cell.value for s in book.sheets.values() for (r, c), cell in s.cells.items()
            if cell.formula is not None}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return (a in (None, "") and b in (None, "")) or a == b


def test_every_cached_value_is_what_libreoffice_computes(tmp_path):
    """Not only scores: the budget block, 实际完成值, 完成率 and derived cells carry LibreOffice's values."""
    files, _ = _seed_files(tmp_path)
    out = _app("libreoffice")(files, tmp_path / "lo")
    derived_shown = 0
    for p, q in zip(files, out):
        built, recalculated = _formula_cells(p), _formula_cells(q)
        assert len(built) > 20
        wrong = {k: (v, recalculated.get(k)) for k, v in built.items() if not _same(v, recalculated.get(k))}
        assert not wrong, (p.name, list(wrong.items())[:5])
        derived_shown += sum(isinstance(v, float) for (sheet, _, _), v in built.items() if sheet == "基础数据")
    assert derived_shown > 5
