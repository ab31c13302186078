"""Hypothesis strategies for template inputs: blanks, zeros, boundaries, over-achievement, every level."""

from __future__ import annotations

from hypothesis import strategies as st

from workbook_builder.model import Template
from workbook_builder.rules import rule_for


def _edges(leaf) -> list[float]:
    p = leaf.rule or {}
    pts = []
    for b in p.get("bands", []):
        pts += [b[k] for k in ("min", "max") if k in b]
    for k in ("threshold", "floor", "full"):
        if k in p:
            pts.append(p[k])
    if leaf.target and leaf.target.value is not None:
        pts.append(leaf.target.value)
    if "per" in p:  # whole and half steps either side of a deduct threshold
        pts += [round(p["threshold"] + sgn * p["per"] * k, 6) for k in (0.5, 1, 1.5, 2.5, 3) for sgn in (1, -1)]
    out = list(pts)
    for x in pts[:8]:
        out += [x, round(x - 0.01, 6), round(x + 0.01, 6), round(x * 1.31, 6), round(x * 2, 6)]
    return out or [0.0, 1.0]


def number(edges: list[float], lo=-0.5, hi=2.5) -> st.SearchStrategy:
    return st.one_of(
        st.none(), st.just(0.0), st.sampled_from(edges),
        st.integers(int(lo * 10000), int(hi * 10000)).map(lambda i: i / 10000),
    )


def values_for(t: Template) -> st.SearchStrategy:
    """A dict of values for every input and entry cell of the template."""
    parts = {}
    for i in t.inputs:
        if i.type == "integer":
            parts[i.id] = st.one_of(st.none(), st.integers(0, 30).map(float))
        elif i.numeric:
            parts[i.id] = st.one_of(st.none(), st.just(0.0), st.integers(0, 2000).map(lambda x: x / 10))
    for leaf in t.leaves():
        for s in rule_for(leaf).slots(leaf):
            key = f"{leaf.id}.{s.name}"
            if s.name == "actual" and leaf.actual and leaf.actual.source != "entry":
                continue
            if s.name == "target" and not (leaf.target and leaf.target.entry):
                continue
            if s.type == "choice":
                parts[key] = st.one_of(st.none(), st.sampled_from(list(s.choices)))
            elif s.type == "integer":
                parts[key] = st.one_of(st.none(), st.integers(0, 7).map(float))
            elif s.name == "score":
                parts[key] = st.one_of(st.none(), st.integers(-100, int(leaf.weight * 100) + 100).map(lambda x: x / 100))
            elif s.name == "target":
                parts[key] = st.one_of(st.none(), st.just(0.0), st.integers(1, 2000).map(lambda x: x / 100))
            else:
                hi = 1500.0 if s.type != "percent" and (leaf.target and (leaf.target.value or 0) > 5) else 2.5
                parts[key] = number(_edges(leaf), hi=hi)
    return st.fixed_dictionaries(parts)
