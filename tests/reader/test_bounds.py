"""Bounded reports: at most MAX_FINDINGS findings per file plus one counting the rest, and a parent process of
`consolidate` that stays bounded in memory however many problems the files have (measured with getrusage)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from workbook_builder.reader.findings import MAX_FINDINGS, MAX_PER_KIND
from workbook_builder.reader.validate import validate_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "庆城县自然资源局-2024.xlsx"
EXTRA = 100_000  # stray cells per file: 100,000 findings each without the cap


def _col(i: int) -> str:
    s, i = "", i + 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def stray_cells(dst: Path, n: int, sheet: str = "xl/worksheets/sheet2.xml") -> Path:
    """The example return with ``n`` numbers typed outside the template (100 a row, from row 300, column AE)."""
    cols = [_col(i) for i in range(30, 130)]
    with zipfile.ZipFile(EXAMPLE) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == sheet:
                rows = "".join(f'<row r="{300 + r}">' + "".join(f'<c r="{c}{300 + r}"><v>1</v></c>' for c in cols)
                               + "</row>" for r in range(n // len(cols)))
                data = re.sub(r'<dimension ref="[^"]*"/>', "", data.decode()).replace("</sheetData>", rows + "</sheetData>")
                data = data.encode()
            zout.writestr(info, data)
    return dst


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    big, small = tmp_path_factory.mktemp("big"), tmp_path_factory.mktemp("small")
    for name in ("甲.xlsx", "乙.xlsx"):
        stray_cells(big / name, EXTRA)
        (small / name).write_bytes(EXAMPLE.read_bytes())
    return big, small


def test_findings_are_capped_with_a_count_of_the_rest(folders):
    rep = validate_file(folders[0] / "甲.xlsx")
    assert len(rep.findings) <= MAX_FINDINGS + 1
    last = rep.findings[-1]
    assert last.code == "findings-omitted" and last.severity == "error"
    assert EXTRA - MAX_FINDINGS <= int(last.detail) == rep.omitted
    assert last.message.startswith(f"另有 {last.detail} 处问题未列出")
    per_sheet = Counter(f.sheet for f in rep.findings if f.code == "unexpected-content")
    assert per_sheet and set(per_sheet.values()) == {MAX_PER_KIND}  # the first of each sheet are listed
    assert not rep.valid


def test_json_output_is_bounded(folders):
    p = subprocess.run([sys.executable, "-m", "workbook_builder", "validate", "--json", str(folders[0])], cwd=ROOT,
                       capture_output=True, text=True, timeout=600, check=False)
    items = json.loads(p.stdout)
    assert p.returncode == 1 and all(len(i["findings"]) <= MAX_FINDINGS + 1 for i in items) and len(items) == 2
    assert len(p.stdout) < 300_000  # ~45 MB without the cap


PEAK = """
import resource, sys
from workbook_builder.cli import main
status = main(sys.argv[1:])
print(status, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # the parent only (KiB), not its workers
"""


def _parent_peak_kib(folder: Path, out: Path) -> int:
    p = subprocess.run([sys.executable, "-c", PEAK, "consolidate", str(folder), "-o", str(out)], cwd=ROOT,
                       capture_output=True, text=True, timeout=600, check=False)
    status, kib = p.stdout.splitlines()[-1].split()
    assert status == "0", p.stderr
    return int(kib)


def test_the_parent_of_consolidate_stays_bounded_in_memory(folders, tmp_path):
    """Two files with 100,000 problems each cost the parent no more than two clean files, within 40 MiB
    (without the cap the parent peaks some 300 MiB higher)."""
    big, small = folders
    base = _parent_peak_kib(small, tmp_path / "small.xlsx")
    peak = _parent_peak_kib(big, tmp_path / "big.xlsx")
    assert peak - base < 40 * 1024, (base, peak)


def test_the_reader_checks_each_input_against_its_cells_own_validation_range():
    """Input.bounds (what the reader refuses past) is the range of the cell's data validation, in every template."""
    from workbook_builder.cells import input_items, validations
    from workbook_builder.layout import build_layout
    from workbook_builder.loader import load_template, template_paths
    checked = 0
    for p in template_paths():
        t = load_template(p)
        lay = build_layout(t)
        specs = {(v.sheet, v.row, v.col): v for v in validations(t, lay)}
        for iid, inp in input_items(t, lay).items():
            v = specs.get(lay.input_cells[iid])
            if v is not None and v.kind in ("decimal", "whole"):
                assert (v.minimum, v.maximum) == inp.bounds, (t.id, iid)
                checked += 1
    assert checked > 20


def test_percent_cells_of_the_self_assessment_and_of_project_sheets_have_one_range():
    """Every percent entry cell, in a 自评表 or a project sheet, validates the same range (model.PERCENT_RANGE)."""
    from workbook_builder.cells import input_items, validations
    from workbook_builder.layout import build_layout
    from workbook_builder.loader import load_template
    from workbook_builder.model import PERCENT_RANGE
    from workbook_builder.projects.cells import list_sources, parts_for
    from workbook_builder.projects.form import find_form
    from workbook_builder.projects.listing import read_listing
    form = find_form("national_project_2020")
    listed = read_listing(form, ROOT / "examples/projects/庆城县项目清单.csv", ROOT / "examples/projects/庆城县绩效指标.csv")
    sheets = [(p.template, p.layout, list_sources(form)) for got in listed.values()
              for p in parts_for(form, got.projects)]
    t = load_template("qingcheng_2024")
    sheets.append((t, build_layout(t), None))
    ranges = {}
    for tpl, lay, lists in sheets:
        specs = {(v.sheet, v.row, v.col): v for v in validations(tpl, lay, lists)}
        for iid, inp in input_items(tpl, lay).items():
            v = specs.get(lay.input_cells[iid])
            if inp.type == "percent" and v is not None and v.kind == "decimal":
                ranges.setdefault("project" if lists else "自评表", set()).add((v.minimum, v.maximum))
    assert ranges == {"project": {PERCENT_RANGE}, "自评表": {PERCENT_RANGE}}
