"""Hostile and broken files made from an honest return, for the reader's fuzz test.

Each mutator takes the honest file's bytes and a seeded ``random.Random`` and returns new bytes.
They cover damage at every layer: bytes (flips, truncation), the zip (entries removed or
duplicated, central directory damage, other formats renamed) and the XML (non-finite and huge
numbers, bad shared-string indices, invalid cell references, deep nesting, huge sqref lists).
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
from collections.abc import Callable

SHEETS = ["xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/worksheets/sheet5.xml"]


def _parts(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return [(i, z.read(i)) for i in z.infolist()]


def _zip(parts: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            if isinstance(name, zipfile.ZipInfo):
                name = name.filename
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _edit(data: bytes, part: str, fn: Callable[[str], str]) -> bytes:
    out = []
    for info, body in _parts(data):
        if info.filename == part:
            body = fn(body.decode("utf-8")).encode("utf-8")
        out.append((info.filename, body))
    return _zip(out)


def bit_flips(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.choice([1, 2, 8, 64])):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(0, len(data))]


def remove_entry(data: bytes, rng: random.Random) -> bytes:
    parts = _parts(data)
    del parts[rng.randrange(len(parts))]
    return _zip([(i.filename, d) for i, d in parts])


def duplicate_entry(data: bytes, rng: random.Random) -> bytes:
    parts = [(i.filename, d) for i, d in _parts(data)]
    name, body = parts[rng.randrange(len(parts))]
    if rng.random() < 0.5 and body.startswith(b"<?xml"):
        body = body.replace(b"<v>", b"<v>9", 3)
    parts.append((name, body))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _zip(parts)


def central_directory(data: bytes, rng: random.Random) -> bytes:
    """Damage the central directory: sizes, offsets, version-needed, the entry count."""
    b = bytearray(data)
    starts = [m.start() for m in re.finditer(rb"PK\x01\x02", data)]
    eocd = data.rfind(b"PK\x05\x06")
    choice = rng.randrange(5)
    if choice == 0 and starts:  # version needed to extract: an unknown one
        i = rng.choice(starts)
        b[i + 6:i + 8] = struct.pack("<H", rng.choice([84, 0xFFFF, 63]))
    elif choice == 1 and starts:  # compressed / uncompressed size
        i = rng.choice(starts)
        off = rng.choice([20, 24])
        b[i + off:i + off + 4] = struct.pack("<I", rng.choice([0, 1, 0xFFFFFFFF, 10**9]))
    elif choice == 2 and starts:  # local header offset
        i = rng.choice(starts)
        b[i + 42:i + 46] = struct.pack("<I", rng.randrange(0, 2**32))
    elif choice == 3 and eocd >= 0:  # number of entries
        b[eocd + 10:eocd + 12] = struct.pack("<H", rng.choice([0, 1, 0xFFFF]))
    elif starts:  # compression method
        i = rng.choice(starts)
        b[i + 10:i + 12] = struct.pack("<H", rng.choice([1, 12, 14, 99]))
    return bytes(b)


def odd_numbers(data: bytes, rng: random.Random) -> bytes:
    bad = rng.choice(["NaN", "INF", "-INF", "1e400", "-1e400", "1e19", "１２３", "0x10", "1,5", " 7 ", "9" * 400])
    part = rng.choice(SHEETS)

    def fn(x: str) -> str:
        vs = list(re.finditer(r"<v>[^<]*</v>", x))
        if not vs:
            return x
        m = rng.choice(vs)
        return x[:m.start()] + f"<v>{bad}</v>" + x[m.end():]
    return _edit(data, part, fn)


def odd_typed_input(data: bytes, rng: random.Random) -> bytes:
    """A number-typed value put into an input cell of 基础数据 (D4…)."""
    bad = rng.choice(["NaN", "INF", "1e400", "１２３", "TRUE"])
    row = rng.randrange(4, 12)

    def fn(x: str) -> str:
        cell = f'<c r="D{row}" s="1"><v>{bad}</v></c>'
        return re.sub(rf'<c r="D{row}"[^>]*?(/>|>.*?</c>)', cell, x, count=1)
    return _edit(data, "xl/worksheets/sheet2.xml", fn)


def shared_strings(data: bytes, rng: random.Random) -> bytes:
    bad = rng.choice(["-1", "99999999", "abc", "", "1.5", "٣"])

    def fn(x: str) -> str:
        if 't="s"' not in x:
            return x.replace('<c r="A1"', '<c r="A1" t="s"', 1).replace("<v>", f"<v>{bad}", 1)
        return re.sub(r'(t="s"[^>]*>)<v>[^<]*</v>', rf"\1<v>{bad}</v>", x, count=1)
    return _edit(data, rng.choice(SHEETS), fn)


def no_shared_strings(data: bytes, rng: random.Random) -> bytes:
    parts = [(i.filename, d) for i, d in _parts(data) if i.filename != "xl/sharedStrings.xml"]
    parts = [(n, d.replace(b'<c r="A1"', b'<c r="A1" t="s"', 1) if n.endswith("sheet3.xml") else d) for n, d in parts]
    return _zip(parts)


def bad_refs(data: bytes, rng: random.Random) -> bytes:
    bad = rng.choice(['r="a20"', 'r="1A"', 'r=""', 'r="XFE1"', 'r="A0"', 'r="A99999999"', ""])
    return _edit(data, rng.choice(SHEETS), lambda x: re.sub(r'r="[A-Z]+[0-9]+"', bad, x, count=rng.randrange(1, 4)))


def deep_xml(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([1_000, 50_000, 200_000])
    nest = "<x>" * depth + "</x>" * depth
    return _edit(data, rng.choice(SHEETS), lambda x: x.replace("<sheetData>", "<sheetData>" + nest, 1))


def huge_sqref(data: bytes, rng: random.Random) -> bytes:
    n = rng.choice([30_000, 99_000])  # above the reader's bound of 20,000 ranges
    if rng.random() < 0.5:
        ranges = " ".join(f"A{i}:Z{i + 3000}" for i in range(1, n))
    else:
        ranges = " ".join(f"B{i}" for i in range(1, n))
    dv = f'<dataValidations count="1"><dataValidation type="whole" sqref="{ranges}"/></dataValidations>'

    def fn(x: str) -> str:
        if "<dataValidations" in x:
            return re.sub(r"<dataValidations.*?</dataValidations>", dv, x, count=1, flags=re.S)
        return x.replace("</sheetData>", "</sheetData>" + dv, 1)
    return _edit(data, rng.choice(SHEETS[:2]), fn)


def many_cells(data: bytes, rng: random.Random) -> bytes:
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c><c r="B{i}"><v>2</v></c><c r="C{i}"><v>3</v></c></row>'
                   for i in range(2000, 2000 + 110_000))
    return _edit(data, "xl/worksheets/sheet3.xml", lambda x: x.replace("</sheetData>", rows + "</sheetData>", 1))


def meta_overflow(data: bytes, rng: random.Random) -> bytes:
    bad = rng.choice(["1e400", "NaN", "-1", "２０２４", "9" * 50])

    def fn(x: str) -> str:
        return x.replace("<t>2024</t>", f"<t>{bad}</t>", 1).replace("<v>2024</v>", f"<v>{bad}</v>", 1)
    return _edit(data, "xl/worksheets/sheet5.xml", fn)


def other_format(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(8)
    if kind == 0:
        return b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(500))
    if kind == 1:
        return "<html><body><table><tr><td>部门</td></tr></table></body></html>".encode()
    if kind == 2:
        return _zip([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", b"<x/>")])
    if kind == 3:
        return _zip([("[Content_Types].xml", b"<x/>"), ("xl/workbook.bin", b"\x00" * 100)])
    if kind == 4:
        return b""
    if kind == 5:
        return "部门名称,年度\n庆城,2024\n".encode("gbk")
    if kind == 6:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4000)))
    return b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(300))


MUTATORS: list[Callable[[bytes, random.Random], bytes]] = [
    bit_flips, truncate, remove_entry, duplicate_entry, central_directory, odd_numbers, odd_typed_input,
    shared_strings, no_shared_strings, bad_refs, deep_xml, huge_sqref, many_cells, meta_overflow, other_format,
]


def hostile_files(honest: bytes, n: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """``n`` mutated files, every mutator used in turn; names say which mutator made each."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        m = MUTATORS[i % len(MUTATORS)]
        out.append((f"{i:04}-{m.__name__}.xlsx", m(honest, rng)))
    return out
