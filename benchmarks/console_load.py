"""Load on loopback: N departments (default 200) upload their workbooks to a real console process at the
same moment (one thread each), then wait until every upload is validated.

    python3 benchmarks/console_load.py [--n 200]

Prints the upload throughput, the p50/p95/max response time of an upload, and the time until the last
upload was validated (validation runs in one process, one file at a time, with the reader's caps).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.console.conftest import Server  # noqa: E402
from tests.console.load import run  # noqa: E402


def main() -> None:
    a = argparse.ArgumentParser()
    a.add_argument("--n", type=int, default=200)
    n = a.parse_args().n
    with tempfile.TemporaryDirectory() as d:
        srv = Server(Path(d) / "数据")
        try:
            got = run(srv.url, srv.data, n)
        finally:
            srv.stop()
    ok = sum(1 for r in got["rows"] if r[3] == "通过")
    print(f"{n} departments: {len(got['rows'])} stored, {ok} validated 通过")
    print(f"uploads: {got['upload_s']:.2f} s for {n} ({n / got['upload_s']:.1f} uploads/s); "
          f"response p50 {got['p50'] * 1000:.0f} ms, p95 {got['p95'] * 1000:.0f} ms, max {got['max'] * 1000:.0f} ms")
    print(f"all validated after {got['all_s']:.1f} s ({n / got['all_s']:.1f} files/s end to end)")


if __name__ == "__main__":
    main()
