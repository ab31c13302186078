"""How a sheet prints: row heights of wrapped text, the scale that fits its columns to the page
width, and manual page breaks between 一级 groups.

Excel ignores manual page breaks on a sheet set to "fit to page", so a sheet with breaks prints at a
fixed scale computed here from its column widths (LibreOffice and WPS follow the same settings).
A group taller than a page is cut, at a 二级 boundary where one is near; the continuation repeats
the group's name (``continued``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

#: A4 landscape in points, and the margins (inches) every printed sheet of ours uses
PAGE = (842.0, 595.0)
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6}
DEFAULT_ROW = 15.0  # XlsxWriter's default row height
LINE = 13.5  # one line of 10-pt 宋体
MIN_ROW = 12.0  # no row of ours is lower (readable on screen and paper)
SIGN_ROW = 30.0  # room for a handwritten signature
#: styles whose text is sized by the renderer's own rule, not by wrapping in one column
FIXED_STYLES = ("title", "subtitle", "subheader")
#: share of the printable area kept free for what measurement cannot predict (fonts, LibreOffice's header space)
SAFETY = 0.93


def continued(name: str) -> str:
    """The name a group repeats at the top of the next printed page."""
    return f"{name}（续）"


def text_units(text: str) -> int:
    """Display width in character units (a CJK character is two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def text_lines(text: str, width: float) -> int:
    """Wrapped line count of text in a column of ``width`` characters (explicit newlines count)."""
    per = max(1, int(width * 0.95))
    return sum(max(1, -(-text_units(part) // per)) for part in text.split("\n"))


def row_heights(specs: Iterable, widths: Mapping[str, Sequence[float]]) -> dict[tuple[str, int], float]:
    """Heights (points) for rows whose text needs more than one line: LibreOffice does not grow them.

    A cell merged across one row wraps in the merged width; cells merged down, a group's repeated
    name (``spec.repeat``) and titles are not counted. Signature rows get room for a hand.
    """
    out: dict[tuple[str, int], float] = {}
    for s in specs:
        w = widths.get(s.sheet)
        if w is None or not isinstance(s.value, str) or not s.value or getattr(s, "repeat", False):
            continue
        if s.style == "sign":
            out[(s.sheet, s.row)] = max(out.get((s.sheet, s.row), MIN_ROW), SIGN_ROW)
            continue
        if s.style in FIXED_STYLES:
            continue
        if s.merge_to:
            if s.merge_to[0] != s.row:
                continue
            width = sum(w[c] if c < len(w) else 10 for c in range(s.col, s.merge_to[1] + 1))
        else:
            width = w[s.col] if s.col < len(w) else 10
        h = LINE * text_lines(s.value, width) + 2
        if s.style == "note":
            h = 12 * text_lines(s.value, width) + 4  # 9-pt lines, counted at the 10-pt width: never short
        out[(s.sheet, s.row)] = max(out.get((s.sheet, s.row), DEFAULT_ROW), min(h, 400))
    return out


def column_points(width: float) -> float:
    """Printed width of a column of ``width`` characters (Excel's pixel rule for the default font)."""
    return (int(width * 7 + 0.5) + 5) * 0.75


def fit_scale(widths: Sequence[float], margins: Mapping[str, float] = MARGINS) -> int:
    """The print scale (percent, 10–100) at which all columns fit the page width."""
    printable = PAGE[0] - (margins["left"] + margins["right"]) * 72
    total = sum(column_points(w) for w in widths)
    return max(10, min(100, math.floor(100 * printable * 0.98 / total)))


def page_capacity(scale: int, margins: Mapping[str, float] = MARGINS) -> float:
    """Row points (at 100 %) one page holds at ``scale``."""
    return (PAGE[1] - (margins["top"] + margins["bottom"]) * 72) * SAFETY * 100 / scale


def page_breaks(height: Mapping[int, float], head_end: int, groups: Sequence[tuple[int, int]],
                preferred: set[int], end: int, repeat: float, capacity: float) -> list[int]:
    """First rows of pages 2, 3, …

    Rows before ``head_end`` are the first page's heading; ``groups`` are the 一级 spans (first, last),
    in order; rows after the last group up to ``end`` (总分, 说明, signatures) stay with its last row.
    ``repeat`` is the height of the header rows repeated on every page; ``preferred`` the rows a
    group too tall for one page is best cut above (its 二级 starts).
    """
    def h(r):
        return height.get(r, DEFAULT_ROW)

    breaks: list[int] = []
    used = sum(h(r) for r in range(head_end))
    for gi, (a, b) in enumerate(groups):
        # units that never split: a row, or (last group) its last row with everything below it
        units = [(r, h(r)) for r in range(a, b + 1)]
        if gi == len(groups) - 1:
            units[-1] = (b, sum(h(r) for r in range(b, end + 1)))
        size = sum(u for _, u in units)
        if used + size <= capacity:
            used += size
            continue
        if repeat + size <= capacity or capacity - used < 0.3 * capacity:
            breaks.append(a)
            used = repeat
            if repeat + size <= capacity:
                used += size
                continue
        start = breaks[-1] if breaks and breaks[-1] >= a else a
        for i, (r, u) in enumerate(units):
            if used + u <= capacity or r == start:
                used += u
                continue
            cut = r
            for p in sorted(preferred, reverse=True):
                if start < p <= r:
                    if sum(uu for rr, uu in units if p <= rr < r) <= 0.35 * capacity:
                        cut = p
                    break
            breaks.append(cut)
            start = cut
            used = repeat + sum(uu for rr, uu in units if cut <= rr <= r)
    return breaks
