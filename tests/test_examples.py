"""Each seed's figures: the engine reproduces every row score the seed's table states."""

from pathlib import Path

import pytest
import yaml

from workbook_builder.engine import compute
from workbook_builder.loader import load_template

EXAMPLES = sorted(Path("examples").glob("*.inputs.yaml"))


def load(p):
    d = yaml.safe_load(p.read_text(encoding="utf-8"))
    return d, load_template(d["template"])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_stated_row_score(path):
    d, t = load(path)
    res = compute(t, d["values"])
    assert {k: res.scores[k] for k in d["stated"]["scores"]} == d["stated"]["scores"]


# Where the seeds' own totals differ from the sum of their rows (the engine's total stands).
ENGINE_TOTALS = {"qingcheng_2024": (94.26, 86.82), "zizhou_2024": (93, 94), "hengyang_2022": (98, 97),
                 "longxian_2023": (98, 98)}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_totals_against_seed(path):
    d, t = load(path)
    res = compute(t, d["values"])
    engine, stated = ENGINE_TOTALS[t.id]
    assert (res.total, d["stated"]["total"]) == (engine, stated)
    subs = d["stated"].get("subtotals", {})
    assert {k: res.scores[k] for k in subs} == subs


def test_hengyang_control_rate_typed_wrong_in_seed():
    d, t = load(Path("examples/hengyang_2022.inputs.yaml"))
    rate = compute(t, d["values"]).derived["staff_control_rate"]
    assert round(rate, 4) == 0.9008 != d["stated"]["derived"]["staff_control_rate"]


# ---- the shipped workbooks are what a fresh build makes (they cannot go stale)

BUILT = sorted(Path("examples").glob("*.xlsx"))


def _content(path):
    """Everything the reader reads from a workbook, but when it was built."""
    from workbook_builder.reader.package import open_workbook
    from workbook_builder.reader.validate import read_meta
    from workbook_builder.reader.xlsx import read_book
    book = read_book(open_workbook(path))
    sheets = {}
    for name, sh in book.sheets.items():
        xf = book.styles.xf
        sheets[name] = {
            "state": sh.state, "protection": sh.protection,
            "cells": {rc: (c.value, c.formula, xf(c.style).num_fmt, xf(c.style).locked) for rc, c in sh.cells.items()
                      if name != "_meta"},
            "validations": sorted((v.kind, v.formula1, v.formula2, tuple(v.ranges)) for v in sh.validations),
            "conditional": sorted((tuple(r), tuple(i)) for r, i in sh.cond_formats),
            "hidden": (sorted(sh.hidden_rows), sorted(sh.hidden_cols)),
        }
    meta = {k: v for k, v in read_meta(book).items() if k not in ("built_at", "json")}
    return {"sheets": sheets, "names": book.defined_names, "order": book.order, "meta": meta,
            "locked": book.structure_locked}


def test_every_seed_has_its_shipped_workbook():
    names = set()
    for f in EXAMPLES:
        d = yaml.safe_load(f.read_text(encoding="utf-8"))
        names.add(f"{d['department']}-{d['year']}.xlsx")
    assert {p.name for p in BUILT} == names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_shipped_workbook_equals_a_fresh_build(path, tmp_path):
    """examples/*.xlsx hold exactly what build_examples.py makes today, and validate as a fresh build does
    (rebuild them with ``python3 examples/build_examples.py`` when the workbook changes)."""
    from workbook_builder.reader import validate_file
    from workbook_builder.render import build_workbook
    d, t = load(path)
    shipped = Path("examples") / f"{d['department']}-{d['year']}.xlsx"
    fresh = tmp_path / shipped.name
    fresh.write_bytes(build_workbook(t, d["department"], d["year"], d["values"]))
    a, b = _content(shipped), _content(fresh)
    for name in b["sheets"]:
        assert a["sheets"].get(name) == b["sheets"][name], f"{shipped.name} {name} is stale"
    assert a == b
    fields = ["code", "sheet", "cell", "expected", "found"]
    assert validate_file(shipped).flatten(fields) == validate_file(fresh).flatten(fields)
    assert "validation-changed" not in [c for (c,) in validate_file(shipped).flatten(["code"])]
