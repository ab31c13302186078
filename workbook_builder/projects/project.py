"""One project's data (from the 项目清单 or typed by the department) and its model ``Template``.

A project's indicators come from its 绩效目标申报表. Prefilled rows become locked leaves scored by
the ratio rule (≥ ≤ =) or the level-range grade rule (定性); a 二级指标 with no prefilled row gets
the form's ``open_rows`` rows for the department to fill (rules/open.py). The fund figures are
inputs on the project's own sheet; 执行率 = 全年执行数/全年预算数 is a derived quantity.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ..model import Actual, Check, Derived, Input, Layout, Node, Target, Template
from ..rules.open import NATURES, OPS, QUALITATIVE
from .form import ProjectForm

#: fund rows and columns of the 项目资金 block: (key, label)
FUND_ROWS = [("total", "年度资金总额"), ("fiscal", "其中：本年财政拨款"), ("carryover", "上年结转资金"), ("other", "其他资金")]
FUND_COLS = [("initial", "年初预算数"), ("year", "全年预算数"), ("executed", "全年执行数")]
MAX_ROWS = 60  # prefilled indicator rows per project
MAX_TEXT = 500


class ProjectError(ValueError):
    """A project's data that cannot make a sheet: every problem, in Chinese."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass
class Row:
    """A prefilled 三级指标 row."""

    level1: str
    level2: str
    name: str
    nature: str  # ≥ ≤ = 定性
    weight: float
    target: float | None = None  # a fraction for % rows
    target_text: str = ""  # 定性 rows: the 年度指标值 as text
    unit: str = ""


@dataclass
class Project:
    name: str
    owner: str = ""  # 主管部门
    unit: str = ""  # 实施单位
    goal: str = ""  # 年度总体目标·预期目标 ("" = typed by the department)
    rows: list[Row] = field(default_factory=list)
    max_fund: float | None = None  # 万元: no fund figure above it (the bureau's ceiling, or the department's budget)

    @classmethod
    def from_spec(cls, d: Any) -> Project:
        """The project stored by ``spec``; ProjectError for anything ``spec`` cannot have written."""
        if not isinstance(d, dict) or set(d) - _PROJECT_KEYS or not isinstance(d.get("name"), str):
            raise ProjectError(["项目信息的格式不对"])
        texts = {k: d.get(k, "") for k in ("owner", "unit", "goal")}
        rows = d.get("rows", [])
        if not all(isinstance(v, str) for v in texts.values()) or not isinstance(rows, list) or len(rows) > MAX_ROWS:
            raise ProjectError(["项目信息的格式不对"])
        cap = d.get("max_fund")
        if not (cap is None or (_real(cap) and cap > 0)):
            raise ProjectError(["项目信息的格式不对"])
        return cls(name=d["name"], rows=[_row_from_spec(r) for r in rows], max_fund=cap, **texts)

    def spec(self) -> dict[str, Any]:
        """The JSON-able form stored in the workbook's _meta (``max_fund`` only when set)."""
        out = asdict(self)
        if out["max_fund"] is None:
            del out["max_fund"]
        return out


_PROJECT_KEYS = {"name", "owner", "unit", "goal", "rows", "max_fund"}
_ROW_TEXT = ("level1", "level2", "name", "nature", "target_text", "unit")


