from workbook_builder.model import Actual, Node, Target
from workbook_builder.rules import rule_for


def leaf(kind, weight=10, op=None, target=None, atype="number", **params):
    t = Target(op=op, value=target) if op else None
    return Node(id="x", name="x", weight=weight, target=t, actual=Actual("entry", type=atype),
                rule={"kind": kind, **params})


def score(n, **values):
    return rule_for(n).score(n, values)
