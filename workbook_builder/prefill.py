"""Prefill for distribution: one row per department in a CSV/XLSX, one workbook per row."""

from __future__ import annotations

import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from .model import Template
from .rules import entry_inputs

DEPT_COLUMNS = ("department", "部门", "部门名称", "部门(单位)名称", "单位名称")
YEAR_COLUMNS = ("year", "年度")


@dataclass
class RowProblem:
    row: int  # 1-based data row as a spreadsheet shows it (header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 [{self.column}]: {self.message}"


def read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype=object)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def parse_rows(t: Template, df: pd.DataFrame) -> tuple[list[dict], list[RowProblem]]:
    """Each good row as {department, year, values}; problems for every bad cell (the row is skipped)."""
    by_key = {}
    for i in t.inputs:
        by_key[i.id] = i
        by_key[i.label] = i
    for e in entry_inputs(t):
        by_key[e.id] = e
    problems: list[RowProblem] = []
    cols = [str(c).strip() for c in df.columns]
    dept_col = next((c for c in cols if c in DEPT_COLUMNS), None)
    year_col = next((c for c in cols if c in YEAR_COLUMNS), None)
    if dept_col is None:
        return [], [RowProblem(1, "", f"缺少部门名称列（{'/'.join(DEPT_COLUMNS)}）")]
    for c in cols:
        if c not in by_key and c not in (dept_col, year_col):
            problems.append(RowProblem(1, c, "未知的列：既不是输入项编号，也不是输入项名称"))
    rows = []
    for idx, rec in enumerate(df.itertuples(index=False), start=2):
        raw = dict(zip(cols, rec))
        bad = False
        dept = _blank_to_none(raw.get(dept_col))
        if dept is None:
            problems.append(RowProblem(idx, dept_col, "部门名称为空"))
            continue
        year = None
        if year_col and _blank_to_none(raw.get(year_col)) is not None:
            try:
                year = int(float(raw[year_col]))
            except ValueError:
                problems.append(RowProblem(idx, year_col, f"年度 {raw[year_col]!r} 不是整数"))
                bad = True
        values: dict[str, Any] = {}
        for c, v in raw.items():
            inp = by_key.get(c)
            v = _blank_to_none(v)
            if inp is None or v is None:
                continue
            try:
                values[inp.id] = coerce(inp, v)
            except ValueError as e:
                problems.append(RowProblem(idx, c, str(e)))
                bad = True
        if not bad:
            rows.append({"row": idx, "department": str(dept).strip(), "year": year, "values": values})
    return rows, problems


def _blank_to_none(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()):
        return None
    return v


_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def coerce(inp, v: Any) -> Any:
    """A prefill value as the input's type; ValueError with a Chinese message otherwise."""
    if inp.type in ("choice",) or getattr(inp, "choices", None):
        s = str(v).strip()
        if s not in inp.choices:
            raise ValueError(f"{s!r} 不在可选项（{'、'.join(inp.choices)}）中")
        return s
    if inp.type in ("text", "date"):
        return str(v)
    s = str(v).strip().replace(",", "")
    pct = s.endswith("%")
    if pct:
        s = s[:-1]
    if not _NUM.match(s):
        raise ValueError(f"{v!r} 不是数值")
    x = float(s) / 100 if pct else float(s)
    if inp.type == "integer" and not x.is_integer():
        raise ValueError(f"{v!r} 不是整数")
    if inp.min is not None and x < inp.min:
        raise ValueError(f"{v!r} 小于下限 {inp.min:g}")
    if inp.max is not None and x > inp.max:
        raise ValueError(f"{v!r} 大于上限 {inp.max:g}")
    return x


def safe_filename(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .") or "未命名"


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
    path = Path(out_dir) / f"{safe_filename(row['department'])}-{y}.xlsx"
    path.write_bytes(_distributors[dkey].build(row["department"], row["values"]))
    return str(path)


def build_many(t: Template, table: Path, out_dir: Path, year: int | None = None, password: str | None = None,
               sign_key: bytes | None = None, jobs: int = 1) -> int:
    try:
        df = read_table(table)
    except Exception as e:  # noqa: BLE001 - any unreadable table is a user error
        print(f"错误: 无法读取 {table}: {e}", file=sys.stderr)
        return 2
    rows, problems = parse_rows(t, df)
    for p in problems:
        print(f"{table.name} {p}", file=sys.stderr)
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = [(t.source_path, r, str(out_dir), year, password, sign_key) for r in rows]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as ex:
            done = list(tqdm(ex.map(_build_one, tasks, chunksize=8), total=len(tasks), desc="生成", unit="份"))
    else:
        done = [_build_one(x) for x in tqdm(tasks, desc="生成", unit="份")]
    print(f"已生成 {len(done)} 份，跳过 {len({p.row for p in problems if p.row > 1})} 行（见上方错误）")
    return 1 if problems else 0
