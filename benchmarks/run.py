"""Benchmark: bulk build, validation of returns, and the Python engine, with reference floors.

    python3 benchmarks/run.py [--n 200] [--repeat 3] [--template longxian_2023] [--no-libreoffice]

Each figure is a per-workbook time in ms: median and min–max over the repeats. The last line is
machine-readable:
build_ms=… validate_ms=… build_vs_openpyxl_bare=… validate_vs_openpyxl_ro_double=… engine_vs_formulas=…
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbook_builder.cells import all_cells  # noqa: E402
from workbook_builder.engine import compute  # noqa: E402
from workbook_builder.fastbuild import Distributor  # noqa: E402
from workbook_builder.layout import build_layout  # noqa: E402
from workbook_builder.libreoffice import convert, soffice  # noqa: E402
from workbook_builder.loader import load_template  # noqa: E402
from workbook_builder.reader import validate_file  # noqa: E402
from workbook_builder.rules import rule_for  # noqa: E402


def departments(t, n: int, seed: int = 7) -> list[tuple[str, dict]]:
    """n departments: the seed example's values (if any), varied at random."""
    rnd = random.Random(seed)
    ex = ROOT / "examples" / f"{t.id}.inputs.yaml"
    base = yaml.safe_load(ex.read_text(encoding="utf-8"))["values"] if ex.exists() else {}
    choices = {}
    for leaf in t.leaves():
        for s in rule_for(leaf).slots(leaf):
            if s.choices:
                choices[f"{leaf.id}.{s.name}"] = s.choices
    out = []
    for i in range(n):
        v = {}
        for k, x in base.items():
            if k in choices:
                v[k] = rnd.choice(choices[k])
            elif isinstance(x, (int, float)):
                v[k] = round(x * rnd.uniform(0.8, 1.1), 4)
            else:
                v[k] = x
        v["header.filler"] = f"填报人{i}"
        out.append((f"第{i:04d}单位", v))
    return out


def timed(fn) -> float:
    a = time.perf_counter()
    fn()
    return time.perf_counter() - a


