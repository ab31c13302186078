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
        return f"{'错误' if self.severity == 'error' else '警告'} [{self.code}] {self.message} @ {place(self.path)}"


#: a location's last part in a bureau's 指标体系 workbook ("指标体系 第5行.rule"), as the bureau names it
_FIELDS = {".rule.kind": " 计分方法", ".rule": " 计分方法", ".weight": " 分值", ".actual": " 实际值", ".id": " 编号",
           ".target": " 年度指标值", ".name": " 指标名称", ".criteria": " 评分标准", ".expr": " 计算公式"}


def place(path: str) -> str:
    """A location in Chinese where it is a workbook's (YAML paths such as $.indicators[0] stay as they are)."""
    if not path or path.startswith("$"):
        return path
    for k, v in _FIELDS.items():
        if path.endswith(k):
            return path[: -len(k)] + v
    return path


def check_template(t: Template) -> list[Issue]:
    out: list[Issue] = []
    add = lambda sev, code, msg, path: out.append(Issue(sev, code, msg, path))  # noqa: E731

    if not math.isclose(t.total_weight, 100, abs_tol=EPS):
        add("error", "total-not-100", f"一级指标分值合计 {t.total_weight:g}，不是 100", "$.indicators")
    seen: dict[str, str] = {}
    for n in t.nodes():
        if n.id in seen:
            add("error", "duplicate-id", f"编号 {n.id} 与 {seen[n.id]} 重复", n.path + ".id")
        seen[n.id] = n.path
        if n.children:
            s = sum(c.weight for c in n.children)
            if not math.isclose(s, n.weight, abs_tol=1e-6):
                add("error", "weights-mismatch", f"“{n.name}”的下级分值合计 {s:g}，与其分值 {n.weight:g} 不符", n.path + ".weight")
            continue
        if n.kind not in RULES:
            add("error", "unknown-rule", f"未知的计分方法 {n.kind}", n.path + ".rule.kind")
            continue
        for p in RULES[n.kind].check(n):
            add(p.severity, "rule-params", f"{n.name}: {p.message}", n.path + ".rule")
        if n.weight <= 0:
            add("warning", "zero-weight", f"“{n.name}”分值为 0，不影响总分", n.path + ".weight")
    input_ids = {i.id for i in t.inputs}
    derived_ids = {d.id for d in t.derived}
    numeric_inputs = {i.id for i in t.inputs if i.numeric}
    for c in t.checks:
        from .crosscheck import items
        for name in items(c):
            if name not in numeric_inputs:
                add("error", "check-unknown-input", f"校验规则引用的 {name} 不是数值型的基础数据项", c.path)
    for i, inp in enumerate(t.inputs):
        if inp.id in seen:
            add("error", "duplicate-id", f"基础数据编号 {inp.id} 与指标编号重复", f"$.inputs[{i}].id")
        if inp.type == "choice" and not inp.choices:
            add("error", "choice-without-choices", f"选择项 {inp.id} 没有列出可选项", f"$.inputs[{i}]")
        if inp.min is not None and inp.max is not None and inp.min > inp.max:
            add("error", "bad-range", f"基础数据 {inp.id} 的下限大于上限", f"$.inputs[{i}]")
    if len(input_ids) != len(t.inputs):
        add("error", "duplicate-id", "基础数据编号有重复", "$.inputs")
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
                add("error", "undeclared-input", f"计算指标 {d.id} 用到的 {name} 既不是基础数据，也不是前面定义的计算指标", f"$.derived[{i}].expr")
        used.update(names)
        known.add(d.id)
    for n in t.leaves():
        a = n.actual
        if a and a.source == "input":
            used.add(a.ref)
            if a.ref not in input_ids:
                add("error", "undeclared-input", f"“{n.name}”读取的基础数据 {a.ref} 没有定义", n.path + ".actual")
        if a and a.source == "derived":
            used.add(a.ref)
            if a.ref not in derived_ids:
                add("error", "undeclared-input", f"“{n.name}”读取的计算指标 {a.ref} 没有定义", n.path + ".actual")
    budget = (t.layout.budget_block or {}).get("rows", [])
    for row in budget:
        for k in ("initial", "year", "executed", "rate"):
            if k in row:
                used.add(row[k])
                if row[k] not in input_ids | derived_ids:
                    add("error", "undeclared-input", f"资金表的“{row.get('label')}”一行引用的 {row[k]} 没有定义", "$.layout.budget_block")
    for i, inp in enumerate(t.inputs):
        if inp.id not in used:
            add("warning", "unused-input", f"基础数据 {inp.id}（{inp.label}）没有被任何得分用到", f"$.inputs[{i}]")
    for i, d in enumerate(t.derived):
        if d.id not in used:
            add("warning", "unused-derived", f"计算指标 {d.id}（{d.label}）没有被任何得分用到", f"$.derived[{i}]")
    mins = [g.min for g in t.grades]
    if len(set(mins)) != len(mins):
        add("error", "grade-overlap", "两个评价等级的下限相同", "$.grades")
    if min(mins) > 0:
        add("error", "grade-gap", f"总分低于 {min(mins):g} 时没有对应的评价等级", "$.grades")
    if max(mins) > t.total_weight:
        add("warning", "grade-unreachable", f"有一个评价等级需要 {max(mins):g} 分，高于满分", "$.grades")
    return out


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]
