"""The package is read as Excel reads it, and a file Excel could not open is not valid.

One row per tampering with the package or the zip around it: kind -> expected code (the file is
refused as a whole, so no sheet or cell). Each row builds a file from an honest return; a second
workbook, styles or shared strings part with a decoy at the usual name is the parser differential
of issue 20, the zip faults are issue 24's "passes validate but does not open".
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

import pytest

from reader.helpers import TABLE_PART, honest_file, layout, set_cached
from workbook_builder.layout import cell
from workbook_builder.reader import validate_file
from workbook_builder.reader.package import open_workbook, rels_name

LAY = layout()
TOTAL = cell(*LAY.total_cell)
CT = "[Content_Types].xml"
WB_RELS = "xl/_rels/workbook.xml.rels"
WS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def write(parts_: dict[str, bytes], out, method=zipfile.ZIP_DEFLATED, methods: dict | None = None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in parts_.items():
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data,
                       compress_type=(methods or {}).get(name, method))
    out.write_bytes(buf.getvalue())
    return out


def _override(p, name, ct):
    p[CT] = p[CT].replace(b"</Types>", f'<Override PartName="/{name}" ContentType="{ct}"/></Types>'.encode())


def _tampered_table(p) -> bytes:
    return set_cached(p[TABLE_PART].decode(), TOTAL, "100").encode()


def second_workbook(p):
    """_rels/.rels names a second workbook whose 自评表 shows 100; the honest xl/workbook.xml stays as a decoy."""
    p["xl/book2.xml"] = p["xl/workbook.xml"]
    p["xl/_rels/book2.xml.rels"] = p[WB_RELS].replace(b"worksheets/sheet3.xml", b"worksheets/sheet3b.xml")
    p["xl/worksheets/sheet3b.xml"] = _tampered_table(p)
    _override(p, "xl/book2.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
    _override(p, "xl/worksheets/sheet3b.xml", WS_CT)
    p["_rels/.rels"] = p["_rels/.rels"].replace(b'Target="xl/workbook.xml"', b'Target="xl/book2.xml"')


def redirected_sheet(p):
    """The workbook's relationship to the 自评表 points at another part; the honest sheet3.xml is a decoy."""
    p["xl/worksheets/sheet9.xml"] = _tampered_table(p)
    _override(p, "xl/worksheets/sheet9.xml", WS_CT)
    p[WB_RELS] = p[WB_RELS].replace(b"worksheets/sheet3.xml", b"worksheets/sheet9.xml")


def _redirect(part: str, new: str, ct: str, change=lambda b: b):
    def fn(p):
        p[new] = change(p[part])
        _override(p, new, ct)
        rel = part.removeprefix("xl/").encode()
        p[WB_RELS] = p[WB_RELS].replace(b'Target="' + rel + b'"', b'Target="' + new.removeprefix("xl/").encode() + b'"')
    return fn


SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
redirected_styles = _redirect("xl/styles.xml", "xl/styles2.xml", SML + "styles+xml",
                              lambda b: b.replace(b'formatCode="0.00"', b'formatCode="&quot;100.00&quot;"'))
redirected_strings = _redirect("xl/sharedStrings.xml", "xl/strings2.xml", SML + "sharedStrings+xml")
redirected_theme = _redirect("xl/theme/theme1.xml", "xl/theme/theme2.xml",
                             "application/vnd.openxmlformats-officedocument.theme+xml")


def decoy_part(p):
    """A worksheet part nothing relates to (Excel never reads it)."""
    p["xl/worksheets/sheet9.xml"] = _tampered_table(p)
    _override(p, "xl/worksheets/sheet9.xml", WS_CT)


def stray_member(p):
    p["xl/media/notes.txt"] = b"hidden"
    p[CT] = p[CT].replace(b"</Types>", b'<Default Extension="txt" ContentType="text/plain"/></Types>')


def _add_rel(source_rels: str, typ: str, target: str):
    def fn(p, ct=None, data=b"<x/>", name=None):
        rel = f'<Relationship Id="rId99" Type="{typ}" Target="{target}"/>'.encode()
        p[source_rels] = p[source_rels].replace(b"</Relationships>", rel + b"</Relationships>")
    return fn


