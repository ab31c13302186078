"""The rounding sweep: every rule of every template over a grid of actual values, as formula rows.

Each row holds the leaf's slot values in A:C and its score formula (the rule's own Excel face)
in D. A spreadsheet application recalculates the file; its D column must equal the engine's
``Rule.score`` on the same values. ``steps`` says how many points of the 0–200 % grid are taken
(20,001 = every two-decimal percentage).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xlsxwriter

from workbook_builder.rules import rule_for

COLS = {"actual": "A", "target": "B", "score": "C"}


def _grid(steps: int) -> list[int]:
    if steps >= 20001:
        return list(range(20001))
    stride = 20000 / (steps - 1)
    return sorted({round(i * stride) for i in range(steps)})


def cases(templates, steps: int = 20001) -> Iterator[tuple[Any, Any, dict[str, Any]]]:
    """(template, leaf, slot values) for every leaf of every template over the grid."""
    for t in templates:
        for leaf in t.leaves():
            slots = rule_for(leaf).slots(leaf)
            names = {s.name: s for s in slots}
            tv = leaf.target.value if leaf.target and leaf.target.value else None
            pct = "actual" in names and names["actual"].type == "percent"
            scale = 1.0 if pct or not tv or tv <= 0 else tv
            base: dict[str, Any] = {}
            if "target" in names and leaf.target and not leaf.target.entry:
                base["target"] = leaf.target.value  # a constant in the formula, a slot value for the engine
            if "target" in names and leaf.target and leaf.target.entry:
                base["target"] = 0.9 if pct else 10.0
                scale = base["target"]
            if "actual" in names and names["actual"].type == "choice":
                for c in names["actual"].choices:
                    yield t, leaf, {**base, "actual": c, **({"score": leaf.weight * 0.85} if "score" in names else {})}
                continue
            if "actual" not in names:  # manual: the score itself is swept
                for k in range(0, int(leaf.weight * 100) + 1):
                    yield t, leaf, {**base, "score": k / 100}
                continue
            for k in _grid(steps):
                v = dict(base, actual=round(scale * k / 10000, 10))
                if "score" in names:
                    v["score"] = round(leaf.weight * (k % 101) / 100, 2)
                yield t, leaf, v


def write(rows: list[tuple[Any, Any, dict[str, Any]]], path: Path) -> None:
    """One sheet, one row per case: slot values, then the score formula."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("S")
    for i, (_, leaf, values) in enumerate(rows):
        r = i + 1
        for name, col in COLS.items():
            if name in values and not (name == "target" and leaf.target and not leaf.target.entry):
                v = values[name]
                ws.write(f"{col}{r}", v) if isinstance(v, str) else ws.write_number(f"{col}{r}", v)
        rule = rule_for(leaf)
        refs = {}
        for s in rule.slots(leaf):
            if s.name == "target" and leaf.target and not leaf.target.entry:
                refs["target"] = repr(float(leaf.target.value))
            else:
                refs[s.name] = f"{COLS[s.name]}{r}"
        ws.write_formula(f"D{r}", "=" + rule.formula(leaf, refs), None, "")
    wb.close()


def expected(rows) -> list[Any]:
    out = []
    for _, leaf, values in rows:
        s = rule_for(leaf).score(leaf, values)
        out.append("" if s is None else s)
    return out


def read_column(path: Path, n: int) -> list[Any]:
    """Column D of the first sheet as values ('' for blank or error)."""
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_path(str(path))
    data = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    out = []
    for i in range(n):
        row = data[i] if i < len(data) else []
        v = row[3] if len(row) > 3 else ""
        out.append(float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else ("" if v in (None, "") else v))
    return out
