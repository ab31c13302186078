"""Prefill for distribution: one row per department in a bureau's table, one workbook per row.

Nothing is silent: a bad cell is reported with its real row and column (that row is skipped); a
column that looks like data but is no item, or a unit that cannot be known, stops the run before
anything is written, and so do two rows naming one department. Administrative columns (序号, 联系人,
联系电话, 备注 …) and 合计 rows are left out and said so, once. Units: a header's (万元, %) or, for
money, the title line's (“单位：万元”); a percent typed without % is read from the header (（%） means
95 is 95%) or the cell's percent format, and refused with the way to type it where nothing says how
to read it. Numbers stay within the workbook's own validation bounds; a cross-field check of the
template (执行数 ≤ 预算数, 基本 + 项目 = 合计) catches 元/万元 mix-ups. Names are written as typed
(folding is only for matching). Headers may be input ids, input labels or the names the 自评表 shows
(职工满意度), in one row or two (年初预算数 over 基本支出 | 项目支出). At most ``MAX_PROBLEMS`` problems
are listed; the rest are counted.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from . import atomic, manifest
from .crosscheck import failures, message
from .layout import workbook_name
from .model import Input, Template
from .rules import all_inputs
from .tables import Table, TableError, fold, read, stated_unit, total_row, unknown_column
from .textcheck import text_problem
from .workers import process_pool

DEPT_COLUMNS = ("department", "部门", "部门名称", "部门(单位)名称", "单位名称", "单位", "部门单位名称", "预算单位",
                "预算单位名称")
YEAR_COLUMNS = ("year", "年度", "年份")
EXAMPLE_PREFIX = "示例"
#: 元 per unit, for converting a header's unit to the input's
MONEY = {"元": 1.0, "万元": 10_000.0, "亿元": 100_000_000.0, "千元": 1_000.0, "百元": 100.0}
#: the bounds of the workbook's own input validation (cells.py): a number beyond them is refused here too
BOUND = 1e12
#: problems listed in full; the rest are counted
MAX_PROBLEMS = 100
_UNIT = re.compile(r"^(.*?)\(([^()]*)\)$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_PERCENT_UNITS = {"%", "百分比", "百分数", "百分率"}
_DEPT = {fold(c) for c in DEPT_COLUMNS}
_YEAR = {fold(c) for c in YEAR_COLUMNS}


@dataclass
class RowProblem:
    row: int  # the spreadsheet row as the file shows it
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 [{self.column}]: {self.message}" if self.column else f"第{self.row}行: {self.message}"


class Problems(list):
    """Problems kept up to ``limit`` (the first ones, in order); ``total`` counts them all and ``rows``
    the rows they are on, so a list of 100,000 bad rows is reported in bounded memory."""

    def __init__(self, limit: int = MAX_PROBLEMS):
        super().__init__()
        self.limit, self.total, self.rows = limit, 0, set()

    def append(self, p) -> None:  # type: ignore[override]
        self.total += 1
        if isinstance(p, RowProblem):
            self.rows.add(p.row)
        if len(self) < self.limit:
            super().append(p)

    def __iadd__(self, ps):  # type: ignore[override]
        for p in ps:
            self.append(p)
        return self

    @property
    def more(self) -> int:
        return self.total - len(self)


def item_names(t: Template) -> dict[str, Input]:
    """Every header that names an input: ids, labels, and the 自评表's own names (职工满意度, 职工满意度·实际完成值)."""
    out: dict[str, Input] = {}
    leaves = {n.id: n for n in t.leaves()}
    for inp in all_inputs(t):
        names = [inp.id, inp.label]
        if inp.leaf and inp.slot == "actual":
            names.append(leaves[inp.leaf].name)
        for n in names:
            out.setdefault(fold(n), inp)
    return out


def header_label(inp: Input) -> str:
    """The header ``prefill-template`` writes for an input: its Chinese label, with its unit."""
    unit = "%" if inp.type == "percent" else inp.unit
    return f"{inp.label}（{unit}）" if unit and inp.type != "choice" else inp.label


def split_header(header: str) -> tuple[list[str], str]:
    """The folded names a header may mean (a two-row header's ``group·column`` either way round), and
    the unit it states in brackets (“全年预算数（万元）”, “（单位：元）”, a trailing %)."""
    parts, unit = [], ""
    for part in str(header).split("·"):
        f = fold(part)
        m = _UNIT.match(f)
        if m:
            f, u = m.group(1), m.group(2).removeprefix("单位:").removeprefix("单位")
            unit = unit or u
        elif f.endswith("%") and len(f) > 1:
            f, unit = f[:-1], unit or "%"
        if f:
            parts.append(f)
    names = ["".join(parts)]
    if len(parts) > 1:
        names.append("".join(reversed(parts)))
    return names, unit


