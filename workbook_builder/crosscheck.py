"""Cross-field checks of 基础数据: each with its Python face, its formula face and its Chinese message.

``le``  执行数 ≤ 预算数 × factor — an amount typed in 元 where the others are in 万元 (or the reverse)
        breaks it; ``sum`` 基本支出 + 项目支出 = 合计 within a tolerance — so does a mixed-unit part;
``cap`` an amount ≤ factor (a project fund's ceiling in 万元) — an amount in 元 typed as 万元 breaks it.

A check holds while any of its values is blank (the department is still typing). The same check runs
in prefill (that row is refused), in the workbook's own data validation (on the checked cell) and in
the reader (``cross-check-failed`` at that cell).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .model import Check, Template
from .numeric import as_value, fmt_num


def items(c: Check) -> list[str]:
    """The inputs a check reads, the checked one (where a failure is shown) first."""
    if c.kind == "cap":
        return [c.left]
    return [c.left, c.right] if c.kind == "le" else [c.total, *c.parts]


def checked_input(c: Check) -> str:
    return items(c)[0]


def holds(c: Check, values: Mapping[str, Any]) -> bool:
    """True when the check holds, or when one of its values is blank or not a number."""
    xs = [as_value(values.get(i)) for i in items(c)]
    if any(x is None for x in xs):
        return True
    if c.kind == "cap":
        return xs[0] <= c.factor * (1 + 1e-12)
    if c.kind == "le":
        return xs[0] <= xs[1] * c.factor + 1e-9 * max(1.0, abs(xs[1]))
    return abs(sum(xs[1:]) - xs[0]) <= c.tolerance + 1e-9 * max(1.0, abs(xs[0]))


def excel(c: Check, ref: Callable[[str], str]) -> str:
    """The formula face of ``holds`` (TRUE when it holds or a value is missing)."""
    refs = [ref(i) for i in items(c)]
    missing = f"COUNT({','.join(refs)})<{len(refs)}"
    if c.kind == "cap":
        cond = f"{refs[0]}<={fmt_num(c.factor)}*(1+1E-12)"
    elif c.kind == "le":
        cond = f"{refs[0]}<={refs[1]}*{fmt_num(c.factor)}+1E-9*MAX(1,ABS({refs[1]}))"
    else:
        cond = f"ABS(SUM({','.join(refs[1:])})-{refs[0]})<={fmt_num(c.tolerance)}+1E-9*MAX(1,ABS({refs[0]}))"
    return f"OR({missing},{cond})"


def failures(t: Template, values: Mapping[str, Any]) -> list[Check]:
    return [c for c in t.checks if not holds(c, values)]


def message(t: Template, c: Check) -> str:
    label = {i.id: f"“{i.label}”" for i in t.inputs}
    if c.kind == "cap":
        unit = next((i.unit for i in t.inputs if i.id == c.left), "")
        return f"{label[c.left]}不应超过 {fmt_num(c.factor)} {unit}（是否把元填成了万元？）"
    if c.kind == "le":
        k = "" if c.factor == 1 else f" × {fmt_num(c.factor)}"
        return f"{label[c.left]}不应大于{label[c.right]}{k}（是否把万元与元填混了？）"
    return f"{'＋'.join(label[p] for p in c.parts)}应等于{label[c.total]}（是否把万元与元填混了？）"

