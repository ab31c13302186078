"""The rule library: each rule kind defined once, in its own module.

Each kind gives a Python scorer (``Rule.score``), an Excel formula built from
functions Excel 2010, WPS and LibreOffice share (``Rule.formula``) and the
metadata a UDF needs (``udf_name``, ``udf_help``, ``slots``).
"""

from __future__ import annotations

from ..model import Input, Node, Template
from .bands import Bands
from .base import Problem, Rule, Slot
from .checklist import Checklist
from .compose import Compose
from .deduct import Deduct
from .grade import Grade
from .linear import Linear
from .manual import Manual
from .open import Open
from .ratio import Ratio
from .yes_no import YesNo

RULES: dict[str, Rule] = {r.kind: r for r in (Ratio(), Linear(), Bands(), Deduct(), Checklist(), Grade(), YesNo(), Manual(), Open(),
                                            Compose())}


def rule_for(leaf: Node) -> Rule:
    try:
        return RULES[leaf.kind]
    except KeyError:
        raise KeyError(f"unknown rule kind {leaf.kind!r} (known: {', '.join(RULES)})") from None


def entry_inputs(t: Template) -> list[Input]:
    """The cells the department types in the 自评表 itself, one per leaf slot."""
    out: list[Input] = []
    for leaf in t.leaves():
        out.extend(rule_for(leaf).entry_inputs(leaf))
    return out


def all_inputs(t: Template) -> list[Input]:
    """基础数据 inputs, then the 自评表 entry cells."""
    return list(t.inputs) + entry_inputs(t)


__all__ = ["RULES", "Rule", "Slot", "Problem", "rule_for", "entry_inputs", "all_inputs"]
