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
from ..prefill import MAX_PROBLEMS, MONEY, coerce, split_header
from ..rules.open import NATURES
from ..tables import fold
from ..textcheck import text_problem
from .form import ProjectForm
from .project import FUND_COLS, FUND_ROWS, Project, Row, check, fund_id, instantiate

PROJECT_COLUMNS = {"部门": "department", "部门名称": "department", "单位名称": "department", "部门(单位)名称": "department",
                   "预算单位": "department", "预算单位名称": "department", "部门单位名称": "department", "项目名称": "name",
                   "主管部门": "owner", "实施单位": "unit", "预期目标": "goal", "年度总体目标": "goal",
                   "部门预算总额": "budget", "部门预算": "budget", "部门全年预算数": "budget", "部门年度预算": "budget"}
INDICATOR_COLUMNS = {"部门": "department", "部门名称": "department", "单位名称": "department", "项目名称": "project",
                     "一级指标": "level1", "二级指标": "level2", "三级指标": "name", "指标性质": "nature",
                     "年度指标值": "target", "指标值": "target", "分值": "weight", "单位": "unit", "计量单位": "unit"}
#: the fund block's rows and columns as a list's headers name them (a row alone means its 全年预算数)
FUND_ROW_NAMES = {"年度资金总额": "total", "资金总额": "total", "合计": "total", "本年财政拨款": "fiscal", "财政拨款": "fiscal",
                  "上年结转资金": "carryover", "上年结转": "carryover", "结转资金": "carryover", "其他资金": "other"}
FUND_COL_NAMES = {"年初预算数": "initial", "年初预算": "initial", "全年预算数": "year", "全年预算": "year",
                  "调整后预算数": "year", "全年执行数": "executed", "执行数": "executed", "预算执行数": "executed",
                  "实际执行数": "executed", "全年实际支出": "executed"}
#: the ceiling of one project's fund (万元) unless the bureau sets another (``--max-fund``): 10 亿元
DEFAULT_MAX_FUND = 100_000.0
_TARGET = re.compile(r"^(≥|>=|≤|<=|=|＞＝|＜＝|＝)?\s*([-－]?[0-9０-９]+(?:[.．][0-9０-９]+)?)\s*([%％]?)(.*)$", re.DOTALL)
_OPS = {">=": "≥", "<=": "≤", "≥": "≥", "≤": "≤", "=": "="}
_FUND_LABELS = {fund_id(r, c): f"{rl.replace('其中：', '')}·{cl}" for r, rl in FUND_ROWS for c, cl in FUND_COLS}


class ListError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Listed:
    """A department's projects and each project's prefilled values (fund figures)."""

    projects: list[Project] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)


def _fund(header: str) -> tuple[str, str] | None:
    """(fund row, fund column) a header names: 全年预算数, 本年财政拨款, 全年执行数·上年结转资金 …"""
    cands, _ = split_header(header)
    rows = {fold(k): v for k, v in FUND_ROW_NAMES.items()}
    cols = {fold(k): v for k, v in FUND_COL_NAMES.items()}
    for f in cands:
        f = re.sub(r"其中:?|资金来源|:", "", f)
        if f in cols:
            return "total", cols[f]
        if f in rows:
            return rows[f], "year"
        for r, rk in rows.items():
            for c, ck in cols.items():
                if f in (r + c, c + r):
                    return rk, ck
    return None


def _columns(table: tables.Table, names: dict[str, str], funds: bool = False) -> tuple[dict[str, tuple[int, str]],
                                                                                      list[int]]:
    """column key -> (index, unit in the header), and the columns no key names."""
    out: dict[str, tuple[int, str]] = {}
    unknown = []
    folded = {fold(k): v for k, v in names.items()}
    for i, h in enumerate(table.headers):
        if not fold(h):
            continue
        cands, unit = split_header(h)
        key = next((folded[c] for c in cands if c in folded), None)
        if key is None and funds and (f := _fund(h)):
            key = fund_id(*f)
        if key is None:
            unknown.append(i)
        elif key not in out:
            out[key] = (i, unit)
    return out, unknown


def _unknown(t: tables.Table, unknown: list[int], notes: list[str]) -> list[str]:
    """Problems for unknown columns that hold data (the run stops); the others are noted once."""
    problems, ignored = [], []
    for i in unknown:
        h = t.headers[i]
        why = tables.unknown_column(h, [r[i] for _, r in t.rows if i < len(r)])
        if why is None:
            ignored.append(h)
        else:
            problems.append(f"{t.source} 第{t.header_row}行 [{h}]：未知的列（{why}），这一列的数据会丢失。请把表头改为"
                            "清单的列名（见 docs/projects.md），或删除这一列")
    if ignored:
        notes.append(f"{t.source} 以下列与项目无关，已忽略：{'、'.join(ignored)}")
    return problems