def chartsheet(p):
    """A chartsheet (a sheet Excel shows) related from the workbook: not a part of our workbooks."""
    p["xl/chartsheets/sheet1.xml"] = b'<chartsheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    _override(p, "xl/chartsheets/sheet1.xml", SML + "chartsheet+xml")
    _add_rel(WB_RELS, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet",
             "chartsheets/sheet1.xml")(p)


def macrosheet(p):
    p["xl/macrosheets/sheet1.xml"] = b'<worksheet xmlns="http://schemas.microsoft.com/office/excel/2006/main"/>'
    _override(p, "xl/macrosheets/sheet1.xml", "application/vnd.ms-excel.macrosheet+xml")
    _add_rel(WB_RELS, "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet",
             "macrosheets/sheet1.xml")(p)


def custom_xml(p):
    p["customXml/item1.xml"] = b"<total>100</total>"
    _add_rel("_rels/.rels", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
             "customXml/item1.xml")(p)


def unlisted_sheet(p):
    """A worksheet related from the workbook but not one of its <sheet>s."""
    p["xl/worksheets/sheet9.xml"] = p[TABLE_PART]
    _override(p, "xl/worksheets/sheet9.xml", WS_CT)
    _add_rel(WB_RELS, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet",
             "worksheets/sheet9.xml")(p)


def sheet_rel_to_styles(p):
    p["xl/workbook.xml"] = re.sub(rb'(<sheet name="[^"]*" sheetId="3" r:id=")rId3"', rb'\1rId7"', p["xl/workbook.xml"])


def workbook_content_type(p):
    p[CT] = p[CT].replace(b"spreadsheetml.sheet.main+xml", b"spreadsheetml.template.main+xml")


def no_root_rels(p):
    del p["_rels/.rels"]


def broken_content_types(p):
    p[CT] = p[CT][:-20]


def content_types_not_listing_a_part(p):
    p[CT] = re.sub(rb'<Override PartName="/docProps/core.xml"[^>]*/>', b"", p[CT]).replace(
        b'<Default Extension="xml" ContentType="application/xml"/>', b"")


def target_outside(p):
    p[WB_RELS] = p[WB_RELS].replace(b'Target="styles.xml"', b'Target="../../styles.xml"')


def target_missing(p):
    p[WB_RELS] = p[WB_RELS].replace(b'Target="styles.xml"', b'Target="styles9.xml"')


def duplicate_rel_id(p):
    p[WB_RELS] = p[WB_RELS].replace(b'Id="rId8"', b'Id="rId7"')


def case_duplicate(p):
    p["XL/Workbook.xml"] = p["xl/workbook.xml"]


def no_styles(p):
    del p["xl/styles.xml"]
    p[WB_RELS] = re.sub(rb'<Relationship Id="rId7"[^>]*/>', b"", p[WB_RELS])


# (kind, edit of the parts, expected code)
PACKAGE = [
    ("second workbook part, honest one a decoy", second_workbook, "part-names-disagree"),
    ("sheet relationship redirected, honest sheet a decoy", redirected_sheet, "part-unreachable"),
    ("styles part redirected", redirected_styles, "part-names-disagree"),
    ("shared strings part redirected", redirected_strings, "part-names-disagree"),
    ("theme part redirected", redirected_theme, "part-unreachable"),
    ("worksheet part nothing relates to", decoy_part, "part-unreachable"),
    ("stray member", stray_member, "part-unreachable"),
    ("chartsheet", chartsheet, "part-unexpected"),
    ("macro sheet (XLM)", macrosheet, "part-unexpected"),
    ("custom XML part", custom_xml, "part-unexpected"),
    ("worksheet related but not listed", unlisted_sheet, "part-unreachable"),
    ("sheet's r:id names the styles part", sheet_rel_to_styles, "package-invalid"),
    ("workbook content type changed", workbook_content_type, "package-invalid"),
    ("_rels/.rels missing", no_root_rels, "package-invalid"),
    ("[Content_Types].xml broken", broken_content_types, "package-invalid"),
    ("a part without a content type", content_types_not_listing_a_part, "package-invalid"),
    ("relationship leaves the package", target_outside, "package-invalid"),
    ("relationship to a missing part", target_missing, "package-invalid"),
    ("relationship id twice", duplicate_rel_id, "package-invalid"),
    ("same part name in two cases", case_duplicate, "duplicate-part"),
    ("styles part removed", no_styles, "package-invalid"),
]


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    return honest_file(tmp_path_factory.mktemp("pkg"), name="honest.xlsx")


