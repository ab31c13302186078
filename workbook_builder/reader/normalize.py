"""Formulas compared in a normalised form, so an honest re-save by Excel, WPS or LibreOffice matches.

LibreOffice writes ``FALSE()`` for ``FALSE``, drops quotes around sheet names, may change
case or spacing and writes ``1E+15`` as ``1000000000000000``; Gnumeric writes ``0.8`` as
``0.800000000000000000011`` and ``G17:G17`` as ``G17``; Excel may add ``_xlfn.`` prefixes. None of
that changes what a formula computes: number literals are compared as the doubles they denote, and a
range of one cell as that cell.
"""

from __future__ import annotations

import re
from functools import lru_cache

_STRING = re.compile(r'"(?:[^"]|"")*"')
_SPACE = re.compile(r"\s+")
_PREFIX = re.compile(r"_xlfn\.|_xlws\.", re.I)
_BOOLCALL = re.compile(r"\b(TRUE|FALSE)\(\)")
_ONE_CELL = re.compile(r"(?<![A-Z0-9_.])([A-Z]{1,3}[0-9]+):\1(?![A-Z0-9_.(])")
_NUMBER = re.compile(r"(?<![A-Z0-9_.])(?:\d+(?:\.\d*)?|\.\d+)(?:E[+-]?\d+)?(?![A-Z0-9_.(])")


def _canonical_number(m: re.Match) -> str:
    x = float(m.group(0))
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


@lru_cache(maxsize=20_000)
def normalise_formula(f: str | None) -> str:
    if f is None:
        return ""
    f = f.lstrip("=")
    parts = []
    last = 0
    for m in _STRING.finditer(f):
        parts.append(_norm_code(f[last:m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(_norm_code(f[last:]))
    return "".join(parts)


def _norm_code(s: str) -> str:
    s = s.replace("$", "").replace("'", "")
    s = _PREFIX.sub("", _SPACE.sub("", s)).upper()
    s = _ONE_CELL.sub(r"\1", _BOOLCALL.sub(r"\1", s))
    return _NUMBER.sub(_canonical_number, s)  # 1.0 -> 1, 1E+15 -> 1000000000000000