def _lookup(names: dict[str, Input], header: str) -> tuple[Input | None, str]:
    f = fold(header)
    if f in names:
        return names[f], ""
    cands, unit = split_header(header)
    return next((names[c] for c in cands if c in names), None), unit


def is_header(folded: list[str]) -> bool:
    return any(c in _DEPT or _UNIT.sub(r"\1", c) in _DEPT for c in folded)


def parse_rows(t: Template, table: Table, notes: list[str] | None = None) -> tuple[list[dict], list[RowProblem]]:
    """Each good row as {row, department, year, values}; problems for every bad cell (that row is skipped).

    A problem on the header row (``row <= table.header_row``) stops the whole run: a column that looks
    like data but is no item of the template, a unit that cannot be known. ``notes`` receives what was
    left out on purpose (administrative columns, 合计 rows), once each."""
    names = item_names(t)
    problems = Problems()
    notes = [] if notes is None else notes
    dept_col = year_col = None
    columns: dict[int, tuple[Input, str]] = {}
    hr = table.header_row
    try:
        title_unit = stated_unit(table.titles, table.source)
    except TableError as e:
        return [], [RowProblem(hr, "", str(e))]
    choices = frozenset(fold(c) for i in all_inputs(t) for c in i.choices)
    ignored = []
    for i, h in enumerate(table.headers):
        f = fold(h)
        if not f:
            continue
        if (f in _DEPT or _UNIT.sub(r"\1", f) in _DEPT) and dept_col is None:  # 部门名称（全称）
            dept_col = i
            continue
        if f in _YEAR and year_col is None:
            year_col = i
            continue
        inp, unit = _lookup(names, h)
        if inp is None:
            why = unknown_column(h, [r[i] for _, r in table.rows if i < len(r)], choices)
            if why is None:
                ignored.append(h)
            else:
                problems.append(RowProblem(hr, h, f"未知的列（{why}）：不是本模板的填报项，这一列的数据会丢失。请把表头改为"
                                                  "模板的填报项名称（可用 prefill-template 生成带正确表头的名单），或删除这一列"))
            continue
        if not unit and inp.type == "money" and title_unit:
            unit = title_unit
        bad_unit = _unit_problem(inp, unit)
        if bad_unit:
            problems.append(RowProblem(hr, h, bad_unit))
            continue
        columns[i] = (inp, unit)
    if dept_col is None:
        return [], [RowProblem(hr, "", f"缺少部门名称列（{'/'.join(DEPT_COLUMNS[1:5])}）")]
    if ignored:
        notes.append(f"{table.source} 以下列与填报项无关，已忽略：{'、'.join(ignored)}")
    rows = []
    for r, cells in table.rows:
        get = lambda i: cells[i] if i < len(cells) else None  # noqa: E731
        dept = get(dept_col)
        if total_row(cells):
            notes.append(f"{table.source} 第{r}行是合计行，已跳过")
            continue
        if _blank(dept):
            if any(not _blank(get(i)) for i in columns):
                problems.append(RowProblem(r, table.headers[dept_col], "部门名称为空"))
            continue
        dept = str(dept).strip() if isinstance(dept, str) else str(dept)
        if dept.startswith(EXAMPLE_PREFIX):
            continue  # the example row of prefill-template
        before = problems.total
        bad_name = text_problem(dept, "部门名称")
        if bad_name:
            problems.append(RowProblem(r, table.headers[dept_col], bad_name))
        year = None
        if year_col is not None and not _blank(get(year_col)):
            y = str(get(year_col)).strip().removesuffix("年")
            try:
                year = int(float(y))
                if not 2000 <= year <= 2100:
                    raise ValueError
            except (ValueError, OverflowError):
                problems.append(RowProblem(r, table.headers[year_col], f"年度 {get(year_col)!r} 不是 2000～2100 之间的年份"))
        values: dict[str, Any] = {}
        for i, (inp, unit) in columns.items():
            v = get(i)
            if _blank(v):
                continue
            try:
                fmt = True if (r, i) in table.percent else None if i in table.percent_cols else False
                values[inp.id] = coerce(inp, v, unit, percent_cell=fmt)
            except ValueError as e:
                problems.append(RowProblem(r, table.headers[i], str(e)))
        for msg in cross_problems(t, values):
            problems.append(RowProblem(r, "", msg))
        if problems.total == before:
            rows.append({"row": r, "department": dept, "year": year, "values": values})
    return rows, problems


def cross_problems(t: Template, values: dict[str, Any]) -> list[str]:
    return [message(t, c) for c in failures(t, values)]


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def _show(v: Any) -> str:
    return f"“{v}”"


