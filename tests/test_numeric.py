"""The numeric model (docs/numeric.md): ROUND as LibreOffice computes it, bounds, non-finite values, booleans."""

import io
import math
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbook_builder.engine import compute
from workbook_builder.expr import parse
from workbook_builder.loader import load_template
from workbook_builder.numeric import as_value, fmt_num, same_number, xl_round
from workbook_builder.render import build_workbook
from workbook_builder.values import ValuesError, normalise


@pytest.mark.parametrize("x,d,want", [(1.005, 2, 1.01), (-1.005, 2, -1.01), (2.675, 2, 2.68), (0.125, 2, 0.13),
                                      (2.5, 0, 3), (-2.5, 0, -3), (1.23456, 3, 1.235),
                                      # one ulp below a half-cent: every spreadsheet rounds up
                                      (0.06499999999999995, 2, 0.07), (-0.06499999999999995, 2, -0.07),
                                      (0.49999999999999994, 0, 0), (1e19, 9, 1e19), (123456789012.345, 2, 123456789012.35)])
def test_xl_round_is_libreoffices(x, d, want):
    assert xl_round(x, d) == want


def test_xl_round_passes_non_finite_values_through():
    assert math.isnan(xl_round(math.nan, 2)) and xl_round(math.inf, 2) == math.inf


@given(st.integers(0, 10**6), st.integers(1, 10**4))
def test_xl_round_of_a_quotient_is_the_exact_decimal_rounding(n, d):
    """n/d computed in doubles, then ROUND(…, 2), equals the exact quotient rounded half up (to 15 digits)."""
    exact = (Decimal(n) / Decimal(d)).quantize(Decimal("1e-15")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert xl_round(n / d, 2) == float(exact)


def test_half_cent_scores_round_up_as_in_every_spreadsheet():
    t = load_template("qingcheng_2024")
    for leaf, actual, want in [("basic_exec", 0.0325, 0.07), ("basic_exec", 1.9675, 0.07)]:
        assert compute(t, {f"{leaf}.actual": actual}).scores[leaf] == want


def test_numbers_beyond_1e15_score_blank_and_never_crash():
    t = load_template("national_2020")
    leaf = next(n for n in t.leaves() if n.id == "quantity_1")
    for v in (1e19, -1e19, 1e300, math.inf, math.nan):
        assert compute(t, {"quantity_1.actual": v}).scores[leaf.id] is None
    z = load_template("zizhou_2024")
    res = compute(z, {"key_project_spend": 1e12, "project_spend_total": 1e-7})
    assert all(v is None or abs(v) <= 1e15 for v in res.derived.values())


def test_derived_overflow_is_blank_and_never_written_as_inf():
    t = load_template("qingcheng_2024")
    values = {"general_budget_year": 1e-300, "general_executed": 1e12}
    assert None in compute(t, values).derived.values()
    data = build_workbook(t, "测试单位", 2024, values)
    assert b">inf<" not in data and b">nan<" not in data.lower()
    openpyxl.load_workbook(io.BytesIO(data))  # opens: no non-finite cached value


def test_expression_bounds_in_both_faces():
    e = parse("a / b")
    assert e.evaluate({"a": 1e12, "b": 1e-7}) is None and e.evaluate({"a": 1.0, "b": 4.0}) == 0.25
    assert "1E+15" in e.excel(lambda n: n.upper())


def test_as_value_excludes_booleans_text_and_non_finite():
    assert [as_value(v) for v in (True, "1", math.nan, math.inf, 1e16, 3, -2.5)] == [None, None, None, None, None, 3.0, -2.5]


def test_boolean_inputs_map_to_yes_no_only_where_the_item_offers_them():
    t = load_template("longxian_2023")
    assert normalise(t, {"key_work_1.actual": True}) == {"key_work_1.actual": "是"}
    with pytest.raises(ValuesError, match="是/否"):
        normalise(t, {"payment_q1.actual": True})
    q = load_template("qingcheng_2024")
    with pytest.raises(ValuesError, match="total_executed"):
        normalise(q, {"total_exectued": 1})


def test_a_boolean_built_as_yes_is_scored_and_cached_as_yes(tmp_path):
    from workbook_builder.reader import validate_file
    t = load_template("longxian_2023")
    p = tmp_path / "x.xlsx"
    p.write_bytes(build_workbook(t, "测试单位", 2024, {"key_work_1.actual": True}))
    ws = openpyxl.load_workbook(p, data_only=True)["自评表"]
    from workbook_builder.layout import build_layout
    r, c = build_layout(t).score_cells["key_work_1"]
    assert ws.cell(r + 1, c + 1).value == compute(t, {"key_work_1.actual": "是"}).scores["key_work_1"] == 1
    assert "cached-value-mismatch" not in [f.code for f in validate_file(p).findings]


def test_fmt_num_never_uses_exponents():
    assert fmt_num(1e-7) == "0.0000001" and fmt_num(5.0) == "5" and fmt_num(0.1) == "0.1"


def test_same_number_accepts_gnumeric_long_constants():
    assert same_number(0.8, float("0.800000000000000000011")) and not same_number(0.8, 0.8000001)