@pytest.mark.parametrize("name,fn,code", PACKAGE, ids=[m[0] for m in PACKAGE])
def test_package_tampering_is_refused(honest, tmp_path, name, fn, code):
    p = parts(honest)
    fn(p)
    rep = validate_file(write(p, tmp_path / "x.xlsx"))
    assert rep.flatten(["code"]) == [[code]], rep.flatten(["code", "detail"])
    assert not rep.valid and rep.unreadable


def test_honest_file_rewritten_part_by_part_passes(honest, tmp_path):
    """The rewriting itself (another zip writer, other member order) is not what is refused."""
    p = parts(honest)
    p = dict(reversed(list(p.items())))
    assert validate_file(write(p, tmp_path / "x.xlsx")).findings == []


def test_parts_are_found_through_the_relationships(honest, tmp_path):
    """A sheet stored under another name (no decoy) is read from there: the fingerprint and the values are
    those of the part Excel shows."""
    p = parts(honest)
    p["xl/worksheets/sheet9.xml"] = _tampered_table(p)
    del p[TABLE_PART]
    p[CT] = p[CT].replace(b"/xl/worksheets/sheet3.xml", b"/xl/worksheets/sheet9.xml")
    p[WB_RELS] = p[WB_RELS].replace(b"worksheets/sheet3.xml", b"worksheets/sheet9.xml")
    rep = validate_file(write(p, tmp_path / "x.xlsx"))
    assert ["cached-value-mismatch", "自评表", TOTAL] in rep.flatten(["code", "sheet", "cell"])
    pkg = open_workbook(tmp_path / "x.xlsx").package
    assert pkg.part("workbook") == "xl/workbook.xml" and pkg.part("styles") == "xl/styles.xml"
    assert "xl/worksheets/sheet9.xml" in pkg.related("xl/workbook.xml", "worksheet")
    assert rels_name("xl/workbook.xml") == WB_RELS and rels_name("") == "_rels/.rels"


# ---- the zip around the package: every member, whether the reader needs it or not


def _bzip2_member(src, out):
    return write(parts(src), out, methods={"docProps/core.xml": zipfile.ZIP_BZIP2})


def _lzma_member(src, out):
    return write(parts(src), out, methods={"xl/theme/theme1.xml": zipfile.ZIP_LZMA})


def _crc_error_in_unread_part(src, out):
    data = bytearray(write(parts(src), out, method=zipfile.ZIP_STORED).read_bytes())
    i = data.find(b"<cp:coreProperties")
    data[i + 1] ^= 0x01  # the stored bytes of docProps/core.xml, which the reader never parses
    out.write_bytes(bytes(data))
    return out


def _trailing_junk(src, out):
    out.write_bytes(src.read_bytes() + b"JUNK" * 50)
    return out


def _junk_before(src, out):
    out.write_bytes(b"PK" + b"\0" * 100 + src.read_bytes())  # starts like a zip, as a self-extractor might
    return out