def _unit_problem(inp: Input, unit: str) -> str | None:
    """Why a header's unit cannot be read for this input (the whole column would be wrong), or None."""
    if not unit or unit == fold(inp.unit) or inp.choices or inp.type in ("text", "date", "choice"):
        return None
    if inp.type == "percent":
        return None if unit in _PERCENT_UNITS else f"表头的单位“{unit}”不是百分比：此项应填写百分比，请把表头改为“（%）”或去掉单位"
    if unit in _PERCENT_UNITS:
        return f"表头的单位是 %，但此项是{inp.unit or '数值'}：请检查表头"
    if inp.type == "money" and unit in MONEY and inp.unit in MONEY:
        return None
    return f"表头的单位“{unit}”无法换算为此项的单位“{inp.unit or '无'}”：请换算后把表头改为“（{inp.unit or '无单位'}）”"


def _pct(x: float) -> str:
    return f"{x:.10g}"


def _percent(v: Any, x: float, inp: Input, header_unit: str, percent_cell: bool | None) -> float:
    """A percent input's number typed without %: read from the cell's format or the header's unit,
    refused (with the way to type it) when nothing says how to read it. ``percent_cell``: True for a
    percent-formatted cell, None for a cell of a percent-formatted column (prefill-template's) without
    a format of its own."""
    if percent_cell:
        return x  # a percent-formatted cell: 0.95 is shown as 95%
    if percent_cell is None:  # the column is made for percents as Excel stores them (0.95 for 95%)
        if abs(x) <= 1:
            return x
        raise ValueError(f"{_show(v)} 在百分比格式的列中含义不明：表示 {_pct(x)}% 请填写 {_pct(x)}%；"
                         f"表示 {_pct(x * 100)}% 请填写 {_pct(x * 100)}%")
    if header_unit in _PERCENT_UNITS:
        return x / 100  # a （%） column holds percents: 95 is 95%, 9.5 is 9.5%
    if header_unit:
        raise ValueError(f"表头的单位“{header_unit}”不是百分比，此项应填写百分比（如 95% 或 0.95）")
    if abs(x) <= 1:
        return x  # 0.95 is the usual way to type 95%
    fits = inp.max is None or x / 100 <= inp.max
    hint = f"请填写 {_pct(x)}% 或 {_pct(x / 100)}（表示 {_pct(x)}%）" if fits else f"请填写 {_pct(x)}%"
    wide = f"；若表示 {_pct(x * 100)}% 请填写 {_pct(x * 100)}%" if inp.max is None or x <= inp.max else ""
    raise ValueError(f"{_show(v)} 作为百分比含义不明：{hint}{wide}（或在表头写“（%）”）")


def coerce(inp: Input, v: Any, header_unit: str = "", percent_cell: bool | None = False) -> Any:
    """A cell's value as the input's type; ValueError with a Chinese message (and how to fix it) otherwise.

    ``header_unit`` is the unit the column's header (or the title line) states; ``percent_cell`` says
    the spreadsheet shows the cell as a percent (None: its column is formatted as percent)."""
    if inp.type == "choice" or inp.choices:
        if isinstance(v, bool) and set(inp.choices) >= {"是", "否"}:
            return "是" if v else "否"
        s = unicodedata.normalize("NFKC", str(v)).strip()
        match = next((c for c in inp.choices if fold(c) == fold(s)), None)
        if match is None:
            raise ValueError(f"{_show(v)} 不在可选项（{'、'.join(inp.choices)}）中")
        return match
    if inp.type in ("text", "date"):
        bad = text_problem(str(v), "", breaks=True)
        if bad:
            raise ValueError(bad)
        return str(v)
    if isinstance(v, bool):
        raise ValueError(f"{_show(v)} 不是数值")
    unit_word = "百分数" if inp.type == "percent" else (inp.unit or "数值")
    if isinstance(v, (int, float)):
        x, pct = float(v), False
    else:
        s = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "").replace("，", "").replace(" ", "")
        pct = s.endswith("%")
        s = s.rstrip("%")
        if not _NUM.match(s):
            raise ValueError(f"{_show(v)} 不是数值，请填写数字（如 1234.5）")
        try:
            x = float(s)
        except OverflowError:
            x = math.inf
    if not math.isfinite(x):
        raise ValueError(f"{_show(v)} 不是有效的数值（超出范围），请填写 {BOUND:.0e} 以内的数字")
    if pct and inp.type != "percent":
        raise ValueError(f"{_show(v)} 是百分数，但此项的单位是{unit_word}，请填写{unit_word}金额或数量")
    if inp.type == "percent":
        x = x / 100 if pct else _percent(v, x, inp, header_unit, percent_cell)
    elif header_unit and header_unit != fold(inp.unit) and header_unit not in _PERCENT_UNITS:
        have, want = MONEY.get(header_unit), MONEY.get(inp.unit)
        if have is None or want is None:
            raise ValueError(f"表头的单位“{header_unit}”与此项的单位“{inp.unit or '无'}”不同，请换算后再填")
        x = x * have / want
    elif header_unit in _PERCENT_UNITS and inp.type == "money":
        raise ValueError(f"表头的单位是 %，但此项是金额（{inp.unit or '元'}），请检查表头")
    if inp.type == "integer" and not float(x).is_integer():
        raise ValueError(f"{_show(v)} 不是整数")
    show = (lambda y: f"{y * 100:g}%") if inp.type == "percent" else (lambda y: f"{y:g}")
    if inp.min is not None and x < inp.min:
        raise ValueError(f"{_show(v)} 小于下限 {show(inp.min)}")
    if inp.max is not None and x > inp.max:
        raise ValueError(f"{_show(v)} 大于上限 {show(inp.max)}")
    if abs(x) > BOUND:
        raise ValueError(f"{_show(v)} 超出工作簿允许的范围（±{BOUND:.0e} {inp.unit or ''}），请检查单位或位数")
    return x


