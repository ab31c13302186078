"""``validate --against 名单.xlsx``: returned 自评表 against the prefill list the bureau built them from.

The list is read as ``build --prefill`` reads it (prefill.py), once, and parsed per template; each
return's department row gives the figures its workbook was prefilled with (prefilled.compare).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Template
from .findings import FileReport
from .prefilled import compare


@dataclass
class Against:
    """The bureau's prefill list (``--against``): its table, read once, parsed per template."""

    path: Path
    table: Any
    rows: dict[str, tuple[list[dict], list]] = field(default_factory=dict)

    def for_template(self, t: Template) -> tuple[list[dict], list]:
        if t.id not in self.rows:
            from ..prefill import parse_rows
            self.rows[t.id] = parse_rows(t, self.table)
        return self.rows[t.id]


def read_against(path: str | Path) -> Against:
    """The list as ``build --prefill`` reads it; TableError (a Chinese message) when it cannot be read."""
    from ..prefill import read_table
    return Against(Path(path), read_table(Path(path)))


def check_against(rep: FileReport, against: Against) -> None:
    """Add to ``rep`` (a 自评表's report) each listed figure that is not in the return as listed."""
    if rep.unreadable or rep.projects or not rep.template or not rep.inputs:
        return
    from .validate import layout_for, shipped_templates
    t = shipped_templates().get(rep.template)
    if t is None or t.version != rep.version:
        return
    from ..tables import fold
    rows, problems = against.for_template(t)
    dept = fold(rep.department)
    mine = [r for r in rows if fold(r["department"]) == dept and (r.get("year") in (None, "") or str(r["year"]) == rep.year)]
    if not mine:
        bad = [p for p in problems if dept and dept in fold(str(p))]
        rep.add("against-department-unknown", detail=f"{rep.department}" + (f"；名单该行有问题：{bad[0]}" if bad else ""))
        return
    compare(t, layout_for(t), mine[0]["values"], rep.inputs, rep, "预填名单中")
    rep.prefill_checked = rep.prefill_checked or "against"
