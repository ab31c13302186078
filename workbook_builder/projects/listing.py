"""The bureau's 项目清单 (xlsx or csv) and, optionally, its 绩效指标 table: projects by department.

项目清单: one row per project — 部门, 项目名称, optional 主管部门, 实施单位, 年初预算数, 全年预算数,
全年执行数 (万元; a 元 or 亿元 header is converted) and 预期目标. 绩效指标 (optional): one row per
indicator — 部门, 项目名称, 一级指标, 二级指标, 三级指标, 指标性质 (or a 年度指标值 such as ≥95%),
年度指标值, 分值. Files are read as the bureau's other files are (tables.py): encodings, title rows,
Chinese and full-width headers; every problem is reported with its row, and nothing is built
while any remains.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import tables
from ..crosscheck import failures, message
from ..model import Input
from ..prefill import _UNIT, coerce
from ..rules.open import NATURES
from ..tables import fold
from .form import ProjectForm
from .project import Project, Row, check, fund_id, instantiate

PROJECT_COLUMNS = {"部门": "department", "部门名称": "department", "单位名称": "department", "项目名称": "name",
                   "主管部门": "owner", "实施单位": "unit", "年初预算数": "initial", "全年预算数": "year",
                   "全年执行数": "executed", "预期目标": "goal", "年度总体目标": "goal"}
INDICATOR_COLUMNS = {"部门": "department", "部门名称": "department", "单位名称": "department", "项目名称": "project",
                     "一级指标": "level1", "二级指标": "level2", "三级指标": "name", "指标性质": "nature",
                     "年度指标值": "target", "指标值": "target", "分值": "weight", "单位": "unit", "计量单位": "unit"}
_TARGET = re.compile(r"^(≥|>=|≤|<=|=)?(-?\d+(?:\.\d+)?)(%?)(.*)$")
_OPS = {">=": "≥", "<=": "≤", "≥": "≥", "≤": "≤", "=": "="}


class ListError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


_TOTALS = {fold(x) for x in ("合计", "总计", "小计")}


@dataclass
class Listed:
    """A department's projects and each project's prefilled values (fund figures)."""

    projects: list[Project] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)


def _columns(table: tables.Table, names: dict[str, str]) -> dict[str, tuple[int, str]]:
    """column key -> (index, unit in the header)."""
    out: dict[str, tuple[int, str]] = {}
    folded = {fold(k): v for k, v in names.items()}
    for i, h in enumerate(table.headers):
        f = fold(h)
        m = _UNIT.match(f)
        base, unit = (m.group(1), m.group(2)) if m else (f, "")
        key = folded.get(base)
        if key and key not in out:
            out[key] = (i, unit)
    return out


def _get(row: list[Any], cols: dict, key: str) -> Any:
    if key not in cols or cols[key][0] >= len(row):
        return None
    v = row[cols[key][0]]
    return None if v is None or (isinstance(v, str) and not v.strip()) else v


def _text(v: Any) -> str:
    return "" if v is None else unicodedata.normalize("NFKC", str(v)).strip()


def read_listing(form: ProjectForm, path: Path, indicators: Path | None = None) -> dict[str, Listed]:
    """Projects by department, in the order listed; ListError with every problem (Chinese, with rows)."""
    problems: list[str] = []
    t = tables.read(path, lambda h: "项目名称" in h and any(x in h for x in ("部门", "部门名称", "单位名称")))
    cols = _columns(t, PROJECT_COLUMNS)
    if "department" not in cols:
        raise ListError([f"{t.source} 缺少“部门”列"])
    out: dict[str, Listed] = {}
    seen: dict[tuple[str, str], int] = {}
    checks = instantiate(form, Project("清单"))  # the fund figures' cross-checks and labels
    for rownum, row in t.rows:
        where = f"{t.source} 第{rownum}行"
        dept, name = _text(_get(row, cols, "department")), str(_get(row, cols, "name") or "").strip()
        if not dept and not name or {fold(dept), fold(name)} & _TOTALS:
            continue  # blank and 合计 rows
        if not dept or not name:
            problems.append(f"{where}：部门和项目名称都要填写")
            continue
        if (dept, name) in seen:
            problems.append(f"{where}：{dept}的项目“{name}”与第{seen[(dept, name)]}行重复")
            continue
        seen[(dept, name)] = rownum
        values: dict[str, Any] = {}
        for key, label in (("initial", "年初预算数"), ("year", "全年预算数"), ("executed", "全年执行数")):
            v = _get(row, cols, key)
            if v is None:
                continue
            inp = Input(fund_id("total", key), label, type="money", unit="万元", min=0.0)
            try:
                values[inp.id] = coerce(inp, v, cols[key][1])
            except ValueError as e:
                problems.append(f"{where}：{label} {e}")
        problems += [f"{where}：{message(checks, c)}" for c in failures(checks, values)]
        p = Project(name=name, owner=_text(_get(row, cols, "owner")), unit=_text(_get(row, cols, "unit")),
                    goal=_text(_get(row, cols, "goal")))
        listed = out.setdefault(dept, Listed())
        listed.projects.append(p)
        listed.values.append(values)
    if indicators is not None:
        problems += _read_indicators(form, indicators, out)
    for dept, listed in out.items():
        for p in listed.projects:
            problems += [f"{dept}·{p.name}：{x}" for x in check(form, p)]
    if problems:
        raise ListError(problems)
    if not out:
        raise ListError([f"{t.source} 中没有项目"])
    return out


def _read_indicators(form: ProjectForm, path: Path, out: dict[str, Listed]) -> list[str]:
    problems = []
    t = tables.read(path, lambda h: "三级指标" in h and "项目名称" in h)
    cols = _columns(t, INDICATOR_COLUMNS)
    projects = {(d, p.name): p for d, listed in out.items() for p in listed.projects}
    for rownum, row in t.rows:
        where = f"{t.source} 第{rownum}行"
        dept, pname = _text(_get(row, cols, "department")), str(_get(row, cols, "project") or "").strip()
        p = projects.get((dept, pname))
        if p is None:
            problems.append(f"{where}：项目清单中没有{dept}的项目“{pname}”")
            continue
        nature = _OPS.get(_text(_get(row, cols, "nature")), _text(_get(row, cols, "nature")))
        target = _get(row, cols, "target")
        unit = _text(_get(row, cols, "unit"))
        value, text = None, ""
        if isinstance(target, (int, float)) and not isinstance(target, bool):
            value = float(target)
        else:
            s = _text(target).replace(" ", "")
            m = _TARGET.match(s)
            if m and nature != "定性":
                nature = nature or _OPS.get(m.group(1) or "", "")
                value = float(m.group(2)) / (100 if m.group(3) else 1)
                unit = "%" if m.group(3) else (m.group(4) or unit)
            else:
                text, nature = s, nature or "定性"
        if nature not in NATURES:
            problems.append(f"{where}：指标性质“{nature}”应为 {'、'.join(NATURES)} 之一（或在年度指标值前写 ≥、≤、=）")
            continue
        weight = _get(row, cols, "weight")
        try:
            w = float(weight)
        except (TypeError, ValueError):
            problems.append(f"{where}：分值“{_text(weight)}”不是数字")
            continue
        p.rows.append(Row(_text(_get(row, cols, "level1")), _text(_get(row, cols, "level2")),
                          _text(_get(row, cols, "name")), nature, w, target=value, target_text=text, unit=unit))
    for p in projects.values():  # the sheet lists rows by 一级 and 二级, in the form's order
        order = {(a.name, g): (i, j) for i, a in enumerate(form.allotments) for j, g in enumerate(a.groups)}
        p.rows.sort(key=lambda r: order.get((r.level1, r.level2), (99, 99)))
    return problems
