"""Numeric helpers shared by every engine: Excel-compatible rounding and value coercion."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

#: decimals used to normalise every numeric input before a rule compares it
#: (Excel and LibreOffice compare to ~15 significant digits; rounding first makes
#: all engines see the same double).
VALUE_DECIMALS = 9
SCORE_DECIMALS = 2


@lru_cache(maxsize=1 << 16)
def xl_round(x: float, digits: int = 0) -> float:
    """Excel's ROUND: half away from zero, on the value's 15-significant-digit decimal form.

    ``xl_round(1.005, 2) == 1.01`` (Python's ``round`` gives 1.0).
    """
    x = float(x)
    if x.is_integer() and -1e15 < x < 1e15:
        return x
    r = repr(x)
    if "e" not in r and "n" not in r:  # fast path: a short decimal already within `digits` decimals
        whole, _, frac = r.partition(".")
        if len(frac) <= digits and len(whole.lstrip("-0")) + len(frac) <= 15:
            return x
    d = Decimal(format(x, ".15g"))
    q = Decimal(1).scaleb(-digits)
    return float(d.quantize(q, rounding=ROUND_HALF_UP))


def as_number(v) -> float | None:
    """A cell value as a number, or None for blank/text (Excel's ISNUMBER)."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return None


def as_text(v) -> str:
    """A cell value as text ('' for blank)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def fmt_num(x: float) -> str:
    """A number literal for an Excel formula (shortest exact repr, no exponent surprises)."""
    x = float(x)
    if x.is_integer():
        return str(int(x))
    s = repr(x)
    if "e" in s:
        s = format(Decimal(s), "f")
    return s