def bare_openpyxl_write(t, lay, dept: str, values: dict, path: Path) -> None:
    """The floor: the same cells (values and formulas), no styles, validation, protection or names."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheets = {}
    for s in all_cells(t, lay, dept, t.year):
        ws = sheets.get(s.sheet) or sheets.setdefault(s.sheet, wb.create_sheet(s.sheet))
        v = ("=" + s.formula) if s.formula else values.get(s.input_id) if s.input_id else s.value
        if v not in (None, ""):
            ws.cell(s.row + 1, s.col + 1, v)
    wb.save(path)


def openpyxl_ro_double(path: Path) -> None:
    for data_only in (False, True):
        wb = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
        for ws in wb.worksheets:
            for _ in ws.iter_rows(values_only=True):
                pass
        wb.close()


def unzip_parse(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                ElementTree.fromstring(z.read(name))


def stats(xs: list[float]) -> tuple[float, float, float]:
    return statistics.median(xs), min(xs), max(xs)


def line(label: str, xs: list[float]) -> str:
    m, lo, hi = stats(xs)
    return f"{label:<52} {m:8.2f} ms   ({lo:.2f}–{hi:.2f})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--template", default="longxian_2023")
    ap.add_argument("--no-libreoffice", action="store_true")
    a = ap.parse_args(argv)

    t = load_template(a.template)
    lay = build_layout(t)
    depts = departments(t, a.n)
    tmp = Path(tempfile.mkdtemp(prefix="wb-bench-"))
    print(f"template {t.id} ({sum(1 for _ in t.leaves())} leaves), N={a.n}, repeats={a.repeat}, python {sys.version.split()[0]}")
    try:
        build, bare = [], []
        for rep in range(a.repeat):
            out = tmp / f"build{rep}"
            out.mkdir()

            def bulk():
                d = Distributor(t, t.year)  # rendered once per template, then filled per department
                for name, v in depts:
                    (out / f"{name}.xlsx").write_bytes(d.build(name, v))
            build.append(timed(bulk) * 1000 / a.n)
            bare_dir = tmp / f"bare{rep}"
            bare_dir.mkdir()
            bare.append(timed(lambda: [bare_openpyxl_write(t, lay, n, v, bare_dir / f"{n}.xlsx") for n, v in depts]) * 1000 / a.n)

        # returns: built (recalculated by our writer), never recalculated, LibreOffice-saved, tampered
        ret = tmp / "returns"
        ret.mkdir()
        built = sorted((tmp / "build0").glob("*.xlsx"))
        for i, p in enumerate(built):
            shutil.copy(p, ret / p.name)
        k = max(1, a.n // 5)
        for p in built[:k]:  # never recalculated: saved by openpyxl
            wb = openpyxl.load_workbook(ret / p.name)
            wb.save(ret / p.name)
        for p in built[k:2 * k]:  # tampered: a total typed over
            wb = openpyxl.load_workbook(ret / p.name)
            r, c = lay.total_cell
            wb["自评表"].cell(r + 1, c + 1, 99)
            wb.save(ret / p.name)
        lo_note = "no LibreOffice copies"
        if not a.no_libreoffice and soffice():
            picks = built[2 * k:2 * k + min(k, 10)]
            for q in convert(picks, tmp / "lo"):
                shutil.copy(q, ret / q.name)
            lo_note = f"{len(picks)} LibreOffice-recalculated copies"
        files = sorted(ret.glob("*.xlsx"))
        validate, ro_double, parse = [], [], []
        for rep in range(a.repeat):
            validate.append(timed(lambda: [validate_file(f) for f in files]) * 1000 / len(files))
            ro_double.append(timed(lambda: [openpyxl_ro_double(f) for f in files]) * 1000 / len(files))
            parse.append(timed(lambda: [unzip_parse(f) for f in files]) * 1000 / len(files))

        # memory while streaming the batch: traced peak for the first half vs the whole batch
        import tracemalloc

        from workbook_builder.reader import validate_many
        peaks = []
        for part in (files[: len(files) // 2], files):
            tracemalloc.start()
            for _ in validate_many(part, progress=False):
                pass
            peaks.append(tracemalloc.get_traced_memory()[1] / 1024)
            tracemalloc.stop()

        # engine vs the formulas package, on one filled workbook
        name, values = depts[0]
        engine = [timed(lambda: [compute(t, values) for _ in range(200)]) * 1000 / 200 for _ in range(a.repeat)]
        import formulas
        xl = formulas.ExcelModel().loads(str(built[0])).finish()
        fcalc = [timed(xl.calculate) * 1000 for _ in range(a.repeat)]

        print(f"returns: {len(files)} files ({k} never recalculated, {k} tampered, {lo_note})")
        print(line("build, bulk path (per workbook)", build))
        print(line("  floor: bare openpyxl write of the same cells", bare))
        print(line("validate a return (per file)", validate))
        print(line("  floor: openpyxl read_only double load", ro_double))
        print(line("  floor: unzip + ElementTree parse of every part", parse))
        print(f"{'validate memory: traced peak, half batch / whole batch':<52} {peaks[0]:8.0f} KB / {peaks[1]:.0f} KB")
        print(line("engine: recompute the whole table", engine))
        print(line("formulas package: calculate() the workbook", fcalc))
        b, v = statistics.median(build), statistics.median(validate)
        print(f"build_ms={b:.2f} validate_ms={v:.2f} build_vs_openpyxl_bare={b / statistics.median(bare):.2f} "
              f"validate_vs_openpyxl_ro_double={v / statistics.median(ro_double):.2f} "
              f"engine_vs_formulas={statistics.median(fcalc) / statistics.median(engine):.0f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
