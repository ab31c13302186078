"""reader/normalize.py: honest rewrites by spreadsheet applications compare equal; real edits do not."""

import pytest

from workbook_builder.reader.normalize import normalise_formula


@pytest.mark.parametrize("built, saved", [
    ("=ROUND(SUM(G17:G17),2)", "=ROUND(SUM(G17),2)"),  # Gnumeric writes a one-cell range as the cell
    ("=SUM('01 项目'!$G$17:$G$17)", "=SUM('01 项目'!G17)"),
    ("=IF(A1,FALSE,TRUE)", "=IF(A1,FALSE(),TRUE())"),  # LibreOffice
    ("=MIN(10,0.8*B2)", "=MIN(10,0.800000000000000000011*B2)"),  # Gnumeric's decimal digits
    ("=ABS(X1)<=1E+15", "=_xlfn.ABS(X1)<=1000000000000000"),
])
def test_honest_rewrites_compare_equal(built, saved):
    assert normalise_formula(built) == normalise_formula(saved)


@pytest.mark.parametrize("built, edited", [
    ("=SUM(G17:G18)", "=SUM(G17)"),
    ("=SUM(G17:G17)", "=SUM(G17:G18)"),
    ("=SUM(AG17:G17)", "=SUM(G17)"),
    ('=IF(A1="G1:G1",1,0)', '=IF(A1="G1",1,0)'),  # text is compared as written
    ("=MIN(10,0.8*B2)", "=MIN(10,0.9*B2)"),
])
def test_real_edits_do_not(built, edited):
    assert normalise_formula(built) != normalise_formula(edited)