def duplicates(rows: list[dict], year: int) -> list[RowProblem]:
    """Rows naming one department (the same name after folding, or the same file), same year: both named."""
    seen: dict[tuple[str, int], dict] = {}
    out = []
    for r in rows:
        y = r["year"] or year
        keys = [("name", fold(r["department"]), y), ("file", workbook_name(r["department"], y).lower(), y)]
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            out.append(RowProblem(r["row"], "", f"部门“{r['department']}”与第{first['row']}行的“{first['department']}”"
                                                 f"是同一个部门（会生成同一个文件 {workbook_name(first['department'], y)}），"
                                                 "请改名或删除一行"))
        else:
            for k in keys:
                seen[k] = r
    return out


_distributors: dict = {}


def _build_one(args) -> str:
    """One department's workbook, through a per-process Distributor (the template is rendered once)."""
    from .fastbuild import Distributor
    from .loader import load_template

    tref, row, out_dir, year, password, key = args
    t = load_template(tref)
    y = row["year"] or year or t.year
    dkey = (tref, y, password, key)
    if dkey not in _distributors:
        _distributors[dkey] = Distributor(t, y, password=password, sign_key=key)
    path = Path(out_dir) / workbook_name(row["department"], y)
    atomic.write_bytes(path, _distributors[dkey].build(row["department"], row["values"]))
    return str(path)


def build_many(t: Template, table: Path, out_dir: Path, year: int | None = None, password: str | None = None,
               sign_key: bytes | None = None, jobs: int = 1, sheet: str | None = None,
               header_row: int | None = None) -> int:
    """Exit status 0: every row built; 1: some rows skipped (reported); 2: nothing built (reported)."""
    try:
        tab = read(table, is_header, sheet=sheet, header_row=header_row)
    except TableError as e:
        print(f"错误: {e}", file=sys.stderr)
        return 2
    notes: list[str] = []
    rows, problems = parse_rows(t, tab, notes)
    for n in notes[:MAX_PROBLEMS]:
        print(f"注意: {n}")  # what was left out on purpose: not an error
    for p in problems:
        print(f"{tab.source} {p}", file=sys.stderr)
    more = problems.more if isinstance(problems, Problems) else 0
    if more:
        print(f"另有 {more} 处问题未列出（先改正上面的问题后再运行）", file=sys.stderr)
    if any(p.row <= tab.header_row for p in problems):
        print("没有生成任何文件：请先处理表头的问题。", file=sys.stderr)
        return 2
    dup = duplicates(rows, year or t.year)
    if dup:
        for p in dup[:MAX_PROBLEMS]:
            print(f"错误: {tab.source} {p}", file=sys.stderr)
        print("没有生成任何文件：请先处理重名的部门。", file=sys.stderr)
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    for line in manifest.previous(out_dir):
        print(line, file=sys.stderr)
    if rows:
        manifest.start(out_dir, [workbook_name(r["department"], r["year"] or year or t.year) for r in rows])
    tasks = [(t.source_path, r, str(out_dir), year, password, sign_key) for r in rows]
    if jobs > 1:
        with process_pool(jobs) as ex:
            done = list(tqdm(ex.map(_build_one, tasks, chunksize=8), total=len(tasks), desc="生成", unit="份"))
    else:
        done = [_build_one(x) for x in tqdm(tasks, desc="生成", unit="份")]
    manifest.finish(out_dir, done)
    skipped = len(problems.rows) if isinstance(problems, Problems) else len({p.row for p in problems})
    print(f"已生成 {len(done)} 份，跳过 {skipped} 行" + ("（见上方错误）" if problems else ""))
    return 1 if problems else 0


def read_table(path: Path, sheet: str | None = None, header_row: int | None = None) -> Table:
    return read(path, is_header, sheet=sheet, header_row=header_row)