def _junk_between(src, out):
    """Bytes between two members (the offsets in the directory adjusted): a hidden payload."""
    data = src.read_bytes()
    z = zipfile.ZipFile(io.BytesIO(data))
    infos = sorted(z.infolist(), key=lambda i: i.header_offset)
    cut = infos[1].header_offset
    pad = b"\0HIDDEN\0" * 8
    data = data[:cut] + pad + data[cut:]
    end = data.rfind(b"PK\x05\x06")
    cd_off, = struct.unpack("<I", data[end + 16:end + 20])
    cd = bytearray(data[cd_off:end])
    pos = 0
    while pos < len(cd):
        nlen, elen, clen = struct.unpack("<HHH", cd[pos + 28:pos + 34])
        off, = struct.unpack("<I", cd[pos + 42:pos + 46])
        if off >= cut:
            cd[pos + 42:pos + 46] = struct.pack("<I", off + len(pad))
        pos += 46 + nlen + elen + clen
    data = data[:cd_off] + bytes(cd) + data[end:end + 16] + struct.pack("<I", cd_off) + data[end + 20:]
    out.write_bytes(data)
    return out


def _duplicate_member(src, out):
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as s, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as d:
        for i in s.infolist():
            d.writestr(i.filename, s.read(i.filename))
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d.writestr(TABLE_PART, _tampered_table(parts(src)))
    out.write_bytes(buf.getvalue())
    return out


def _declared_size_lies(src, out):
    """A member larger than its directory entry says (a 'small' part that inflates to 20 MB)."""
    p = parts(src)
    p["docProps/core.xml"] = p["docProps/core.xml"] + b" " * 20_000_000
    data = bytearray(write(p, out).read_bytes())
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = z.getinfo("docProps/core.xml")
    end = data.rfind(b"PK\x05\x06")
    cd_off, = struct.unpack("<I", data[end + 16:end + 20])
    pos = cd_off
    while pos < end:
        nlen, elen, clen = struct.unpack("<HHH", data[pos + 28:pos + 34])
        if data[pos + 46:pos + 46 + nlen] == b"docProps/core.xml":
            data[pos + 24:pos + 28] = struct.pack("<I", 600)  # declared uncompressed size
        pos += 46 + nlen + elen + clen
    head = info.header_offset
    data[head + 22:head + 26] = struct.pack("<I", 600)
    out.write_bytes(bytes(data))
    return out


def _folder_with_data(src, out):
    p = parts(src)
    p["xl/media/"] = b"<total>100</total>"
    return write(p, out)


def _local_header_differs(src, out):
    """The local header of a member gives another size than the directory (streaming readers trust it)."""
    data = bytearray(src.read_bytes())
    info = zipfile.ZipFile(src).getinfo(TABLE_PART)
    at = info.header_offset + 22
    data[at:at + 4] = struct.pack("<I", info.file_size + 7)
    out.write_bytes(bytes(data))
    return out


ZIP = [
    ("folder entry holding data", _folder_with_data, "zip-extra-data"),
    ("local header and directory disagree", _local_header_differs, "corrupt-file"),
    ("bzip2 member", _bzip2_member, "zip-compression-unsupported"),
    ("LZMA member", _lzma_member, "zip-compression-unsupported"),
    ("CRC error in a part the reader does not use", _crc_error_in_unread_part, "corrupt-file"),
    ("junk after the central directory", _trailing_junk, "zip-extra-data"),
    ("junk before the first member", _junk_before, "zip-extra-data"),
    ("junk between members", _junk_between, "zip-extra-data"),
    ("duplicate member name", _duplicate_member, "duplicate-part"),
    ("member inflates past its declared size", _declared_size_lies, "corrupt-file"),
]


@pytest.mark.parametrize("name,fn,code", ZIP, ids=[m[0] for m in ZIP])
def test_zip_fault_is_refused(honest, tmp_path, name, fn, code):
    rep = validate_file(fn(honest, tmp_path / "x.xlsx"))
    assert rep.flatten(["code"]) == [[code]], rep.flatten(["code", "detail"])


def test_stored_members_are_fine(honest, tmp_path):
    assert validate_file(write(parts(honest), tmp_path / "x.xlsx", method=zipfile.ZIP_STORED)).findings == []


def test_crc_is_checked_even_where_zlib_would_not_complain(honest, tmp_path):
    bad = _crc_error_in_unread_part(honest, tmp_path / "x.xlsx")
    z = zipfile.ZipFile(bad)
    with pytest.raises(zipfile.BadZipFile):
        z.read("docProps/core.xml")
    assert zlib.crc32(b"") == 0  # sanity: the module used for CRCs is the one zipfile uses


