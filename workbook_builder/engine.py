"""The Python engine: every score, subtotal, the total and the grade. Pure functions, no I/O.

``values`` maps input ids (基础数据) and entry ids (``<leaf id>.actual``, ``.target``,
``.score``) to what the cells hold; blanks may be missing or None.

A template is compiled once into a plan (leaves with where each slot's value comes from,
parents in post-order); ``compute`` then runs the plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .expr import parse
from .model import Node, Template
from .numeric import SCORE_DECIMALS, as_number, xl_round
from .rules import Rule, rule_for


@dataclass
class Result:
    derived: dict[str, float | None] = field(default_factory=dict)
    #: leaf score (None = blank) and subtotal of every node, by node id
    scores: dict[str, float | None] = field(default_factory=dict)
    needs_reason: dict[str, bool] = field(default_factory=dict)
    #: None (and grade "") until every indicator has a score: the workbook shows them blank too
    total: float | None = None
    grade: str = ""
    #: open rows (rules/open.py) where nothing is typed, and every open row's typed 分值 (a number or None)
    unused: set[str] = field(default_factory=set)
    weights: dict[str, float | None] = field(default_factory=dict)

    def leaf_scores(self, template: Template) -> dict[str, float | None]:
        return {n.id: self.scores[n.id] for n in template.leaves()}


@lru_cache(maxsize=256)
def _expr(text: str):
    return parse(text)


def compute_derived(template: Template, values: Mapping[str, Any]) -> dict[str, float | None]:
    env: dict[str, float | None] = {i.id: as_number(values.get(i.id)) for i in template.inputs if i.numeric}
    out: dict[str, float | None] = {}
    for d in template.derived:
        out[d.id] = env[d.id] = _expr(d.expr).evaluate(env)
    return out


def _sources(leaf: Node) -> list[tuple[str, str, Any]]:
    """For each slot: (slot name, 'value' | 'derived' | 'const', key or constant)."""
    out = []
    for s in rule_for(leaf).slots_of(leaf):
        if s.name == "actual" and leaf.actual and leaf.actual.source == "input":
            out.append((s.name, "value", leaf.actual.ref))
        elif s.name == "actual" and leaf.actual and leaf.actual.source == "derived":
            out.append((s.name, "derived", leaf.actual.ref))
        elif s.name == "target" and leaf.target and not leaf.target.entry:
            out.append((s.name, "const", leaf.target.value))
        else:
            out.append((s.name, "value", f"{leaf.id}.{s.name}"))
    return out


def slot_values(leaf: Node, values: Mapping[str, Any], derived: Mapping[str, float | None]) -> dict[str, Any]:
    """The values a leaf's rule reads, by slot name."""
    src = {"value": values, "derived": derived}
    return {name: key if kind == "const" else src[kind].get(key) for name, kind, key in _sources(leaf)}


@dataclass
class _Plan:
    leaves: list[tuple[Node, Rule, list[tuple[str, str, Any]]]]
    parents: list[tuple[str, list[str]]]  # post-order: children before parents
    tops: list[str]
    #: top-level nodes holding open rows: (node id, allotment, its leaves) — their typed 分值 must add up
    allotted: list[tuple[str, float, list[Node]]] = field(default_factory=list)


def _plan(t: Template) -> _Plan:
    p = t.memo.get("plan")
    if p is None:
        leaves, parents = [], []

        def visit(n: Node) -> None:
            if n.is_leaf:
                leaves.append((n, rule_for(n), _sources(n)))
            else:
                for c in n.children:
                    visit(c)
                parents.append((n.id, [c.id for c in n.children]))

        for n in t.indicators:
            visit(n)
        allotted = [(n.id, n.weight, list(n.leaves())) for n in t.indicators
                    if any(x.kind == "open" for x in n.leaves())]
        p = t.memo["plan"] = _Plan(leaves, parents, [n.id for n in t.indicators], allotted)
    return p


