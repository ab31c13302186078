"""The .xlsm variant: xlwings.conf is locked content, 校验结果 is no evidence, and the VBA project is
ours byte for byte or exactly LibreOffice's rewrite of it. One row per tampering: kind -> code, sheet, cell.
"""

import io
import re
import zipfile

import olefile
import pytest

from reader.helpers import honest_values, layout, patch_part, set_cached
from workbook_builder.layout import cell
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.loader import load_template
from workbook_builder.macros import (
    CHECK_CELL,
    CHECK_SHEET,
    CONF_ROWS,
    CONF_SHEET,
    VBA_PATH,
    is_our_vba,
)
from workbook_builder.reader import validate_file
from workbook_builder.reader.package import open_workbook
from workbook_builder.reader.xlsx import read_book
from workbook_builder.render import build_workbook
from workbook_builder.vba import LO_VBA_PROJECT, libreoffice_rewrite

TOTAL = cell(*layout().total_cell)
CHECK = cell(*CHECK_CELL)


def conf_ref(key: str, col: int = 1) -> str:
    return cell(next(r for r, (k, _) in enumerate(CONF_ROWS) if k == key), col)


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    d, values = honest_values("zizhou_2024")
    p = tmp_path_factory.mktemp("xlsm") / "m.xlsm"
    p.write_bytes(build_workbook(load_template("zizhou_2024"), d["department"], d["year"], values, macros=True))
    return p


def part_of(path, sheet: str) -> str:
    return read_book(open_workbook(path), load=set()).sheets[sheet].part


def _text(ref: str, text: str):
    """Cell ``ref`` of a sheet's XML set to inline text (added to its row if it is not there)."""
    def fn(x):
        new = f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'
        out, n = re.subn(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', lambda m: new, x, count=1)
        if n:
            return out
        row = re.match(r"[A-Z]+(\d+)", ref).group(1)
        out, n = re.subn(rf'(<row r="{row}"[^>]*>)(.*?)(</row>)', lambda m: m.group(1) + m.group(2) + new + m.group(3), x, count=1)
        return out if n else x.replace("</sheetData>", f'<row r="{row}">{new}</row></sheetData>')
    return fn


def _conf(ref, text):
    return lambda p, out: patch_part(p, part_of(p, CONF_SHEET), _text(ref, text), out)


def _check_typed(p, out):
    return patch_part(p, part_of(p, CHECK_SHEET), _text(CHECK, "未发现问题"), out)


def _check_cached_claim_with_a_real_error(p, out):
    """The WB_CHECK formula kept, its cached text says nothing is wrong, and the total is typed over."""
    mid = out.with_name("mid.xlsm")
    patch_part(p, part_of(p, CHECK_SHEET), lambda x: x.replace("<f>WB_CHECK()</f><v></v>",
                                                                "<f>WB_CHECK()</f><v>未发现问题。重新计算总分 93</v>").replace(
        f'<c r="{CHECK}">', f'<c r="{CHECK}" t="str">'), mid)
    return patch_part(mid, part_of(mid, "自评表"), lambda x: set_cached(x, TOTAL, "100"), out)


def _vba(edit_streams):
    """The VBA project with some OLE streams rewritten (same sizes), everything else byte for byte."""
    def fn(p, out):
        z = zipfile.ZipFile(p)
        project = bytearray(z.read("xl/vbaProject.bin"))
        f = out.with_name("vba.bin")
        f.write_bytes(bytes(project))
        ole = olefile.OleFileIO(str(f), write_mode=True)
        for name, change in edit_streams.items():
            data = ole.openstream(name).read()
            ole.write_stream(name, change(data))
        ole.close()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as w:
            for i in z.infolist():
                w.writestr(i, f.read_bytes() if i.filename == "xl/vbaProject.bin" else z.read(i.filename))
        out.write_bytes(buf.getvalue())
        return out
    return fn


def _flip(at):
    return lambda d: d[:at] + bytes([d[at] ^ 0x01]) + d[at + 1:]


# (kind, make(src, out), expected [code, sheet, cell])
MACRO = [
    ("UDF Modules changed", _conf(conf_ref("UDF Modules"), "evil_module"), ["locked-value-changed", CONF_SHEET, conf_ref("UDF Modules")]),
    ("Interpreter_Win changed", _conf(conf_ref("Interpreter_Win"), r"C:\temp\python.exe"),
     ["locked-value-changed", CONF_SHEET, conf_ref("Interpreter_Win")]),
    ("PYTHONPATH set", _conf(conf_ref("PYTHONPATH"), r"\\server\share"), ["locked-value-changed", CONF_SHEET, conf_ref("PYTHONPATH")]),
    ("setting added to xlwings.conf", _conf(cell(len(CONF_ROWS), 0), "ONEDRIVE_COMMERCIAL_WIN"),
     ["unexpected-content", CONF_SHEET, cell(len(CONF_ROWS), 0)]),
    ("校验结果 A4 typed", _check_typed, ["formula-replaced", CHECK_SHEET, CHECK]),
    ("校验结果 cached claim on a file with errors", _check_cached_claim_with_a_real_error,
     ["check-sheet-not-evidence", CHECK_SHEET, CHECK]),
    ("p-code byte flipped", _vba({"VBA/Module1": _flip(10)}), ["macros-present", "", ""]),
    ("dir stream byte flipped", _vba({"VBA/dir": _flip(40)}), ["macros-present", "", ""]),
    ("PROJECT stream edited", _vba({"PROJECT": lambda d: d.replace(b'Name="VBAProject"', b'Name="VBAProjecx"')}),
     ["macros-present", "", ""]),
]


@pytest.mark.parametrize("name,make,want", MACRO, ids=[m[0] for m in MACRO])
def test_macro_variant_tampering_is_found(honest, tmp_path, name, make, want):
    rep = validate_file(make(honest, tmp_path / "x.xlsm"))
    assert want in rep.flatten(["code", "sheet", "cell"]), rep.flatten(["code", "sheet", "cell"])
    assert not rep.valid


def test_honest_xlsm_is_clean(honest):
    assert validate_file(honest).findings == []
    assert is_our_vba(VBA_PATH.read_bytes()) and libreoffice_rewrite(VBA_PATH.read_bytes(), VBA_PATH.read_bytes())


@pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed")
@pytest.mark.libreoffice
def test_libreoffice_rewrite_is_recognised_exactly(honest, tmp_path):
    (out,) = convert([honest], tmp_path / "lo", to="xlsm:Calc MS Excel 2007 VBA XML")
    rewrite = zipfile.ZipFile(out).read("xl/vbaProject.bin")
    assert rewrite != VBA_PATH.read_bytes() and libreoffice_rewrite(rewrite, VBA_PATH.read_bytes()) == ""
    assert validate_file(out).findings == []
    # the same rewrite with one more change is not LibreOffice's: p-code claimed, a source byte, the module map
    f = tmp_path / "r.bin"
    for name, change in (("VBA/_VBA_PROJECT", lambda d: d[:5] + b"\x01" + d[6:]),
                         ("VBA/Module1", _flip(len(LO_VBA_PROJECT) + 40)),
                         ("PROJECTwm", lambda d: d.replace(b"Module1", b"Module2", 1))):
        f.write_bytes(rewrite)
        ole = olefile.OleFileIO(str(f), write_mode=True)
        ole.write_stream(name, change(ole.openstream(name).read()))
        ole.close()
        assert libreoffice_rewrite(f.read_bytes(), VBA_PATH.read_bytes()) != "", name
        assert not is_our_vba(f.read_bytes()), name
