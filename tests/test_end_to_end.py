"""A bureau's year, end to end: prefill-template → filled like an accountant would → bulk build →
LibreOffice recalculates every return → consolidate → the 汇总表 printed to PDF."""

import os
import subprocess

import openpyxl
import pytest
import yaml

from workbook_builder.cli import main
from workbook_builder.engine import compute
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.loader import load_template
from workbook_builder.prefill import item_names
from workbook_builder.reader import consolidate
from workbook_builder.tables import fold

pytestmark = pytest.mark.libreoffice
if soffice() is None and not os.environ.get("CI"):
    pytestmark = [pytestmark, pytest.mark.skip(reason="LibreOffice not installed (CI installs it)")]

DEPTS = ["庆城县自然资源局", "庆城县住房和城乡建设局", "庆城县市场监督管理局", "庆城县林业和草原局", "庆城县农业农村局"]


def test_prefill_template_to_consolidated_report(tmp_path):
    t = load_template("qingcheng_2024")
    seed = yaml.safe_load(open("examples/qingcheng_2024.inputs.yaml", encoding="utf-8"))["values"]
    names = item_names(t)
    lst = tmp_path / "名单.xlsx"
    assert main(["prefill-template", "--template", "qingcheng_2024", "-o", str(lst)]) == 0
    wb = openpyxl.load_workbook(lst)
    ws = wb["名单"]
    heads = [c.value for c in ws[3]]
    expected = {}
    for i, dept in enumerate(DEPTS):
        r = 5 + i + (1 if i >= 3 else 0)  # a blank row left in the middle, as people do
        ws.cell(r, 1, dept)
        ws.cell(r, 2, 2024)
        values = {}
        for c, h in enumerate(heads[2:], start=3):
            inp = names.get(fold(h.split("（")[0])) or names.get(fold(h))
            v = seed.get(inp.id) if inp else None
            if v is None:
                continue
            if inp.type == "percent":
                v = round(v - 0.01 * i, 4)
            ws.cell(r, c, v)
            values[inp.id] = v
        expected[dept] = compute(t, values).total
    wb.save(lst)
    out = tmp_path / "下发"
    assert main(["build", "--template", "qingcheng_2024", "--prefill", str(lst), "--out-dir", str(out)]) == 0
    returned = tmp_path / "回收"
    convert(sorted(out.glob("*.xlsx")), returned)  # each department opens, recalculates and saves in LibreOffice
    fr = consolidate([returned])
    s = fr["汇总"].set_index("部门")
    assert sorted(s.index) == sorted(DEPTS)
    for dept, total in expected.items():
        assert s.loc[dept, "重算总分"] == s.loc[dept, "表内总分"] == total, dept
    report = tmp_path / "汇总表.xlsx"
    assert main(["consolidate", str(returned), "-o", str(report)]) in (0, 1)
    (pdf,) = convert([report], tmp_path / "pdf", to="pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    w, h = [float(x) for x in info.split("Page size:")[1].split("pts")[0].split(" x ")]
    assert w > h  # landscape
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert all(d in text for d in DEPTS)  # every name in full


def test_gbk_csv_with_a_title_row_builds_the_same_workbooks(tmp_path):
    csv = tmp_path / "名单.csv"
    csv.write_bytes("2024年部门名单（财政局）\n部门（单位）名称,年度,职工满意度,办公用品保障率\n甲局,2024,95%,0.9\n\n乙局,2024,96.5%,0.92\n".encode("gbk"))
    assert main(["build", "--template", "qingcheng_2024", "--prefill", str(csv), "--out-dir", str(tmp_path / "o")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "o" / "乙局-2024.xlsx")
    cells = {c.value for row in wb["自评表"].iter_rows() for c in row}
    assert 0.965 in cells and 0.92 in cells
