import pytest

from workbook_builder.numeric import fmt_num, xl_round


@pytest.mark.parametrize("x,d,want", [(1.005, 2, 1.01), (-1.005, 2, -1.01), (2.675, 2, 2.68), (0.125, 2, 0.13),
                                      (2.5, 0, 3), (-2.5, 0, -3), (1.23456, 3, 1.235)])
def test_xl_round_is_excels(x, d, want):
    assert xl_round(x, d) == want


def test_fmt_num_never_uses_exponents():
    assert fmt_num(1e-7) == "0.0000001" and fmt_num(5.0) == "5" and fmt_num(0.1) == "0.1"
