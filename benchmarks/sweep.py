"""The full rounding sweep: every rule of every template over every two-decimal percentage 0–200 %.

    python3 benchmarks/sweep.py [--steps 20001] [--chunk 60000] [--no-gnumeric]

Writes the formula rows (tests/sweep.py), recalculates them in LibreOffice (one start) and
Gnumeric, and prints how many rows differ from the engine: LibreOffice must be 0; Gnumeric
differs only on exact half-cents (docs/numeric.md). The last line is machine-readable:
rows=… libreoffice_diff=… gnumeric_diff=… gnumeric_unexplained=…
CI runs a 201-step sample of the same sweep (tests/test_sweep.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sweep import cases, expected, read_column, write  # noqa: E402
from test_sweep import _is_tie  # noqa: E402

from workbook_builder.gnumeric import recalc  # noqa: E402
from workbook_builder.libreoffice import convert  # noqa: E402
from workbook_builder.loader import load_template, template_paths  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20001)
    ap.add_argument("--chunk", type=int, default=60000)
    ap.add_argument("--no-gnumeric", action="store_true")
    a = ap.parse_args()
    rows = list(cases([load_template(p) for p in template_paths()], a.steps))
    chunks = [rows[i:i + a.chunk] for i in range(0, len(rows), a.chunk)]
    want = expected(rows)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        files = []
        for i, ch in enumerate(chunks):
            files.append(d / f"s{i:03}.xlsx")
            write(ch, files[-1])
        print(f"{len(rows)} rows in {len(files)} files")
        apps = [("libreoffice", convert)] + ([] if a.no_gnumeric else [("gnumeric", recalc)])
        result = {}
        for name, run in apps:
            t0 = time.perf_counter()
            out = run(files, d / name)
            got = [v for ch, q in zip(chunks, out) for v in read_column(q, len(ch))]
            diff = [i for i, (w, g) in enumerate(zip(want, got)) if w != g]
            ties = [i for i in diff if isinstance(got[i], float) and abs(abs(want[i] - got[i]) - 0.01) < 1e-9
                    and _is_tie(rows[i][1], rows[i][2])]
            result[name] = (len(diff), len(diff) - len(ties))
            print(f"{name}: {len(diff)} rows differ ({len(ties)} exact half-cents) in {time.perf_counter() - t0:.0f} s")
            for i in [i for i in diff if i not in set(ties)][:5]:
                print("   ", rows[i][0].id, rows[i][1].id, rows[i][2], want[i], got[i])
    gn = result.get("gnumeric", (0, 0))
    print(f"rows={len(rows)} libreoffice_diff={result['libreoffice'][0]} gnumeric_diff={gn[0]} gnumeric_unexplained={gn[1]}")


if __name__ == "__main__":
    main()