def _get(row: list[Any], cols: dict, key: str) -> Any:
    if key not in cols or cols[key][0] >= len(row):
        return None
    v = row[cols[key][0]]
    return None if tables._blank(v) else v


def _text(v: Any) -> str:
    """A name or text as typed (only the ends trimmed): folding is for matching, never for writing."""
    return "" if v is None else str(v).strip()


class _Problems(list):
    """The first ``MAX_PROBLEMS`` problems kept; ``total`` counts them all."""

    def __init__(self):
        super().__init__()
        self.total = 0

    def append(self, p) -> None:  # type: ignore[override]
        self.total += 1
        if len(self) < MAX_PROBLEMS:
            super().append(p)

    def __iadd__(self, ps):  # type: ignore[override]
        for p in ps:
            self.append(p)
        return self


def read_listing(form: ProjectForm, path: Path, indicators: Path | None = None, *, header_row: int | None = None,
                 option: str | None = None, max_fund: float | None = None,
                 notes: list[str] | None = None) -> dict[str, Listed]:
    """Projects by department, in the order listed; ListError with every problem (Chinese, with rows).

    ``header_row`` is the list's header row (found when None) and ``option`` the command's option that
    gives it (named when no header is found); ``max_fund`` the ceiling of one project's fund in 万元
    (DEFAULT_MAX_FUND when None); ``notes`` receives what was left out on purpose (columns, 合计 rows)."""
    problems = _Problems()
    notes = [] if notes is None else notes
    ceiling = DEFAULT_MAX_FUND if max_fund is None else max_fund
    depts = tuple(fold(k) for k, v in PROJECT_COLUMNS.items() if v == "department")
    t = tables.read(path, lambda h: "项目名称" in h and any(x in h for x in depts), header_row=header_row,
                    need="“部门”和“项目名称”两列", option=option,
                    missing=lambda h: "项目名称" if any(x in h for x in depts) else "部门" if "项目名称" in h else None)
    cols, unknown = _columns(t, PROJECT_COLUMNS, funds=True)
    for key, label in (("department", "部门"), ("name", "项目名称")):
        if key not in cols:
            raise ListError([f"{t.source} 第{t.header_row}行的表头缺少“{label}”列" +
                             (f"（可用 {option} 指定表头所在行）" if option else "")])
    problems += _unknown(t, unknown, notes)
    for k, (i, unit) in list(cols.items()):
        if (k.startswith("fund_") or k == "budget") and unit and unit not in MONEY:
            del cols[k]  # the whole column is refused once, not in every row
            problems.append(f"{t.source} 第{t.header_row}行 [{t.headers[i]}]：表头的单位“{unit}”不是金额单位"
                            "（万元、元、千元、亿元），请换算后改为“（万元）”")
    title_unit = tables.stated_unit(t.titles, t.source)
    out: dict[str, Listed] = {}
    names: dict[str, str] = {}  # folded department -> as first typed
    seen: dict[tuple[str, str], int] = {}
    budgets: dict[str, float] = {}
    checks = instantiate(form, Project("清单"))  # the fund figures' cross-checks and labels
    money = [k for k in cols if k.startswith("fund_") or k == "budget"]
    for rownum, row in t.rows:
        where = f"{t.source} 第{rownum}行"
        dept, name = _text(_get(row, cols, "department")), _text(_get(row, cols, "name"))
        if tables.total_row([dept, name, *row]):
            notes.append(f"{where}是合计行，已跳过")
            continue
        if not dept and not name:
            continue  # blank rows
        if not dept or not name:
            problems.append(f"{where}：部门和项目名称都要填写")
            continue
        texts = [(label, _text(_get(row, cols, key)), key == "goal") for key, label in
                 (("department", "部门"), ("name", "项目名称"), ("owner", "主管部门"), ("unit", "实施单位"),
                  ("goal", "预期目标"))]
        bad = [x for label, v, breaks in texts if (x := text_problem(v, label, breaks))]
        if bad:
            problems += [f"{where}：{x}" for x in bad]
            continue
        key = (fold(dept), fold(name))
        if key in seen:
            problems.append(f"{where}：{dept}的项目“{name}”与第{seen[key]}行重复")
            continue
        seen[key] = rownum
        dept = names.setdefault(fold(dept), dept)
        values: dict[str, Any] = {}
        budget = None
        for k in money:
            v = _get(row, cols, k)
            if v is None:
                continue
            label = "部门预算总额" if k == "budget" else _FUND_LABELS[k]
            inp = Input(k, label, type="money", unit="万元", min=0.0)
            try:
                x = coerce(inp, v, cols[k][1] or title_unit)
            except ValueError as e:
                problems.append(f"{where} [{t.headers[cols[k][0]]}]：{e}")
                continue
            if k == "budget":
                budget = x
            else:
                values[k] = x
        if budget is not None:
            budgets.setdefault(fold(dept), budget)
        budget = budgets.get(fold(dept))
        for k, x in values.items():
            if x > ceiling:
                problems.append(f"{where} [{t.headers[cols[k][0]]}]：{_FUND_LABELS[k]} {x:g} 万元超过一个项目的上限 "
                                f"{ceiling:g} 万元：是否把元填在了万元的列中？确为大额项目时用 --max-fund 万元数 提高上限")
            elif budget is not None and x > budget + 1e-9:
                problems.append(f"{where} [{t.headers[cols[k][0]]}]：{_FUND_LABELS[k]} {x:g} 万元超过本部门的预算总额 "
                                f"{budget:g} 万元：是否把元填在了万元的列中？")
        problems += [f"{where}：{message(checks, c)}" for c in failures(checks, values)]
        p = Project(name=name, owner=_text(_get(row, cols, "owner")), unit=_text(_get(row, cols, "unit")),
                    goal=_text(_get(row, cols, "goal")), max_fund=min(ceiling, budget) if budget else ceiling)
        listed = out.setdefault(dept, Listed())
        listed.projects.append(p)
        listed.values.append(values)
    if indicators is not None:
        problems += _read_indicators(form, indicators, out)
    for dept, listed in out.items():
        for p in listed.projects:
            problems += [f"{dept}·{p.name}：{x}" for x in check(form, p)]
    if problems.total:
        more = problems.total - len(problems)
        raise ListError(list(problems) + ([f"另有 {more} 处问题未列出（先改正上面的问题后再运行）"] if more else []))
    if not out:
        raise ListError([f"{t.source} 中没有项目"])
    return out