def compute(template: Template, values: Mapping[str, Any]) -> Result:
    plan = _plan(template)
    derived = compute_derived(template, values) if template.derived else {}
    res = Result(derived=derived)
    scores, reasons = res.scores, res.needs_reason
    src = {"value": values, "derived": derived}
    for n, rule, sources in plan.leaves:
        sv = {name: key if kind == "const" else src[kind].get(key) for name, kind, key in sources}
        if n.kind == "open":
            res.weights[n.id] = as_number(sv.get("weight"))
            if not rule.used(n, sv):
                res.unused.add(n.id)
        v = rule.values(n, sv)
        if v is None:
            scores[n.id], reasons[n.id] = None, False
        else:
            s = scores[n.id] = rule.score_values(n, v)
            reasons[n.id] = rule.needs_reason(n, v, s)
    res.scores, res.total, res.grade = rescore(template, scores, res.unused, res.weights)
    return res


def half_cent_ties(template: Template, values: Mapping[str, Any], derived: Mapping[str, float | None]) -> set[str]:
    """Leaves whose unrounded score lies on a half-cent (2.675, 1.265 …).

    There Excel and LibreOffice round up (see docs/numeric.md) while Gnumeric, which rounds the
    binary value in long double, may show 0.01 less: the reader accepts either display.
    """
    out: set[str] = set()
    src = {"value": values, "derived": derived}
    for n, rule, sources in _plan(template).leaves:
        sv = {name: key if kind == "const" else src[kind].get(key) for name, kind, key in sources}
        v = rule.values(n, sv)
        if v is None:
            continue
        x = min(n.weight, max(0.0, rule.raw(n, v))) * 10 ** SCORE_DECIMALS
        if abs(x - math.floor(x) - 0.5) < 1e-6:
            out.add(n.id)
    return out


def allotted_ok(allot: float, leaves: list[Node], weights: Mapping[str, float | None]) -> bool:
    """ROUND(SUM(分值 column),2) equals the allotment (SUM skips blanks and text)."""
    total = sum((weights.get(n.id) or 0.0) if n.kind == "open" else n.weight for n in leaves)
    return xl_round(total, SCORE_DECIMALS) == allot


def allotment_gaps(template: Template, res: Result) -> list[tuple[str, float, float]]:
    """Top-level nodes with open rows whose typed 分值 do not add up to their allotment:
    (node id, the 分值 typed in all, the allotment)."""
    out = []
    for nid, allot, leaves in _plan(template).allotted:
        if not allotted_ok(allot, leaves, res.weights):
            typed = sum((res.weights.get(n.id) or 0.0) if n.kind == "open" else n.weight for n in leaves)
            out.append((nid, xl_round(typed, SCORE_DECIMALS), allot))
    return out


def _sum(parts: list) -> float | None:
    """ROUND(SUM(...),2) once every part has a score, else blank (IF(COUNT(...)<n,"",...))."""
    if None in parts:
        return None
    return xl_round(sum(parts), SCORE_DECIMALS)


def rescore(template: Template, leaf_scores: Mapping[str, float | None], unused: set[str] | frozenset = frozenset(),
            weights: Mapping[str, float | None] | None = None) -> tuple[dict[str, float | None], float | None, str]:
    """Subtotals, total and grade from given leaf scores, as the workbook's formulas make them.

    Unused open rows do not hold up their parent; a top-level node with open rows stays blank
    until its rows' 分值 (``weights``) add up to its allotment.
    """
    scores: dict[str, float | None] = dict(leaf_scores)
    plan = _plan(template)
    for nid, children in plan.parents:
        scores[nid] = _sum([scores[c] for c in children if c not in unused])
    for nid, allot, leaves in plan.allotted:
        if not allotted_ok(allot, leaves, weights or {}):
            scores[nid] = None
    total = _sum([scores[n] for n in plan.tops])
    return scores, total, "" if total is None else template.grade_for(total)
