"""The template checker: structural and rule problems, each with its node path."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .expr import ExprError, parse
from .model import Template
from .rules import RULES

EPS = 1e-9


@dataclass(frozen=True)
class Issue:
    severity: str  # error | warning
    code: str
    message: str
    path: str

    def __str__(self) -> str:
        return f"{self.severity}: [{self.code}] {self.message} @ {self.path}"


def check_template(t: Template) -> list[Issue]:
    out: list[Issue] = []
    add = lambda sev, code, msg, path: out.append(Issue(sev, code, msg, path))  # noqa: E731

    if not math.isclose(t.total_weight, 100, abs_tol=EPS):
        add("error", "total-not-100", f"top-level weights sum to {t.total_weight:g}, not 100", "$.indicators")
    seen: dict[str, str] = {}
    for n in t.nodes():
        if n.id in seen:
            add("error", "duplicate-id", f"id {n.id!r} also used at {seen[n.id]}", n.path + ".id")
        seen[n.id] = n.path
        if n.children:
            s = sum(c.weight for c in n.children)
            if not math.isclose(s, n.weight, abs_tol=1e-6):
                add("error", "weights-mismatch", f"children of {n.name!r} sum to {s:g}, not its weight {n.weight:g}", n.path + ".weight")
            continue
        if n.kind not in RULES:
            add("error", "unknown-rule", f"unknown rule kind {n.kind!r}", n.path + ".rule.kind")
            continue
        for p in RULES[n.kind].check(n):
            add(p.severity, "rule-params", f"{n.name}: {p.message}", n.path + ".rule")
        if n.weight <= 0:
            add("warning", "zero-weight", f"{n.name} has weight 0: it can never change the total", n.path + ".weight")
    input_ids = {i.id for i in t.inputs}
    derived_ids = {d.id for d in t.derived}
    for i, inp in enumerate(t.inputs):
        if inp.id in seen:
            add("error", "duplicate-id", f"input id {inp.id!r} is also an indicator id", f"$.inputs[{i}].id")
        if inp.type == "choice" and not inp.choices:
            add("error", "choice-without-choices", f"choice input {inp.id!r} lists no choices", f"$.inputs[{i}]")
        if inp.min is not None and inp.max is not None and inp.min > inp.max:
            add("error", "bad-range", f"input {inp.id!r}: min > max", f"$.inputs[{i}]")
    if len(input_ids) != len(t.inputs):
        add("error", "duplicate-id", "input ids are not unique", "$.inputs")
    used: set[str] = set()
    known = set(input_ids)
    for i, d in enumerate(t.derived):
        try:
            names = parse(d.expr).names
        except ExprError as e:
            add("error", "bad-expression", str(e), f"$.derived[{i}].expr")
            continue
        for name in names:
            if name not in known:
                add("error", "undeclared-input", f"derived {d.id!r} uses {name!r}, which is not an input or an earlier derived quantity", f"$.derived[{i}].expr")
        used.update(names)
        known.add(d.id)
    for n in t.leaves():
        a = n.actual
        if a and a.source == "input":
            used.add(a.ref)
            if a.ref not in input_ids:
                add("error", "undeclared-input", f"{n.name} reads input {a.ref!r}, which is not declared", n.path + ".actual")
        if a and a.source == "derived":
            used.add(a.ref)
            if a.ref not in derived_ids:
                add("error", "undeclared-input", f"{n.name} reads derived {a.ref!r}, which is not declared", n.path + ".actual")
    budget = (t.layout.budget_block or {}).get("rows", [])
    for row in budget:
        for k in ("initial", "year", "executed", "rate"):
            if k in row:
                used.add(row[k])
                if row[k] not in input_ids | derived_ids:
                    add("error", "undeclared-input", f"budget block row {row.get('label')!r} names {row[k]!r}, which is not declared", "$.layout.budget_block")
    for i, inp in enumerate(t.inputs):
        if inp.id not in used:
            add("warning", "unused-input", f"input {inp.id!r} ({inp.label}) is never used by a score", f"$.inputs[{i}]")
    for i, d in enumerate(t.derived):
        if d.id not in used:
            add("warning", "unused-derived", f"derived {d.id!r} ({d.label}) is never used by a score", f"$.derived[{i}]")
    mins = [g.min for g in t.grades]
    if len(set(mins)) != len(mins):
        add("error", "grade-overlap", "two grade bands have the same lower bound", "$.grades")
    if min(mins) > 0:
        add("error", "grade-gap", f"no grade for totals below {min(mins):g}", "$.grades")
    if max(mins) > t.total_weight:
        add("warning", "grade-unreachable", f"a grade needs {max(mins):g}, above the total weight", "$.grades")
    return out


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]
