"""The bulk path (render once, patch department cells) equals the full build, cell for cell."""

import io

import openpyxl
import pytest
from hypothesis import given, settings
from strategies import values_for

from workbook_builder.fastbuild import Distributor
from workbook_builder.loader import load_template, template_paths
from workbook_builder.render import build_workbook

_dist = {}


def dump(data, data_only):
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
    out = {(ws.title, c.coordinate): c.value for ws in wb for row in ws.iter_rows() for c in row if c.value not in (None, "")}
    out["__names__"] = sorted((n, d.attr_text) for n, d in wb.defined_names.items())
    out["__states__"] = [(ws.title, ws.sheet_state, ws.protection.sheet) for ws in wb]
    return out


@pytest.mark.parametrize("tid", [p.stem for p in template_paths()])
def test_fast_equals_full_build(tid):
    t = load_template(tid)
    d = _dist.setdefault(tid, Distributor(t, 2024, sign_key=b"k"))

    @settings(max_examples=8)
    @given(values_for(t))
    def check(values):
        values = {**values, "header.filler": "=不是公式 & <标签>", "header.head": " 前后空格 "}
        fast = d.build("某县=自然资源局", values, built_at="T")
        full = build_workbook(t, "某县=自然资源局", 2024, values, sign_key=b"k", built_at="T")
        for data_only in (False, True):
            a, b = dump(fast, data_only), dump(full, data_only)
            assert {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)} == {}

    check()
