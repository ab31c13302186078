"""Hostile and broken files each give a clear finding; a batch goes on and consolidates the good ones."""

import hashlib
import io
import json
import os
import re
import zipfile

import openpyxl
import pytest

from reader.helpers import edit, honest_file, patch_part
from workbook_builder.cli import main
from workbook_builder.libreoffice import soffice
from workbook_builder.reader import consolidate

BOMB = b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><sst>&lol2;</sst>"


def add_part(src, name, data, out):
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as s, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as d:
        for item in s.infolist():
            d.writestr(item, s.read(item.filename))
        d.writestr(name, data)
    out.write_bytes(buf.getvalue())
    return out


def bad_files(tmp_path, good):
    d = tmp_path
    (d / "csv-renamed.xlsx").write_text("部门,得分\n甲,90\n", encoding="utf-8")
    (d / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (d / "truncated.xlsx").write_bytes(good.read_bytes()[:3000])
    add_part(good, "xl/vbaProject.bin", b"VBA" * 100, d / "macro.xlsm")
    add_part(good, "xl/externalLinks/externalLink1.xml", b"<externalLink/>", d / "links.xlsx")
    add_part(good, "xl/bomb.bin", b"\0" * (120 * 1024 * 1024), d / "bomb.xlsx")
    patch_part(good, "xl/sharedStrings.xml", lambda x: BOMB.decode(), d / "entities.xlsx")
    huge = "".join(f'<c r="A{i}"><v>1</v></c>' for i in range(1, 300_005))
    patch_part(good, "xl/worksheets/sheet2.xml",
               lambda x: x.replace("<sheetData>", f"<sheetData><row r=\"1\">{huge}</row>", 1), d / "huge.xlsx")
    edit(good, lambda wb: wb.remove(wb["自评表"]), d / "no-table.xlsx")
    return {"csv-renamed.xlsx": "not-a-workbook", "old.xls": "encrypted-or-legacy", "truncated.xlsx": "corrupt-file",
            "macro.xlsm": "macros-present", "links.xlsx": "external-links", "bomb.xlsx": "zip-bomb",
            "entities.xlsx": "xml-entities", "huge.xlsx": "file-too-large", "no-table.xlsx": "sheet-missing"}


def test_batch_reports_every_bad_file_and_consolidates_the_good(tmp_path):
    good = honest_file(tmp_path, name="good-1.xlsx")
    honest_file(tmp_path, "hengyang_2022", name="good-2.xlsx")
    want = bad_files(tmp_path, good)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    frames = consolidate([tmp_path])
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    assert before == after  # the reader never writes to a returned file
    found = dict(zip(frames["问题"]["文件"], frames["问题"]["代码"]))
    for name, code in want.items():
        assert name in set(frames["问题"]["文件"]), name
        assert code in set(frames["问题"][frames["问题"]["文件"] == name]["代码"]), (name, found.get(name))
    summary = frames["汇总"].set_index("文件")
    assert summary.loc["good-1.xlsx", "结论"] == "通过" and summary.loc["good-1.xlsx", "重算总分"] == 93
    assert summary.loc["good-2.xlsx", "部门"] == "衡阳县自然资源局"
    scores = {k: v for k, v in frames.items() if k.startswith("得分")}
    assert sorted(scores) == ["得分-子洲县2024", "得分-衡阳县2022"]  # one score sheet per template and year
    assert scores["得分-子洲县2024"].set_index("文件").loc["good-1.xlsx", "投入·预算配置·在职人员控制率"] == 5


def test_validate_command_exit_codes_json_and_report(tmp_path, capsys):
    good = honest_file(tmp_path, name="good.xlsx")
    assert main(["validate", str(good)]) == 0
    capsys.readouterr()
    bad = edit(good, lambda wb: wb["基础数据"].__setitem__("D4", "=SUM(A1)"))
    assert main(["validate", "--json", "--report", str(tmp_path / "报告.xlsx"), str(good), str(bad)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [r["valid"] for r in out] == [True, False]
    assert out[1]["department"] == "子洲县自然资源和规划局" and out[1]["total"] is None  # an input left empty: no total
    # a formula typed into an input cell is refused as such, and (no value saved) the input counts as empty
    d4 = [f["code"] for f in out[1]["findings"] if f["cell"] == "D4"]
    assert d4 == ["input-formula", "required-missing"]
    assert main(["validate", str(tmp_path / "nothing-here.xlsx")]) == 2


def test_report_writes_formula_like_text_as_text(tmp_path):
    good = honest_file(tmp_path, name="good.xlsx")
    bad = edit(good, lambda wb: wb["自评表"].__setitem__("Z300", "=HYPERLINK(\"http://evil\")"))
    assert main(["validate", "--report", str(tmp_path / "r.xlsx"), str(bad)]) == 1
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["问题"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_consolidate_command_with_processes(tmp_path, capsys):
    honest_file(tmp_path, name="a.xlsx")
    honest_file(tmp_path, "longxian_2023", name="b.xlsx")
    out = tmp_path / "汇总表.xlsx"
    assert main(["consolidate", str(tmp_path), "-o", str(out), "--jobs", "2"]) == 0
    assert "已汇总 2 份" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    # two templates in one folder: one 得分 sheet each, and the odd one out flagged on 汇总
    assert wb.sheetnames == ["汇总", "得分-陇县2023", "得分-子洲县2024", "问题"] and wb["汇总"].auto_filter.ref
    remarks = [c.value for c in wb["汇总"]["M"][2:] if c.value]
    assert len(remarks) == 1 and "模板或年度与其他文件不同" in remarks[0]


@pytest.mark.skipif(soffice() is None and not os.environ.get("CI"), reason="LibreOffice not installed")
def test_sign_key_files_on_the_command_line(tmp_path, capsys):
    key = tmp_path / "bureau.key"
    key.write_bytes(b"secret\n")
    other = tmp_path / "other.key"
    other.write_bytes(b"another")
    out = tmp_path / "signed.xlsx"
    assert main(["build", "--inputs", "examples/zizhou_2024.inputs.yaml", "--sign-key", str(key), "-o", str(out)]) == 0
    capsys.readouterr()
    main(["validate", "--json", "--sign-key", str(key), str(out)])
    assert "signature-invalid" not in capsys.readouterr().out
    assert main(["validate", "--json", "--sign-key", str(other), str(out)]) == 1
    assert "signature-invalid" in capsys.readouterr().out


def test_consolidate_flags_a_department_returned_twice_and_shows_subfolders(tmp_path):
    sub = tmp_path / "一组"
    sub.mkdir()
    honest_file(tmp_path, name="a.xlsx")
    honest_file(sub, name="a-again.xlsx")
    fr = consolidate([tmp_path])
    s = fr["汇总"].set_index("文件")
    assert set(s.index) == {"a.xlsx", "一组/a-again.xlsx"}
    assert all("同一部门重复提交" in s.loc[f, "备注"] for f in s.index)
    assert set(fr["问题"]["严重程度"]) <= {"错误", "警告"}
    assert not [c for c in fr["得分"].columns if re.search(r"[A-Za-z_]{2,}", c)]  # Chinese headers only
