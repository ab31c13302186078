"""分发: a round's 名单 read and previewed (one line per department, each row's problems in place), its
departments confirmed with their codes, and the workbooks generated into one zip (a background job).

The 名单 is read by the CLI's own reader (``prefill.read_table`` / ``parse_rows`` / ``duplicates``) and the
workbooks built by its bulk builder (``fastbuild.Distributor``); the 项目清单 by ``projects.listing``.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from .. import prefill
from ..layout import safe_filename, workbook_name
from ..tables import TableError, fold
from .auth import new_code
from .storage import Store, now

_DEPT = {fold(c) for c in prefill.DEPT_COLUMNS}


def _shown(inp, v: Any) -> str:
    if isinstance(v, float):
        if inp.type == "percent":
            return f"{v * 100:g}%"
        return f"{v:,.2f}".rstrip("0").rstrip(".") if inp.type == "money" else f"{v:g}"
    return str(v)


def preview_list(t, path: Path, year: int) -> dict:
    """The 名单 as the preview shows it: every department row, its prefilled figures and its problems."""
    try:
        table = prefill.read_table(path)
    except TableError as e:
        return {"ok": False, "general": [str(e)], "lines": [], "columns": [], "rows": []}
    good, problems = prefill.parse_rows(t, table)
    problems = problems + prefill.duplicates(good, year)
    by_row: dict[int, list[str]] = {}
    general: list[str] = []
    for p in problems:
        text = f"[{p.column}] {p.message}" if p.column else p.message
        if p.row > table.header_row:
            by_row.setdefault(p.row, []).append(text)
        else:
            general.append(f"第{p.row}行（表头）{text}")
    inputs = {i.id: i for i in prefill.item_names(t).values()}
    used = [i for i in inputs.values() if any(i.id in r["values"] for r in good)]
    values = {r["row"]: r for r in good}
    dept_col = next((i for i, h in enumerate(table.headers) if fold(h) in _DEPT), None)
    lines = []
    for rownum, cells in table.rows:
        name = cells[dept_col] if dept_col is not None and dept_col < len(cells) else None
        name = "" if name is None else str(name).strip()
        if not name and rownum not in by_row:
            continue
        if name.startswith(prefill.EXAMPLE_PREFIX) and rownum not in by_row:
            continue
        got = values.get(rownum)
        lines.append({"row": rownum, "department": got["department"] if got else name,
                      "cells": [_shown(i, got["values"][i.id]) if got and i.id in got["values"] else ""
                                 for i in used],
                      "problems": by_row.get(rownum, [])})
    if not good and not general and not by_row:
        general.append("名单中没有部门：请在部门名称列下每行填写一个部门")
    return {"ok": not problems and bool(good), "general": general, "lines": lines,
            "columns": [prefill.header_label(i) for i in used],
            "rows": [{"row": r["row"], "department": r["department"], "values": r["values"]} for r in good],
            "problem_count": len(problems), "header_row": table.header_row}


def preview_projects(form, path: Path, indicators: Path | None) -> dict:
    from ..projects.listing import ListError, read_listing
    try:
        got = read_listing(form, path, indicators)
    except ListError as e:
        return {"ok": False, "general": list(e.problems), "lines": []}
    except TableError as e:
        return {"ok": False, "general": [str(e)], "lines": []}
    lines = []
    for dept, listed in got.items():
        funds = []
        for v in listed.values:
            year_total = next((x for k, x in v.items() if k.endswith("year")), None)
            funds.append("" if year_total is None else f"{year_total:g}")
        lines.append({"department": dept, "projects": [p.name for p in listed.projects], "funds": funds})
    return {"ok": True, "general": [], "lines": lines}


def confirm_departments(store: Store, round_id: int, rows: list[dict]) -> int:
    """The round's departments from a clean 名单 (each with its own code); refused once returns exist."""
    with store.tx() as tx:
        have = {r["name"]: r for r in tx.rows("SELECT * FROM departments WHERE round_id = ?", round_id)}
        if tx.row("SELECT id FROM returns WHERE round_id = ? LIMIT 1", round_id):
            raise ValueError("本轮已经收到交回的文件，不能再更换名单")
        keep = {r["department"] for r in rows}
        for name, d in have.items():
            if name not in keep:
                tx.execute("DELETE FROM departments WHERE id = ?", d["id"])
        for r in rows:
            prefill_json = json.dumps(r["values"], ensure_ascii=False)
            if r["department"] in have:
                tx.execute("UPDATE departments SET prefill = ?, row_no = ? WHERE id = ?", prefill_json, r["row"],
                           have[r["department"]]["id"])
            else:
                tx.insert("departments", round_id=round_id, name=r["department"], code=new_code(), row_no=r["row"],
                          prefill=prefill_json)
    return len(rows)


def build_zip(store: Store, job_id: int, t, year: int, departments: list[dict], key: bytes | None) -> str:
    """Every department's workbook into one zip in the data folder; progress into the job's row."""
    from ..fastbuild import Distributor
    dist = Distributor(t, year, sign_key=key)
    name = f"job-{job_id}.zip"
    tmp = store.data / "out" / (name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, d in enumerate(departments, 1):
            zf.writestr(workbook_name(d["name"], year), dist.build(d["name"], json.loads(d["prefill"])))
            if i % 5 == 0 or i == len(departments):
                store.run("UPDATE jobs SET done = ? WHERE id = ?", i, job_id)
    tmp.replace(store.data / "out" / name)
    return name


def build_projects_zip(store: Store, job_id: int, form, year: int, listed: dict, key: bytes | None) -> str:
    from ..projects.render import build_project_workbook
    name = f"job-{job_id}.zip"
    tmp = store.data / "out" / (name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (dept, got) in enumerate(listed.items(), 1):
            zf.writestr(f"{safe_filename(dept)}-项目-{year}.xlsx",
                        build_project_workbook(form, dept, year, got.projects, got.values, sign_key=key))
            store.run("UPDATE jobs SET done = ? WHERE id = ?", i, job_id)
    tmp.replace(store.data / "out" / name)
    return name


def record_list(store: Store, round_id: int, kind: str, sha: str, name: str, preview: dict) -> int:
    return store.insert("lists", round_id=round_id, kind=kind, sha256=sha, file_name=name, ok=int(preview["ok"]),
                        preview=json.dumps(preview, ensure_ascii=False, default=str), created_at=now())
