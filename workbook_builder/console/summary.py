"""汇总: the figures behind the charts, and 汇总表.xlsx — the workbook ``consolidate`` writes, made from the
reader's reports of the round's current returns (``reader.batch.frames`` and ``reader.report.write_frames``).
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path

from ..engine import compute
from ..paths import ENV
from ..reader.batch import frames
from ..reader.report import write_frames
from . import charts
from .returns import report_of, table
from .storage import Store

DEFAULT_SHARE = 0.2


def current_reports(store: Store, round_id: int, projects: bool = True) -> list[tuple[dict | None, dict]]:
    """(department row or None, recorded report) of each current, validated return (with ``projects``, the
    project workbooks too)."""
    lines, unmatched = table(store, round_id)
    ids = [ln[k]["id"] for ln in lines for k in ("current", "project") if ln[k]] + [r["id"] for r in unmatched]
    depts = {ln["department"]["id"]: ln["department"] for ln in lines}
    out = []
    for rid in ids:
        r = store.row("SELECT id, department_id, file_name, status, report FROM returns WHERE id = ?", rid)
        if r["status"] == "done" and r["report"]:
            doc = json.loads(r["report"])
            if projects or not doc["projects"]:
                out.append((depts.get(r["department_id"]), {"file": r["file_name"], **doc}))
    return out


_ENV_LOCK = threading.Lock()


@contextmanager
def _templates_on_path(template_file: str):
    """The round's template on the reader's search path while its names are looked up (one at a time)."""
    with _ENV_LOCK:
        before = os.environ.get(ENV)
        if template_file:
            os.environ[ENV] = os.pathsep.join(x for x in (template_file, before) if x)
        try:
            yield
        finally:
            if before is None:
                os.environ.pop(ENV, None)
            else:
                os.environ[ENV] = before


def workbook(store: Store, round_id: int, out: Path, template_file: str = "") -> None:
    """汇总表.xlsx of every department's current return (all files of a department returned twice)."""
    reports = []
    for _, doc in current_reports(store, round_id):
        reports.append(report_of(doc, doc["file"]))
    lines, _ = table(store, round_id)
    for ln in lines:  # a department returned twice: every current file, as consolidate would see the folder
        if ln["count"] > 1:
            for r in store.rows("SELECT file_name, report FROM returns WHERE round_id = ? AND department_id = ? "
                                "AND submitted = 1 AND superseded = 0 AND status = 'done' ORDER BY id",
                                round_id, ln["department"]["id"])[:-1]:
                reports.append(report_of(json.loads(r["report"]), r["file_name"]))
    reports.sort(key=lambda r: r.file)  # as consolidate lists a folder
    with _templates_on_path(template_file):
        write_frames(frames(reports), out)


def figures(store: Store, round_id: int, t, share: float) -> dict:
    """Chart SVGs and the departments whose score and budget execution diverge by more than ``share``."""
    got = current_reports(store, round_id, projects=False)
    grades = [g.name for g in sorted(t.grades, key=lambda g: -g.min)]
    counts = {g: 0 for g in grades}
    for _, doc in got:
        if doc.get("grade") in counts and doc.get("total") is not None:
            counts[doc["grade"]] += 1
    tops = t.indicators
    rows, values = [], []
    for d, doc in got:
        if not doc.get("scores"):
            continue
        rows.append(d["name"] if d else doc.get("department") or doc["file"])
        values.append([doc["scores"].get(n.id) for n in tops])
    rate_id = _rate_id(t)
    points, flagged = [], []
    for d, doc in got:
        if d is None or rate_id is None or doc.get("total") is None:
            continue
        try:
            rate = compute(t, json.loads(d["prefill"])).derived.get(rate_id)
        except Exception:  # noqa: BLE001 - figures the engine cannot use: no point for this department
            rate = None
        if rate is None:
            continue
        score = float(doc["total"]) / (t.total_weight or 100)
        off = abs(score - rate) > share
        points.append((d["name"], rate, score, off))
        if off:
            flagged.append({"name": d["name"], "rate": rate, "score": score, "total": doc["total"]})
    return {
        "grades": charts.bars([(g, counts[g]) for g in grades], "评价等级分布"),
        "matrix": charts.matrix(rows, [n.name for n in tops], values, [n.weight for n in tops], "各一级指标得分")
        if rows else "",
        "scatter": charts.scatter(points, share, "预算执行率与得分率") if points else "",
        "flagged": flagged, "rate_known": rate_id is not None, "counts": counts, "n": len(got),
    }


def _rate_id(t) -> str | None:
    """The derived quantity of the budget table's first (total) row: the overall execution rate."""
    rows = (t.layout.budget_block or {}).get("rows") or []
    for r in rows:
        if r.get("rate"):
            return r["rate"]
    return next((d.id for d in t.derived if "执行率" in d.label), None)