def _read_indicators(form: ProjectForm, path: Path, out: dict[str, Listed]) -> list[str]:
    problems = []
    t = tables.read(path, lambda h: "三级指标" in h and "项目名称" in h, need="“项目名称”和“三级指标”两列", option=None,
                    missing=lambda h: "三级指标" if "项目名称" in h else "项目名称" if "三级指标" in h else None)
    cols, _ = _columns(t, INDICATOR_COLUMNS)
    projects = {(fold(d), fold(p.name)): p for d, listed in out.items() for p in listed.projects}
    level1 = {fold(a.name): a for a in form.allotments}
    for rownum, row in t.rows:
        where = f"{t.source} 第{rownum}行"
        dept, pname = _text(_get(row, cols, "department")), _text(_get(row, cols, "project"))
        if tables.total_row([dept, pname, *row]):
            continue
        p = projects.get((fold(dept), fold(pname)))
        if p is None:
            problems.append(f"{where}：项目清单中没有{dept}的项目“{pname}”")
            continue
        raw = {k: _text(_get(row, cols, k)) for k in ("level1", "level2", "name", "nature", "unit")}
        target = _get(row, cols, "target")
        bad = [x for k, label in (("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标"), ("unit", "计量单位"))
               if (x := text_problem(raw[k], label))]
        if isinstance(target, str) and (x := text_problem(target.strip(), "年度指标值", breaks=True)):
            bad.append(x)
        if bad:
            problems += [f"{where}：{x}" for x in bad]
            continue
        nature = _OPS.get(fold(raw["nature"]), raw["nature"])
        unit = raw["unit"]
        value, text = None, ""
        if isinstance(target, (int, float)) and not isinstance(target, bool):
            value = float(target)
        else:
            m = _TARGET.match(_text(target))  # the unit after the number is kept as typed (㎡ stays ㎡)
            if m and nature != "定性":
                nature = nature or _OPS.get(unicodedata.normalize("NFKC", m.group(1) or ""), "")
                value = float(unicodedata.normalize("NFKC", m.group(2))) / (100 if m.group(3) else 1)
                unit = "%" if m.group(3) else (m.group(4).strip() or unit)
            else:
                text, nature = _text(target), nature or "定性"  # a 定性 target as typed
        if nature not in NATURES:
            problems.append(f"{where}：指标性质“{nature}”应为 {'、'.join(NATURES)} 之一（或在年度指标值前写 ≥、≤、=）")
            continue
        weight = _get(row, cols, "weight")
        try:
            w = float(weight)
        except (TypeError, ValueError):
            problems.append(f"{where}：分值“{_text(weight)}”不是数字")
            continue
        a = level1.get(fold(raw["level1"]))
        l1 = a.name if a else raw["level1"]  # the form's own spelling when it is the same name
        l2 = next((g for g in (a.groups if a else []) if fold(g) == fold(raw["level2"])), raw["level2"])
        p.rows.append(Row(l1, l2, raw["name"], nature, w, target=value, target_text=text, unit=unit))
    for p in projects.values():  # the sheet lists rows by 一级 and 二级, in the form's order
        order = {(a.name, g): (i, j) for i, a in enumerate(form.allotments) for j, g in enumerate(a.groups)}
        p.rows.sort(key=lambda r: order.get((r.level1, r.level2), (99, 99)))
    return problems