def _real(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and abs(v) <= 1e15


def _row_from_spec(r: Any) -> Row:
    if (not isinstance(r, dict) or set(r) - set(_ROW_TEXT) - {"weight", "target"}
            or not all(isinstance(r.get(k, ""), str) for k in _ROW_TEXT) or not _real(r.get("weight"))
            or not (r.get("target") is None or _real(r["target"])) or any(k not in r for k in _ROW_TEXT[:4])):
        raise ProjectError(["项目的绩效指标信息格式不对"])
    return Row(**r)


def fund_id(row: str, col: str) -> str:
    return f"fund_{row}_{col}"


def check(form: ProjectForm, p: Project) -> list[str]:
    """Chinese problems that stop this project's sheet from being built (empty when it is fine)."""
    out = []
    if not p.name.strip():
        out.append("项目名称为空")
    for label, text in (("项目名称", p.name), ("主管部门", p.owner), ("实施单位", p.unit), ("预期目标", p.goal)):
        if len(text) > MAX_TEXT:
            out.append(f"{label}超过 {MAX_TEXT} 个字")
    if len(p.rows) > MAX_ROWS:
        out.append(f"绩效指标超过 {MAX_ROWS} 行")
    seen = set()
    for i, r in enumerate(p.rows, start=1):
        where = f"第{i}个指标（{r.name or '未命名'}）"
        a = form.allotment(r.level1)
        if a is None:
            out.append(f"{where}的一级指标“{r.level1}”不在表样中（可用：{'、'.join(x.name for x in form.allotments)}）")
        elif r.level2 not in a.groups:
            out.append(f"{where}的二级指标“{r.level2}”不属于{r.level1}（可用：{'、'.join(a.groups)}）")
        if not r.name.strip():
            out.append(f"{where}没有三级指标名称")
        elif (r.level1, r.name) in seen:
            out.append(f"{where}与前面的指标重名")
        seen.add((r.level1, r.name))
        if r.nature not in NATURES:
            out.append(f"{where}的指标性质“{r.nature}”应为 {'、'.join(NATURES)} 之一")
        elif r.nature == QUALITATIVE and not r.target_text.strip():
            out.append(f"{where}是定性指标，需要文字的年度指标值")
        elif r.nature != QUALITATIVE and r.target is None:
            out.append(f"{where}没有年度指标值（数值）")
        elif r.nature != QUALITATIVE and not _real(r.target):
            out.append(f"{where}的年度指标值应为不超过 1e15 的数值")
        if not (isinstance(r.weight, (int, float)) and 0 < r.weight <= 100):
            out.append(f"{where}的分值应大于 0")
    if p.rows:
        for a in form.allotments:
            mine = [r for r in p.rows if r.level1 == a.name]
            total = round(sum(r.weight for r in mine if isinstance(r.weight, (int, float))), 6)
            if mine and abs(total - a.weight) > 1e-6:
                out.append(f"{a.name}的分值合计为 {total:g}，应为 {a.weight:g}")
            if not mine:
                out.append(f"{a.name}没有指标（预填时每个一级指标都要有指标，合计 {a.weight:g} 分）")
    return out


def _rule_opts(form: ProjectForm, op: str) -> dict[str, Any]:
    q: dict[str, Any] = {"kind": "ratio"}
    if op == "<=" and form.reverse:
        q["reverse"] = form.reverse
    if op == "=" and form.tolerance:
        q["tolerance"] = form.tolerance
    return q


def _leaf(form: ProjectForm, r: Row, k: int) -> Node:
    pct = r.unit == "%"
    if r.nature == QUALITATIVE:
        return Node(id=f"r{k}", name=r.name, weight=float(r.weight), group=r.level2, depth=2,
                    target=Target(text=r.target_text), actual=Actual("entry", type="choice"), reason_when="below-weight",
                    rule={"kind": "grade", "levels": [dict(x) for x in form.levels]})
    op = OPS[r.nature]
    return Node(id=f"r{k}", name=r.name, weight=float(r.weight), group=r.level2, depth=2, unit=r.unit,
                target=Target(op=op, value=float(r.target), unit=r.unit),
                actual=Actual("entry", type="percent" if pct else "number"), rule=_rule_opts(form, op))


def instantiate(form: ProjectForm, p: Project) -> Template:
    """The project as a model Template (raises ProjectError with every problem)."""
    problems = check(form, p)
    if problems:
        raise ProjectError(problems)
    inputs = [Input(fund_id(r, c), f"{rl.replace('其中：', '')}·{cl}", type="money", unit="万元", min=0.0,
                    required=(r == "total" and c in ("year", "executed")))
              for r, rl in FUND_ROWS for c, cl in FUND_COLS]
    if not p.goal:
        inputs.append(Input("goal", "年度总体目标·预期目标", type="text"))
    inputs.append(Input("goal_actual", "年度总体目标·实际完成情况", type="text"))
    rate = Derived("rate", "预算执行率", f"{fund_id('total', 'executed')}/{fund_id('total', 'year')}", type="percent")
    budget_rule: dict[str, Any] = {"kind": "ratio"}
    if form.reason_below is not None:
        budget_rule["reason_below"] = form.reason_below
    budget = Node(id="budget", name="预算执行率", weight=form.fund_weight, target=Target(">=", 1.0),
                  actual=Actual("derived", "rate", type="percent"), rule=budget_rule, depth=1)
    tops = [budget]
    k = 0
    for i, a in enumerate(form.allotments, start=1):
        children = []
        for g_i, g in enumerate(a.groups, start=1):
            mine = [r for r in p.rows if r.level1 == a.name and r.level2 == g]
            for r in mine:
                k += 1
                children.append(_leaf(form, r, k))
            if not p.rows:
                for j in range(1, form.open_rows + 1):
                    rule = {"kind": "open", "levels": [dict(x) for x in form.levels]}
                    if form.reverse:
                        rule["reverse"] = form.reverse
                    if form.tolerance:
                        rule["tolerance"] = form.tolerance
                    children.append(Node(id=f"o{i}_{g_i}_{j}", name=f"{g}第{j}行", weight=0.0, group=g, depth=2,
                                         rule=rule))
        tops.append(Node(id=f"a{i}", name=a.name, weight=a.weight, children=children, depth=1))
    return Template(id=form.id, title=form.title, region=form.region, year=0, version=form.version, inputs=inputs,
                    derived=[rate], indicators=tops, grades=list(form.grades), layout=Layout(title=form.title),
                    checks=fund_checks(p.max_fund))


def fund_checks(max_fund: float | None = None) -> list[Check]:
    """元/万元 and typing mix-ups in the 项目资金 block (crosscheck.py): 全年执行数 ≤ 全年预算数, and in each
    column 本年财政拨款 + 上年结转资金 + 其他资金 = 年度资金总额 (once all four are typed); with ``max_fund``,
    no fund figure above it (an amount in 元 typed as 万元)."""
    out = [Check("le", left=fund_id("total", "executed"), right=fund_id("total", "year"))]
    for c, _ in FUND_COLS:
        out.append(Check("sum", parts=[fund_id(r, c) for r, _ in FUND_ROWS[1:]], total=fund_id("total", c),
                         tolerance=0.01))
    if max_fund is not None:
        out += [Check("cap", left=fund_id(r, c), factor=max_fund) for r, _ in FUND_ROWS for c, _ in FUND_COLS]
    return out


_SHEET_BAD = re.compile(r"[\[\]:*?/\\'\x00-\x1f]")


def sheet_names(projects: list[Project]) -> list[str]:
    """One sheet name per project: ``01 项目名称`` cut to Excel's 31 characters, unique."""
    out = []
    for i, p in enumerate(projects, start=1):
        name = _SHEET_BAD.sub("_", p.name).strip() or "项目"
        out.append(f"{i:02d} {name}"[:31].rstrip())
    return out