def test_second_workbook_is_refused_on_a_signed_file_too(tmp_path):
    """The decoy keeps the signed content; the part Excel shows is refused, key or not."""
    signed = honest_file(tmp_path, name="signed.xlsx", sign_key=b"bureau-secret")
    p = parts(signed)
    second_workbook(p)
    out = write(p, tmp_path / "x.xlsx")
    for key in (None, b"bureau-secret"):
        assert validate_file(out, sign_key=key).flatten(["code"]) == [["part-names-disagree"]]


def test_signature_covers_the_sheet_excel_shows(tmp_path):
    """A signed file whose 自评表 part is renamed (no decoy) is read from the part Excel shows: the typed
    total there is found, and the signature still holds for the unchanged locked content."""
    signed = honest_file(tmp_path, name="signed.xlsx", sign_key=b"bureau-secret")
    p = parts(signed)
    p["xl/worksheets/sheet9.xml"] = _tampered_table(p)
    del p[TABLE_PART]
    p[CT] = p[CT].replace(b"/xl/worksheets/sheet3.xml", b"/xl/worksheets/sheet9.xml")
    p[WB_RELS] = p[WB_RELS].replace(b"worksheets/sheet3.xml", b"worksheets/sheet9.xml")
    rep = validate_file(write(p, tmp_path / "x.xlsx"), sign_key=b"bureau-secret")
    assert ["cached-value-mismatch", "自评表", TOTAL] in rep.flatten(["code", "sheet", "cell"]) and not rep.valid


def _zip64(src, out):
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as s, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as d:
        for i in s.infolist():
            with d.open(zipfile.ZipInfo(i.filename), "w", force_zip64=True) as f:
                f.write(s.read(i.filename))
    out.write_bytes(buf.getvalue())
    return out


class _Unseekable(io.RawIOBase):
    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


def _descriptors(src, out):
    """Written to a stream zipfile cannot seek: every member followed by a data descriptor."""
    w = _Unseekable()
    with zipfile.ZipFile(src) as s, zipfile.ZipFile(w, "w", zipfile.ZIP_DEFLATED) as d:
        for i in s.infolist():
            info = zipfile.ZipInfo(i.filename)
            info.compress_type = zipfile.ZIP_DEFLATED
            with d.open(info, "w") as f:
                f.write(s.read(i.filename))
    out.write_bytes(bytes(w.data))
    return out


def _comment(src, out):
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as s, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as d:
        for i in s.infolist():
            d.writestr(i, s.read(i.filename))
        d.comment = "由 WPS 保存".encode()
    out.write_bytes(buf.getvalue())
    return out


@pytest.mark.parametrize("fn", [_zip64, _descriptors, _comment], ids=["zip64", "data descriptors", "zip comment"])
def test_honest_zip_variants_pass(honest, tmp_path, fn):
    out = fn(honest, tmp_path / "x.xlsx")
    assert validate_file(out).findings == []
    if fn is _descriptors:
        assert all(i.flag_bits & 0x08 for i in zipfile.ZipFile(out).infolist())


@pytest.mark.parametrize("seed", range(4))
def test_random_damage_to_the_package_is_a_named_finding(honest, tmp_path, seed):
    """Bytes flipped in the relationships, the content types and the zip itself: always a finding with
    a code of its own (never the catch-all 'unreadable'), never an exception."""
    import random
    rnd = random.Random(seed)
    names = ["_rels/.rels", WB_RELS, CT]
    for i in range(40):
        p = parts(honest)
        if i % 2:
            name = rnd.choice(names)
            data = bytearray(p[name])
            for _ in range(rnd.randint(1, 4)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
            p[name] = bytes(data)
            out = write(p, tmp_path / f"x{i}.xlsx")
        else:
            data = bytearray(honest.read_bytes())
            for _ in range(rnd.randint(1, 3)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
            out = tmp_path / f"x{i}.xlsx"
            out.write_bytes(bytes(data))
        rep = validate_file(out)
        assert "unreadable" not in [f.code for f in rep.findings], rep.flatten(["code", "detail"])
