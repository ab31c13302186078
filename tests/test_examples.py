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
