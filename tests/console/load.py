"""Many departments uploading at once to a real console process over loopback: what every upload took,
and whether every upload was stored and validated. Shared by the load test and benchmarks/console_load.py."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from workbook_builder.fastbuild import Distributor
from workbook_builder.loader import load_template

from . import files
from .conftest import wait_for
from .web import Bureau, department_upload


def departments(n: int) -> list[str]:
    return [f"庆城县第{i + 1:03d}局" for i in range(n)]


def run(url: str, data: Path, n: int) -> dict:
    """n departments upload their filled-in workbook at the same moment; wait until all are validated."""
    names = departments(n)
    b = Bureau(url)
    rid = b.round(names)
    codes = b.codes(rid)
    assert sorted(codes) == sorted(names)
    dist = Distributor(load_template(files.TID), files.YEAR)
    values = files.honest_values()
    bodies = {d: dist.build(d, values) for d in names}
    start = threading.Barrier(n)

    def one(d):
        start.wait()
        return department_upload(url, codes[d], f"{d}-{files.YEAR}.xlsx", bodies[d])

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n) as ex:
        got = list(ex.map(one, names))
    upload_s = time.perf_counter() - t0

    def validated():
        with sqlite3.connect(data / "console.db") as c:
            return c.execute("SELECT COUNT(*) FROM returns WHERE status = 'done'").fetchone()[0] == n
    wait_for(validated, tries=100 * n, pause=0.1)
    all_s = time.perf_counter() - t0
    with sqlite3.connect(data / "console.db") as c:
        rows = c.execute("SELECT r.id, d.name, r.sha256, r.result FROM returns r JOIN departments d "
                         "ON d.id = r.department_id").fetchall()
        uploads = c.execute("SELECT COUNT(*) FROM audit WHERE action = '上传交回文件'").fetchone()[0]
    lat = sorted(t for _, t in got)
    return {"n": n, "ids": sorted(i for i, _ in got), "rows": rows, "bodies": bodies, "audit": uploads,
            "upload_s": upload_s, "all_s": all_s, "p50": lat[len(lat) // 2],
            "p95": lat[min(len(lat) - 1, round(0.95 * len(lat)) - 1)], "max": lat[-1]}
