"""Prefill for distribution: one row per department in a bureau's table, one workbook per row.

Nothing is silent: a bad cell is reported with its real row and column (that row is skipped); two
rows that would write the same file stop the run before anything is written; a percent typed as 95
or a money amount typed as 95% is refused with the way to type it; a header's unit (万元, %) is
applied; a cross-field check of the template (执行数 ≤ 预算数, 基本 + 项目 = 合计) catches 元/万元
mix-ups. Headers may be input ids, input labels or the names the 自评表 shows (职工满意度).
"""

from __future__ import annotations

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
from .tables import Table, TableError, fold, read
from .workers import process_pool

DEPT_COLUMNS = ("department", "部门", "部门名称", "部门(单位)名称", "单位名称", "单位", "部门单位名称", "预算单位",
                "预算单位名称")
YEAR_COLUMNS = ("year", "年度", "年份")
#: columns a bureau's list often has that carry nothing to prefill
IGNORED_COLUMNS = ("序号", "编号", "备注", "说明", "no", "no.")
EXAMPLE_PREFIX = "示例"
#: 元 per unit, for converting a header's unit to the input's
MONEY = {"元": 1.0, "万元": 10_000.0, "亿元": 100_000_000.0, "千元": 1_000.0}
_UNIT = re.compile(r"^(.*?)\(([^()]*)\)$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DEPT = {fold(c) for c in DEPT_COLUMNS}
_YEAR = {fold(c) for c in YEAR_COLUMNS}
_IGNORED = {fold(c) for c in IGNORED_COLUMNS}


@dataclass
class RowProblem:
    row: int  # the spreadsheet row as the file shows it
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 [{self.column}]: {self.message}" if self.column else f"第{self.row}行: {self.message}"


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


def is_header(folded: list[str]) -> bool:
    return any(c in _DEPT for c in folded)


def parse_rows(t: Template, table: Table) -> tuple[list[dict], list[RowProblem]]:
    """Each good row as {row, department, year, values}; problems for every bad cell (that row is skipped)."""
    names = item_names(t)
    problems: list[RowProblem] = []
    dept_col = year_col = None
    columns: dict[int, tuple[Input, str]] = {}
    hr = table.header_row
    for i, h in enumerate(table.headers):
        f = fold(h)
        if not f:
            continue
        if f in _DEPT and dept_col is None:
            dept_col = i
            continue
        if f in _YEAR and year_col is None:
            year_col = i
            continue
        if f in _IGNORED:
            continue
        base, unit = f, ""
        m = _UNIT.match(f)
        if f not in names and m:
            base, unit = m.group(1), m.group(2)
        inp = names.get(base)
        if inp is None:
            problems.append(RowProblem(hr, h, "未知的列：不是本模板的填报项（可用 prefill-template 生成带正确表头的名单）"))
            continue
        columns[i] = (inp, unit)
    if dept_col is None:
        return [], [RowProblem(hr, "", f"缺少部门名称列（{'/'.join(DEPT_COLUMNS[1:5])}）")]
    rows = []
    for r, cells in table.rows:
        get = lambda i: cells[i] if i < len(cells) else None  # noqa: E731
        dept = get(dept_col)
        if _blank(dept):
            if any(not _blank(get(i)) for i in columns):
                problems.append(RowProblem(r, table.headers[dept_col], "部门名称为空"))
            continue
        dept = unicodedata.normalize("NFKC", str(dept)).strip() if isinstance(dept, str) else str(dept)
        if dept.startswith(EXAMPLE_PREFIX):
            continue  # the example row of prefill-template
        bad = False
        year = None
        if year_col is not None and not _blank(get(year_col)):
            y = str(get(year_col)).strip().removesuffix("年")
            try:
                year = int(float(y))
                if not 2000 <= year <= 2100:
                    raise ValueError
            except ValueError:
                problems.append(RowProblem(r, table.headers[year_col], f"年度 {get(year_col)!r} 不是 2000～2100 之间的年份"))
                bad = True
        values: dict[str, Any] = {}
        for i, (inp, unit) in columns.items():
            v = get(i)
            if _blank(v):
                continue
            try:
                values[inp.id] = coerce(inp, v, unit)
            except ValueError as e:
                problems.append(RowProblem(r, table.headers[i], str(e)))
                bad = True
        for msg in cross_problems(t, values):
            problems.append(RowProblem(r, "", msg))
            bad = True
        if not bad:
            rows.append({"row": r, "department": dept, "year": year, "values": values})
    return rows, problems


def cross_problems(t: Template, values: dict[str, Any]) -> list[str]:
    return [message(t, c) for c in failures(t, values)]


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def _show(v: Any) -> str:
    return f"“{v}”"


def coerce(inp: Input, v: Any, header_unit: str = "") -> Any:
    """A cell's value as the input's type; ValueError with a Chinese message (and how to fix it) otherwise."""
    if inp.type == "choice" or inp.choices:
        if isinstance(v, bool) and set(inp.choices) >= {"是", "否"}:
            return "是" if v else "否"
        s = unicodedata.normalize("NFKC", str(v)).strip()
        match = next((c for c in inp.choices if fold(c) == fold(s)), None)
        if match is None:
            raise ValueError(f"{_show(v)} 不在可选项（{'、'.join(inp.choices)}）中")
        return match
    if inp.type in ("text", "date"):
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
        x = float(s)
    if pct and inp.type != "percent":
        raise ValueError(f"{_show(v)} 是百分数，但此项的单位是{unit_word}，请填写{unit_word}金额或数量")
    if inp.type == "percent":
        if pct:
            x /= 100
        elif inp.max is not None and x > inp.max:
            raise ValueError(f"{_show(v)} 作为百分比过大：请填写 {x:g}% 或 {x / 100:g}（表示 {x:g}%）")
    elif header_unit and header_unit != fold(inp.unit) and header_unit != "%":
        have, want = MONEY.get(header_unit), MONEY.get(inp.unit)
        if have is None or want is None:
            raise ValueError(f"表头的单位“{header_unit}”与此项的单位“{inp.unit or '无'}”不同，请换算后再填")
        x = x * have / want
    if inp.type == "integer" and not float(x).is_integer():
        raise ValueError(f"{_show(v)} 不是整数")
    show = (lambda y: f"{y * 100:g}%") if inp.type == "percent" else (lambda y: f"{y:g}")
    if inp.min is not None and x < inp.min:
        raise ValueError(f"{_show(v)} 小于下限 {show(inp.min)}")
    if inp.max is not None and x > inp.max:
        raise ValueError(f"{_show(v)} 大于上限 {show(inp.max)}")
    return x


def duplicates(rows: list[dict], year: int) -> list[RowProblem]:
    """Rows that would write the same file (same name after cleaning, same year): both are named."""
    seen: dict[str, dict] = {}
    out = []
    for r in rows:
        name = workbook_name(r["department"], r["year"] or year).lower()
        if name in seen:
            first = seen[name]
            out.append(RowProblem(r["row"], "", f"部门“{r['department']}”与第{first['row']}行的“{first['department']}”"
                                                 f"会生成同一个文件 {workbook_name(r['department'], r['year'] or year)}，请改名或删除一行"))
        else:
            seen[name] = r
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
    rows, problems = parse_rows(t, tab)
    for p in problems:
        print(f"{tab.source} {p}", file=sys.stderr)
    dup = duplicates(rows, year or t.year)
    if dup:
        for p in dup:
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
    skipped = len({p.row for p in problems if p.row > tab.header_row})
    print(f"已生成 {len(done)} 份，跳过 {skipped} 行" + ("（见上方错误）" if problems else ""))
    return 1 if problems else 0


def read_table(path: Path, sheet: str | None = None, header_row: int | None = None) -> Table:
    return read(path, is_header, sheet=sheet, header_row=header_row)
