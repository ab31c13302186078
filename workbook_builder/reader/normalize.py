"""Formulas compared in a normalised form, so an honest re-save by Excel, WPS or LibreOffice matches.

LibreOffice writes ``FALSE()`` for ``FALSE``, drops quotes around sheet names and may change
case or spacing; Excel may add ``_xlfn.`` prefixes. None of that changes what a formula computes.
"""

from __future__ import annotations

import re

_STRING = re.compile(r'"(?:[^"]|"")*"')


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
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"_xlfn\.|_xlws\.", "", s, flags=re.I)
    s = s.upper()
    s = re.sub(r"\b(TRUE|FALSE)\(\)", r"\1", s)
    # numbers: 1.0 -> 1, .5 -> 0.5
    s = re.sub(r"(?<![A-Z0-9_.])(\d+)\.0+(?![0-9])", r"\1", s)
    return s
