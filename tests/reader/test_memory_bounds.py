"""Every reader of a returned file is bounded by uncompressed size, declared and actual: files at each
bound are read, and files past it refused with a finding, within MEMORY_BOUND_MB of resident memory.

Each file is validated in a fresh interpreter, whose peak resident size (VmHWM) is the measure:
a work budget, not a clock.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import zipfile
import zlib

import pytest

from reader.helpers import honest_file
from workbook_builder.reader.container import (
    MAX_PART_UNCOMPRESSED,
    MAX_TAGS,
    MEMORY_BOUND_MB,
)

INPUTS = "xl/worksheets/sheet2.xml"
PROBE = """
import json, re, sys
from workbook_builder.reader import validate_file
rep = validate_file(sys.argv[1], time_limit=None)
# VmHWM: this process's peak resident size (ru_maxrss would include the forking parent's)
peak = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
print(json.dumps({"codes": [f.code for f in rep.findings], "rss_mb": peak / 1024}))
"""


def _rezip(src, out, edit):
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as s, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as d:
        for i in s.infolist():
            d.writestr(i.filename, edit(i.filename, s.read(i.filename)))
    out.write_bytes(buf.getvalue())
    return out


def _rows(n):
    def edit(name, data):
        if name != INPUTS:
            return data
        return data.replace(b"</sheetData>", b"".join(b'<row r="%d"/>' % i for i in range(200, 200 + n)) + b"</sheetData>")
    return edit


def _big_string(name, data):
    """A shared string of incompressible text, as large as a part may be."""
    if name != "xl/sharedStrings.xml":
        return data
    text = base64.b64encode(os.urandom((MAX_PART_UNCOMPRESSED - len(data) - 100) * 3 // 4))
    return data.replace(b"</sst>", b"<si><t>" + text + b"</t></si></sst>")


def _deflated_member(src, out, name, chunk: bytes, count: int):
    """A member of ``count`` × ``chunk`` bytes, compressed in a stream (a 1 GiB part in a small file)."""
    with zipfile.ZipFile(src) as s:
        parts = {i.filename: s.read(i.filename) for i in s.infolist()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as d:
        for n, data in parts.items():
            if n != name:
                d.writestr(n, data)
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with d.open(info, "w", force_zip64=True) as f:
            for _ in range(count):
                f.write(chunk)
    out.write_bytes(buf.getvalue())
    return out


def _probe(path) -> dict:
    r = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, timeout=600, check=False,
                       cwd=os.getcwd(), env=dict(os.environ, PYTHONPATH=os.getcwd()))
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    print(path.name, out)
    return out


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    return honest_file(tmp_path_factory.mktemp("bounds"), name="honest.xlsx")


def test_rows_at_the_element_bound_are_read_within_the_memory_bound(honest, tmp_path):
    n = MAX_TAGS - 20_000  # the honest sheet's own elements fit in the rest
    out = _probe(_rezip(honest, tmp_path / "rows.xlsx", _rows(n)))
    assert out["codes"] == [] and out["rss_mb"] < MEMORY_BOUND_MB, out


def test_a_million_rows_are_refused_within_the_memory_bound(honest, tmp_path):
    out = _probe(_rezip(honest, tmp_path / "rows.xlsx", _rows(1_000_000)))
    assert out["codes"] == ["file-too-large"] and out["rss_mb"] < MEMORY_BOUND_MB, out


def test_a_part_at_the_size_bound_is_read_within_the_memory_bound(honest, tmp_path):
    out = _probe(_rezip(honest, tmp_path / "string.xlsx", _big_string))
    assert out["codes"] == [] and out["rss_mb"] < MEMORY_BOUND_MB, out


@pytest.mark.parametrize("name,chunk,count", [
    ("xl/sharedStrings.xml", b" " * (1 << 20), 1024),  # 1 GiB of whitespace
    (INPUTS, b"x" * (1 << 20), 300),  # a 300 MB cell's worth of text
], ids=["1 GiB whitespace", "300 MB text"])
def test_huge_parts_are_refused_within_the_memory_bound(honest, tmp_path, name, chunk, count):
    out = _probe(_deflated_member(honest, tmp_path / "huge.xlsx", name, chunk, count))
    assert out["codes"] == ["zip-bomb"] and out["rss_mb"] < MEMORY_BOUND_MB, out


def test_honest_file_costs_little(honest):
    out = _probe(honest)
    assert out["codes"] == [] and out["rss_mb"] < MEMORY_BOUND_MB / 3, out
    assert zlib  # the 1 GiB members above are deflate streams, as Excel writes them
