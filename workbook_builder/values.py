"""Values handed to the builder (an inputs file, the API): checked and typed before anything is written.

A key must name an input, an entry cell, a 扣分原因 or a header field of the template (a typo gets a
did-you-mean). TRUE/FALSE become 是/否 where the item offers exactly those choices and are an error
elsewhere (a spreadsheet never counts TRUE as a number). Numbers must be finite; texts must hold
only characters a workbook can (textcheck.py).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

from .layout import HEADER_ENTRY
from .model import Input, Template
from .rules import all_inputs
from .textcheck import text_problem

YES, NO = "是", "否"


class ValuesError(ValueError):
    """Values that cannot be written; ``problems`` holds one Chinese line per bad key."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


def known_items(t: Template) -> dict[str, Input | None]:
    """Every key a values mapping may hold: input and entry ids, 扣分原因 and header fields."""
    out: dict[str, Input | None] = {i.id: i for i in all_inputs(t)}
    for leaf in t.leaves():
        out[f"{leaf.id}.reason"] = None
    for f in HEADER_ENTRY:
        out[f"header.{f}"] = None
    return out


def _label(t: Template, key: str, inp: Input | None) -> str:
    return f"{inp.label}（{key}）" if inp else key


def normalise(t: Template, values: Mapping[str, Any] | None) -> dict[str, Any]:
    """``values`` with booleans mapped to 是/否; ValuesError listing every unknown or mistyped key."""
    items = t.memo.get("known_items")
    if items is None:
        items = t.memo["known_items"] = known_items(t)
    out: dict[str, Any] = {}
    problems: list[str] = []
    for key, v in (values or {}).items():
        key = str(key)
        if key not in items:
            close = difflib.get_close_matches(key, list(items), n=1, cutoff=0.6)
            hint = f"，是否应为 {close[0]}？" if close else ""
            problems.append(f"未知的填报项 {key}{hint}")
            continue
        inp = items[key]
        if isinstance(v, bool):
            if inp is not None and set(inp.choices) >= {YES, NO}:
                v = YES if v else NO
            else:
                problems.append(f"{_label(t, key, inp)} 填写了 是/否（true/false），此项应填写"
                                f"{'数值' if inp is not None and inp.numeric else '文字'}")
                continue
        elif isinstance(v, float) and not math.isfinite(v):
            problems.append(f"{_label(t, key, inp)} 的数值无效（{v}）")
            continue
        elif isinstance(v, str) and (bad := text_problem(v, _label(t, key, inp), breaks=True)):
            problems.append(bad)
            continue
        out[key] = v
    if problems:
        raise ValuesError(problems)
    return out
