"""The Python engine: every score, subtotal, the total and the grade. Pure functions, no I/O.

``values`` maps input ids (基础数据) and entry ids (``<leaf id>.actual``, ``.target``,
``.score``) to what the cells hold; blanks may be missing or None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

from .expr import parse
from .model import Node, Template
from .numeric import SCORE_DECIMALS, as_number, xl_round
from .rules import rule_for


@dataclass
class Result:
    derived: dict[str, float | None] = field(default_factory=dict)
    #: leaf score (None = blank) and subtotal of every node, by node id
    scores: dict[str, float | None] = field(default_factory=dict)
    needs_reason: dict[str, bool] = field(default_factory=dict)
    total: float = 0.0
    grade: str = ""

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


def slot_values(leaf: Node, values: Mapping[str, Any], derived: Mapping[str, float | None]) -> dict[str, Any]:
    """The values a leaf's rule reads, by slot name."""
    out: dict[str, Any] = {}
    for s in rule_for(leaf).slots(leaf):
        if s.name == "actual" and leaf.actual and leaf.actual.source == "input":
            out["actual"] = values.get(leaf.actual.ref)
        elif s.name == "actual" and leaf.actual and leaf.actual.source == "derived":
            out["actual"] = derived.get(leaf.actual.ref)
        elif s.name == "target" and leaf.target and not leaf.target.entry:
            out["target"] = leaf.target.value
        else:
            out[s.name] = values.get(f"{leaf.id}.{s.name}")
    return out


def compute(template: Template, values: Mapping[str, Any]) -> Result:
    res = Result(derived=compute_derived(template, values))

    def visit(n: Node) -> float:
        if n.is_leaf:
            rule = rule_for(n)
            sv = slot_values(n, values, res.derived)
            s = rule.score(n, sv)
            res.scores[n.id] = s
            if s is not None:
                res.needs_reason[n.id] = rule.needs_reason(n, rule.values(n, sv), s)
            else:
                res.needs_reason[n.id] = False
            return s or 0.0
        sub = xl_round(sum(visit(c) for c in n.children), SCORE_DECIMALS)
        res.scores[n.id] = sub
        return sub

    res.total = xl_round(sum(visit(n) for n in template.indicators), SCORE_DECIMALS)
    res.grade = template.grade_for(res.total)
    return res
