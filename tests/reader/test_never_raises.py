"""Issue 9's reader reproducers: each hostile or broken file is a finding for that file, within bounds."""

import json
import os
import re
import signal
import time

import pytest

from reader.helpers import honest_file, patch_part
from workbook_builder.cli import main
from workbook_builder.reader import validate as validate_module
from workbook_builder.reader import validate_file
from workbook_builder.reader.batch import collect, validate_many

INPUTS = "xl/worksheets/sheet2.xml"
TABLE = "xl/worksheets/sheet3.xml"
META = "xl/worksheets/sheet5.xml"


@pytest.fixture()
def good(tmp_path):
    return honest_file(tmp_path, "qingcheng_2024", name="good.xlsx")


def _input_value(text: str, value: str, row: int = 4) -> str:
    return re.sub(rf'<c r="D{row}"([^>]*?)(/>|>.*?</c>)', rf'<c r="D{row}"\1><v>{value}</v></c>', text, count=1)


def codes(rep, cell=None):
    return [f.code for f in rep.findings if cell is None or f.cell == cell]


@pytest.mark.parametrize("value", ["NaN", "INF", "-INF", "1e400", "１２３", "0x10"])
def test_non_finite_huge_or_full_width_money_input_is_not_a_number(good, tmp_path, value):
    p = patch_part(good, INPUTS, lambda x: _input_value(x, value), tmp_path / "x.xlsx")
    rep = validate_file(p)
    assert "not-a-number" in codes(rep, "D4") and not rep.valid


@pytest.mark.parametrize("value", ["NaN", "INF", "1e400"])
def test_non_finite_cached_score_is_a_mismatch_not_a_crash(good, tmp_path, value):
    p = patch_part(good, TABLE, lambda x: re.sub(r"(<c r=\"J34\"[^>]*>(?:<f>[^<]*</f>))<v>[^<]*</v>", rf"\1<v>{value}</v>", x),
                   tmp_path / "x.xlsx")
    assert "cached-value-mismatch" in codes(validate_file(p))


@pytest.mark.parametrize("index", ["99999", "-1", "abc", "1.5"])
def test_shared_string_index_out_of_range_or_not_a_number(good, tmp_path, index):
    p = patch_part(good, INPUTS, lambda x: re.sub(r'<c r="B4"([^>]*?)t="s"([^>]*)><v>\d+</v>', rf'<c r="B4"\1t="s"\2><v>{index}</v>', x),
                   tmp_path / "x.xlsx")
    rep = validate_file(p)
    assert codes(rep) == ["xml-invalid"] and "B4" in rep.findings[0].detail


def test_removed_shared_strings_part(good, tmp_path):
    import io
    import zipfile
    src = zipfile.ZipFile(good)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in src.infolist():
            if i.filename != "xl/sharedStrings.xml":
                z.writestr(i, src.read(i))
    (tmp_path / "x.xlsx").write_bytes(buf.getvalue())
    # the workbook's relationships name a part that is not there: Excel calls the file damaged
    assert codes(validate_file(tmp_path / "x.xlsx")) == ["package-invalid"]


@pytest.mark.parametrize("year", ["1e400", "NaN", "9" * 40, "２０２４"])
def test_year_in_metadata_overflowing_or_odd(good, tmp_path, year):
    p = patch_part(good, "xl/sharedStrings.xml", lambda x: x.replace("<t>2024</t>", f"<t>{year}</t>"), tmp_path / "x.xlsx")
    rep = validate_file(p)
    assert not rep.valid and "unreadable" not in codes(rep)


def test_central_directory_of_an_unknown_version_is_corruption(good, tmp_path):
    data = bytearray(good.read_bytes())
    i = data.find(b"PK\x01\x02")
    data[i + 6:i + 8] = (84).to_bytes(2, "little")  # "zip file version 8.4"
    (tmp_path / "x.xlsx").write_bytes(bytes(data))
    assert codes(validate_file(tmp_path / "x.xlsx")) == ["corrupt-file"]


