"""The numeric model shared by the engine, the formulas and the reader (see docs/numeric.md).

* ROUND is LibreOffice's (``rtl::math::round``, our stand-in for Excel): scale by 10^digits,
  add one half, snap the sum to 15 significant digits, floor, scale back. A product that lands
  one ulp below a half-cent (0.0325 × 2 = 0.06499999999999995) therefore rounds up, as every
  spreadsheet shows it.
* A number a rule may read is finite and within ±1e15 (``MAX_MAGNITUDE``); anything else — text,
  TRUE/FALSE, NaN, infinity, 1e19 — is "not a number" and the score is blank, in Python
  (``as_value``) and in the formula (``valid_number_excel``) alike.
* Derived quantities beyond ±1e15 or non-finite are blank in both engines too.
* Booleans are never numbers (Excel: ``ISNUMBER(TRUE)`` is FALSE).
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal
from functools import lru_cache

#: decimals used to normalise every numeric input before a rule compares it
VALUE_DECIMALS = 9
SCORE_DECIMALS = 2
#: the largest magnitude a scored value may have; beyond it a value counts as not a number
MAX_MAGNITUDE = 1e15
MAX_MAGNITUDE_TEXT = "1E+15"

_2_41 = 2.0 ** 41
_2_52 = 2.0 ** 52
_MAX_INT = 2 ** 53 - 1


def _exponent(a: float) -> int:
    return ((struct.unpack("<Q", struct.pack("<d", a))[0] >> 52) & 0x7FF) - 1023


def _bits_in_fraction(a: float) -> int:
    """How many bits of the positive double ``a`` lie after the binary point."""
    b = struct.unpack("<Q", struct.pack("<d", a))[0]
    exp = ((b >> 52) & 0x7FF) - 1023
    if exp >= 52:
        return 0
    frac = b & ((1 << 52) - 1)
    least = 53 if frac == 0 else (frac & -frac).bit_length()
    return max(53 - least - exp, 0)


def _is_integer(a: float) -> bool:
    return a <= _MAX_INT and float(int(a)) == a


def _half_away(a: float) -> float:
    """C's ``round`` for a non-negative double (half away from zero, no double rounding)."""
    f = math.floor(a)
    return f + 1.0 if a - f >= 0.5 else f


def approx_value(x: float) -> float:
    """``x`` snapped to 15 significant digits (LibreOffice's ``rtl::math::approxValue``)."""
    if x == 0.0 or not math.isfinite(x) or abs(x) > _2_41:
        return x
    a = abs(x)
    if _is_integer(a) or _bits_in_fraction(a) <= 11:
        return x
    n = 14 - math.floor(math.log10(a))
    fac = 10.0 ** abs(n)
    a = a / fac if n < 0 else a * fac
    if not math.isfinite(a):
        return x
    a = _half_away(a)
    a = a * fac if n < 0 else a / fac
    if not math.isfinite(a):
        return x
    return -a if x < 0 else a


@lru_cache(maxsize=1 << 16)
def xl_round(x: float, digits: int = 0) -> float:
    """Spreadsheet ROUND, as LibreOffice computes it: ``xl_round(0.06499999999999995, 2) == 0.07``.

    Non-finite values come back unchanged (callers never pass them: see ``as_value``).
    """
    x = float(x)
    if x == 0.0 or not math.isfinite(x):
        return x
    if digits > 0:  # fast path: a short decimal already within ``digits`` decimals rounds to itself
        r = repr(x)
        if "e" not in r:
            whole, _, frac = r.partition(".")
            if len(frac) <= digits and len(whole.lstrip("-0")) + len(frac) <= 15:
                return x
    a = abs(x)
    if digits == 0:
        r = _half_away(a)
        return -r if x < 0 else r
    if digits > 0 and (a >= _2_52 or _is_integer(a)):
        return x
    if digits > 0:
        digits = min(digits, 52 - _exponent(a))
    fac = 10.0 ** abs(digits)
    a = a / fac if digits < 0 else a * fac
    a = math.floor(approx_value(a + 0.5))
    a = a * fac if digits < 0 else a / fac
    return -a if x < 0 else a


def as_number(v) -> float | None:
    """A cell value as a number, or None for blank, text and booleans (Excel's ISNUMBER)."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return None


def as_value(v) -> float | None:
    """A number a rule may read: finite and within ±``MAX_MAGNITUDE``, else None."""
    x = as_number(v)
    if x is None or not (-MAX_MAGNITUDE <= x <= MAX_MAGNITUDE):  # NaN fails both comparisons
        return None
    return x


def bounded(x: float | None) -> float | None:
    """A computed quantity, or None where it overflowed or left ±``MAX_MAGNITUDE``."""
    if x is None or not (-MAX_MAGNITUDE <= x <= MAX_MAGNITUDE):
        return None
    return x


def valid_number_excel(ref: str) -> str:
    """The formula face of ``as_value``: TRUE where ``ref`` holds a number within ±1e15.

    The IF keeps ABS from ever seeing text (Excel's AND evaluates every argument, and Gnumeric's
    N() of an empty cell is #NUM!).
    """
    return f"IF(ISNUMBER({ref}),ABS({ref})<={MAX_MAGNITUDE_TEXT},FALSE)"


def as_text(v) -> str:
    """A cell value as text ('' for blank)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
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


def same_number(a: float, b: float) -> bool:
    """Two formula constants that denote one double (Gnumeric writes 0.8 as 0.800000000000000000011)."""
    return a == b or (math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 4 * math.ulp(max(abs(a), abs(b))))
