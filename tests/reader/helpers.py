"""Build honest returns and tamper with them, in memory or through openpyxl / raw XML."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import yaml

from workbook_builder.engine import compute
from workbook_builder.layout import build_layout
from workbook_builder.loader import load_template
from workbook_builder.render import build_workbook

TABLE_PART = "xl/worksheets/sheet3.xml"  # 填报说明, 基础数据, 自评表, _lists, _meta


def honest_values(tid: str = "zizhou_2024") -> tuple[dict, dict]:
    """The seed example's values, completed: every 扣分原因 and header field filled."""
    d = yaml.safe_load(Path(f"examples/{tid}.inputs.yaml").read_text(encoding="utf-8"))
    t = load_template(tid)
    values = dict(d["values"])
    res = compute(t, values)
    for n in t.leaves():
        if res.needs_reason[n.id]:
            values[f"{n.id}.reason"] = "因财政资金不足，部分资金未能及时支付。"
    values.update({"header.filler": "张三", "header.head": "李四"})
    return d, values


def honest_file(tmp_path: Path, tid: str = "zizhou_2024", name: str = "honest.xlsx", sign_key=None) -> Path:
    d, values = honest_values(tid)
    p = tmp_path / name
    p.write_bytes(build_workbook(load_template(tid), d["department"], d["year"], values, sign_key=sign_key))
    return p


def edit(path: Path, fn, out: Path | None = None) -> Path:
    """Apply fn(workbook) through openpyxl and save (this drops every cached value, as openpyxl does)."""
    wb = openpyxl.load_workbook(path)
    fn(wb)
    out = out or path.with_name(path.stem + "-edited.xlsx")
    wb.save(out)
    return out


def patch_part(path: Path, part: str, fn, out: Path) -> Path:
    """Rewrite one XML part of the zip with fn(text) -> text, everything else byte for byte."""
    src = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == part:
                data = fn(data.decode("utf-8")).encode("utf-8")
            dst.writestr(item, data)
    out.write_bytes(buf.getvalue())
    return out


def set_cached(text: str, ref: str, value: str) -> str:
    """Change the cached <v> of formula cell ref, leaving its formula alone."""
    pat = re.compile(rf'(<c r="{ref}"[^>]*>(?:<f>[^<]*</f>)?<v>)([^<]*)(</v>)')
    new, n = pat.subn(lambda m: m.group(1) + value + m.group(3), text)
    assert n == 1, f"cell {ref} not found with a cached value"
    return new


def layout(tid: str = "zizhou_2024"):
    return build_layout(load_template(tid))
