"""The benchmark script runs end to end on a tiny N (no timing is asserted)."""

import re
import subprocess
import sys


def test_benchmark_runs_and_prints_its_summary_line():
    out = subprocess.run([sys.executable, "benchmarks/run.py", "--n", "3", "--repeat", "1", "--no-libreoffice",
                          "--template", "zizhou_2024"], capture_output=True, text=True, check=True, timeout=300).stdout
    last = out.strip().splitlines()[-1]
    keys = ["build_ms", "validate_ms", "build_vs_openpyxl_bare", "validate_vs_openpyxl_ro_double", "engine_vs_formulas"]
    assert re.fullmatch(" ".join(rf"{k}=[0-9.]+" for k in keys), last), last
    assert "floor: bare openpyxl write" in out and "floor: openpyxl read_only double load" in out
