"""Benchmark: build and validate a department's 20-project workbook (项目支出绩效自评表).

    python3 benchmarks/projects.py [--n 20] [--repeat 5]

Half the projects are prefilled (five indicators each), half have open rows filled by the department.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from projects.helpers import NATIONAL, open_project, road_project  # noqa: E402

from workbook_builder.projects.render import build_project_workbook  # noqa: E402
from workbook_builder.reader.validate import validate_file  # noqa: E402


def workbook_args(n: int):
    projects, values = [], []
    for i in range(n):
        p, v = (road_project() if i % 2 == 0 else open_project())
        p.name = f"{p.name}（{i + 1}）"
        projects.append(p)
        values.append(v)
    return projects, values


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)
    projects, values = workbook_args(a.n)
    builds, checks = [], []
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "测试部门-项目-2024.xlsx"
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            data = build_project_workbook(NATIONAL, "测试部门", 2024, projects, values)
            builds.append(time.perf_counter() - t0)
            path.write_bytes(data)
            t0 = time.perf_counter()
            rep = validate_file(path, time_limit=None)
            checks.append(time.perf_counter() - t0)
        assert not rep.findings, [f.code for f in rep.findings][:5]
        size = path.stat().st_size
    ms = lambda xs: f"{statistics.median(xs) * 1000:8.1f} ms   ({min(xs) * 1000:.1f}–{max(xs) * 1000:.1f})"  # noqa: E731
    print(f"build a {a.n}-project workbook     {ms(builds)}   {size / 1024:.0f} KB")
    print(f"validate it (every project sheet)  {ms(checks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