@pytest.mark.parametrize("where", ["crc", "deflate"])
def test_damaged_entries_are_corruption_not_xml(good, tmp_path, where):
    import zipfile
    info = zipfile.ZipFile(good).getinfo(TABLE)
    data = bytearray(good.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    if where == "crc":  # the CRC-32 in the central directory no longer matches the content
        cd = data.find(info.filename.encode(), data.find(b"PK\x01\x02")) - 46
        data[cd + 16] ^= 0xFF
    else:  # deflated bytes damaged in the middle of the entry
        mid = start + info.compress_size // 2
        data[mid:mid + 64] = bytes(b ^ 0x5A for b in data[mid:mid + 64])
    (tmp_path / "x.xlsx").write_bytes(bytes(data))
    rep = validate_file(tmp_path / "x.xlsx")
    assert codes(rep) == ["corrupt-file"], rep.flatten(["code", "detail"])


@pytest.mark.parametrize("ref", ["a20", "1A", "", "XFE1", "A0"])
def test_invalid_cell_reference_is_named_not_mapped_to_a1(good, tmp_path, ref):
    p = patch_part(good, TABLE, lambda x: x.replace('r="J34"', f'r="{ref}"', 1), tmp_path / "x.xlsx")
    rep = validate_file(p)
    assert codes(rep) == ["xml-invalid"] and f"“{ref}”" in rep.findings[0].detail  # named as typed, in Chinese quotes


def test_missing_cell_reference_means_the_next_column(good, tmp_path):
    """Excel allows r to be left out; the reader places the cell as Excel does and the file stays valid."""
    p = patch_part(good, INPUTS, lambda x: re.sub(r'(<row r="5"[^>]*>(?:<c [^>]*?(?:/>|>.*?</c>))<c) r="B5"', r"\1", x, count=1),
                   tmp_path / "x.xlsx")
    assert validate_file(p).valid


@pytest.mark.parametrize("ranges", [99_000, 30_000])
def test_huge_validation_range_lists_are_refused_quickly(good, tmp_path, ranges):
    sq = " ".join(f"A{i}:Z{i + 3000}" for i in range(1, ranges))
    p = patch_part(good, INPUTS, lambda x: re.sub(r'(<dataValidation [^>]*?)sqref="D4"', rf'\1sqref="{sq}"', x, count=1),
                   tmp_path / "x.xlsx")
    assert codes(validate_file(p)) == ["file-too-large"]  # refused by the bound, not by the time limit


def test_cell_count_is_checked_before_parsing(good, tmp_path):
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(100, 300_200))
    p = patch_part(good, INPUTS, lambda x: x.replace("</sheetData>", rows + "</sheetData>"), tmp_path / "x.xlsx")
    assert codes(validate_file(p)) == ["file-too-large"]


def test_time_limit_turns_a_slow_file_into_a_finding(good, monkeypatch):
    def slow(*a, **k):
        time.sleep(5)
    monkeypatch.setattr(validate_module, "_validate", slow)
    rep = validate_file(good, time_limit=0.5)
    assert codes(rep) == ["too-slow"]  # the 5 s sleep was interrupted: no result, one finding


def test_a_pipe_or_folder_is_a_finding_not_a_hang(tmp_path):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    assert codes(validate_file(fifo)) == ["unreadable"]
    assert codes(validate_file(tmp_path)) == ["unreadable"]


def test_a_killed_worker_costs_one_file_not_the_batch(tmp_path, monkeypatch):
    files = [honest_file(tmp_path, "zizhou_2024", name=f"{i}.xlsx") for i in range(4)]
    real = validate_module.validate_file

    def dies_on_2(path, *a, **k):  # the out-of-memory killer's SIGKILL, in the worker only
        if str(path).endswith("2.xlsx"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, *a, **k)
    monkeypatch.setattr(validate_module, "validate_file", dies_on_2)
    reports = list(validate_many(files, jobs=2, progress=False))
    assert [r.valid for r in reports] == [True, True, False, True]
    assert codes(reports[2]) == ["unreadable"] and "意外终止" in reports[2].findings[0].detail


def test_folder_scan_accounts_for_every_file(good, tmp_path, capsys):
    d = tmp_path / "returns"
    d.mkdir()
    (d / "a.xlsx").write_bytes(good.read_bytes())
    (d / "b.ods").write_bytes(b"PK\x03\x04junk")
    (d / "c").write_bytes(good.read_bytes())
    (d / "d.xlsb").write_bytes(b"\x00\x01")
    (d / "~$a.xlsx").write_bytes(b"owner")
    assert [p.name for p in collect([d])] == ["a.xlsx", "b.ods", "c", "d.xlsb"]
    assert main(["validate", str(d)]) == 1
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == "共 4 份：通过 2，未通过 0，无法读取 2"


def test_json_output_is_strict(good, tmp_path, capsys):
    p = patch_part(good, INPUTS, lambda x: _input_value(x, "1e400"), tmp_path / "x.xlsx")
    assert main(["validate", "--json", str(p)]) == 1

    def no_constants(c):
        raise ValueError(c)
    out = json.loads(capsys.readouterr().out, parse_constant=no_constants)
    assert out[0]["valid"] is False


def test_exit_status_two_when_the_command_cannot_run(good, tmp_path, capsys):
    assert main(["validate", "--sign-key", str(tmp_path / "missing.key"), str(good)]) == 2
    assert "签名密钥" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "nothing")]) == 2


def test_a_boolean_typed_into_an_input_is_a_type_finding(good, tmp_path):
    """LibreOffice saves =TRUE() typed into an input as a formula with a boolean value."""
    p = patch_part(good, INPUTS, lambda x: re.sub(r'<c r="D4"([^>]*?)(/>|>.*?</c>)', r'<c r="D4"\1 t="b"><f>TRUE()</f><v>1</v></c>', x, count=1),
                   tmp_path / "x.xlsx")
    got = codes(validate_file(p), "D4")
    assert got == ["input-formula", "not-a-number"]
