"""The template model: an indicator system (指标体系) as plain dataclasses.

Builder, engine, reader and UDFs all work from these objects; nothing else
describes an indicator system.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

INPUT_TYPES = ("number", "percent", "money", "integer", "text", "choice", "date")
NUMERIC_TYPES = ("number", "percent", "money", "integer")
OPS = (">=", "<=", "=")
#: a percent input's range unless the template sets one: −100 % to 1000 % (rates of change may be
#: negative; 95 typed for 95 %, or −5 for −5 %, is refused with the way to type it)
PERCENT_RANGE = (-1.0, 10.0)
#: the range a number cell accepts when its input states none (the workbook's data validation, cells.py)
NUMBER_RANGE = (-1e12, 1e12)
OP_TEXT = {">=": "≥", "<=": "≤", "=": "="}


@dataclass
class Input:
    """A value the department types: on the 基础数据 sheet, or an entry cell of the 自评表."""

    id: str
    label: str
    type: str = "number"
    unit: str = ""
    min: float | None = None
    max: float | None = None
    choices: list[str] = field(default_factory=list)
    required: bool = True
    help: str = ""
    #: None for 基础数据 inputs; the owning leaf id for 自评表 entry cells
    leaf: str | None = None
    #: for entry cells: which slot of the leaf ('actual', 'target', 'score')
    slot: str | None = None

    def __post_init__(self):
        if self.type == "percent":
            self.min = PERCENT_RANGE[0] if self.min is None else self.min
            self.max = PERCENT_RANGE[1] if self.max is None else self.max

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def bounds(self) -> tuple[float, float]:
        """The range the input's cell accepts (its data validation): min/max, else NUMBER_RANGE."""
        return (NUMBER_RANGE[0] if self.min is None else self.min, NUMBER_RANGE[1] if self.max is None else self.max)


@dataclass
class Derived:
    """A quantity computed from inputs (在职人员控制率 = 在职人数/编制数)."""

    id: str
    label: str
    expr: str
    unit: str = ""
    type: str = "percent"
    help: str = ""


@dataclass
class Target:
    """年度指标值: a comparison, a number (fixed or typed by the department) and/or a text."""

    op: str | None = None
    value: float | None = None
    entry: bool = False
    text: str = ""
    unit: str = ""

    def display(self, percent: bool) -> str:
        if self.text:
            return self.text
        if self.value is None:
            return ""
        v = self.value * 100 if percent else self.value
        num = f"{v:g}"
        return f"{OP_TEXT.get(self.op or '', '')}{num}{'%' if percent else ''}"


@dataclass
class Actual:
    """Where a leaf's 实际完成值 comes from."""

    source: str = "entry"  # entry | input | derived
    ref: str | None = None  # input or derived id
    type: str = "number"  # entry type: number, percent, integer, money, choice
    label: str = ""


@dataclass
class Node:
    """An indicator at any level; a leaf carries a rule."""

    id: str
    name: str
    weight: float
    children: list[Node] = field(default_factory=list)
    criteria: str = ""  # 评分标准
    explanation: str = ""  # 指标解释
    unit: str = ""
    target: Target | None = None
    actual: Actual | None = None
    rule: dict[str, Any] | None = None
    note: str = ""  # a decision taken where the seed is ambiguous
    #: a display grouping between the node and its parent (the project form's 二级指标), not a node
    group: str = ""
    depth: int = 1
    path: str = ""  # $.indicators[0].children[2] in the template file
    #: when a 扣分原因 is required: "not-achieved" (the indicator missed its target or level) or the
    #: template's stricter "below-weight" (any score below the weight)
    reason_when: str = "not-achieved"
    #: values derived from the node alone (its rule's slots), memoised by the rule library
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def kind(self) -> str:
        return (self.rule or {}).get("kind", "")

    def walk(self) -> Iterator[Node]:
        yield self
        for c in self.children:
            yield from c.walk()

    def leaves(self) -> Iterator[Node]:
        for n in self.walk():
            if n.is_leaf:
                yield n


@dataclass
class Check:
    """A cross-field check of 基础数据 that catches 元/万元 and typing mix-ups (see crosscheck.py).

    ``le``: left ≤ right × factor (执行数 ≤ 预算数); ``sum``: the parts add up to total within tolerance;
    ``cap``: left ≤ factor (a project fund's ceiling).
    """

    kind: str
    left: str = ""
    right: str = ""
    factor: float = 1.0
    parts: list[str] = field(default_factory=list)
    total: str = ""
    tolerance: float = 0.01
    path: str = ""


@dataclass
class GradeBand:
    name: str
    min: float  # inclusive lower bound of the total


@dataclass
class Column:
    key: str
    header: str
    width: float = 10


@dataclass
class Layout:
    """How the 自评表 looks: column order and headers, title, optional budget block."""

    title: str = "部门整体支出绩效自评表"
    columns: list[Column] = field(default_factory=list)
    budget_block: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Template:
    id: str
    title: str
    region: str
    year: int
    version: str
    inputs: list[Input]
    derived: list[Derived]
    indicators: list[Node]
    grades: list[GradeBand]
    layout: Layout
    description: str = ""
    decisions: list[str] = field(default_factory=list)  # for template authors (docs)
    source_path: str = ""
    guide_notes: list[str] = field(default_factory=list)  # for the department (填报说明)
    #: a 扣分原因 shorter than this (characters, spaces not counted) is reported as a warning
    reason_min_length: int = 4
    checks: list[Check] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def nodes(self) -> Iterator[Node]:
        for n in self.indicators:
            yield from n.walk()

    def leaves(self) -> Iterator[Node]:
        for n in self.indicators:
            yield from n.leaves()

    @cached_property
    def depth(self) -> int:
        return max(n.depth for n in self.nodes())

    @property
    def total_weight(self) -> float:
        return sum(n.weight for n in self.indicators)

    def node(self, node_id: str) -> Node:
        for n in self.nodes():
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def grade_for(self, total: float) -> str:
        for band in sorted(self.grades, key=lambda b: -b.min):
            if total >= band.min:
                return band.name
        return self.grades[-1].name if self.grades else ""
