"""Formulas compared in a normalised form, so an honest re-save by Excel, WPS or LibreOffice matches.

LibreOffice writes ``FALSE()`` for ``FALSE``, drops quotes around sheet names and may change
case or spacing; Excel may add ``_xlfn.`` prefixes. None of that changes what a formula computes.
"""

from __future__ import annotations

import re
from functools import lru_cache

_STRING = re.compile(r'"(?:[^"]|"")*"')
_SPACE = re.compile(r"\s+")
_PREFIX = re.compile(r"_xlfn\.|_xlws\.", re.I)
_BOOLCALL = re.compile(r"\b(TRUE|FALSE)\(\)")
_TRAILING_ZEROS = re.compile(r"(?<![A-Z0-9_.])(\d+)\.0+(?![0-9])")


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
    s = _BOOLCALL.sub(r"\1", s)
    return _TRAILING_ZEROS.sub(r"\1", s)  # numbers: 1.0 -> 1
