"""Open a returned file safely: never writes, refuses what is hostile, and says why.

Everything is read from bytes held in memory; the file on disk is opened read-only once.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A workbook we build is ~30 KB and each part well under 1 MB; these bounds keep the memory and
# time one file may cost to a few hundred MB and a few seconds, whatever the file claims.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: what one validate_file may cost in resident memory (MB) whatever the file holds, with the interpreter
#: and the reader's modules (~80 MB); tests/reader/test_bounds.py checks it at each bound below
MEMORY_BOUND_MB = 600
MAX_TOTAL_UNCOMPRESSED = 120 * 1024 * 1024
MAX_PART_UNCOMPRESSED = 40 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for parts above 1 MB
MAX_ENTRIES = 2_000
#: '<' per XML part: an element tree costs ~320 bytes per element, so this bounds one parsed part to ~200 MB
MAX_TAGS = 600_000
#: compression methods Excel, WPS and LibreOffice open: stored and deflate (not bzip2, LZMA, deflate64, …)
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
CHUNK = 1 << 20
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
#: what zipfile and zlib raise on a damaged archive or entry (bad CRC, corrupt deflate, truncation)
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError,
              ValueError, KeyError, OverflowError, IndexError, UnicodeDecodeError, OSError, struct.error)


class Refused(Exception):
    """The file cannot be read safely; ``code`` and ``detail`` describe why."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class Container:
    path: Path
    zf: zipfile.ZipFile
    names: set[str]
    vba: bool = False  # holds exactly the VBA project our builder ships (the .xlsm variant)
    package: Any = None  # the parts as Excel resolves them (package.Package), set by open_container

    def read(self, name: str) -> bytes:
        data = _read_member(self.zf, self.zf.getinfo(name))
        if _DTD.search(data[:4096]):
            raise Refused("xml-entities", name)
        return data

    def has(self, name: str) -> bool:
        return name in self.names


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, keep: bool = True) -> bytes:
    """A member's bytes, decompressed in chunks and never more than its declared size (and the bound);
    its CRC checked. ``keep=False`` only checks it (every member is, whether the reader uses it or not)."""
    name = info.filename
    if info.compress_type not in METHODS:
        raise Refused("zip-compression-unsupported", f"{name[:60]}（方式 {info.compress_type}）")
    limit = min(info.file_size, MAX_PART_UNCOMPRESSED)
    out, n = [], 0
    try:
        with zf.open(info) as f:
            while True:
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                n += len(chunk)
                if n > limit:
                    raise Refused("zip-bomb", f"{name} 解压后超过 {limit / 1e6:.0f} MB")
                if keep:
                    out.append(chunk)
    except ZIP_ERRORS as e:
        raise Refused("corrupt-file", f"{name}：{_zip_reason(e)}") from None
    if n != info.file_size:
        raise Refused("corrupt-file", f"{name}：文件被截断")
    return b"".join(out)


def _zip_layout(data: bytes, infos: list[zipfile.ZipInfo]) -> None:
    """The archive is its local records, back to back from byte 0, then the central directory and its end
    record, and nothing else: no data hidden before, between or after (which some applications read)."""
    pos = 0
    for i in sorted(infos, key=lambda i: i.header_offset):
        if i.header_offset != pos:
            raise Refused("zip-extra-data", f"{i.filename[:60]} 之前有 {i.header_offset - pos} 字节" if i.header_offset > pos
                          else f"{i.filename[:60]} 与其他部件重叠")
        head = data[pos:pos + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise Refused("corrupt-file", f"{i.filename[:60]}：目录结构损坏")
        flags, method = struct.unpack("<HH", head[6:10])
        crc, csize, usize = struct.unpack("<III", head[14:26])
        nlen, elen = struct.unpack("<HH", head[26:30])
        if not flags & 0x08 and (crc != i.CRC or (csize != 0xFFFFFFFF and csize != i.compress_size)
                                 or (usize != 0xFFFFFFFF and usize != i.file_size)):
            # readers that trust the local header (streaming unzippers) would read other bytes
            raise Refused("corrupt-file", f"{i.filename[:60]}：本地文件头与目录不一致")
        if method != i.compress_type or data[pos + 30:pos + 30 + nlen].decode("utf-8", "replace") != i.filename \
                and data[pos + 30:pos + 30 + nlen].decode("cp437", "replace") != i.filename:
            raise Refused("corrupt-file", f"{i.filename[:60]}：本地文件头与目录不一致")
        pos += 30 + nlen + elen + i.compress_size
        if i.flag_bits & 0x08:  # a data descriptor follows: optional signature, CRC, sizes (8 or 16 bytes)
            sig = data[pos:pos + 4] == b"PK\x07\x08"
            base = pos + (4 if sig else 0)
            zip64 = i.file_size >= 0xFFFFFFFF or i.compress_size >= 0xFFFFFFFF
            pos = base + 4 + (16 if zip64 else 8)
    end = data.rfind(b"PK\x05\x06")
    if end < 0:
        raise Refused("corrupt-file", "目录结构损坏")
    comment, = struct.unpack("<H", data[end + 20:end + 22])
    if end + 22 + comment != len(data):
        raise Refused("zip-extra-data", f"文件末尾多出 {len(data) - end - 22 - comment} 字节")
    offset, = struct.unpack("<I", data[end + 16:end + 20])
    if offset != 0xFFFFFFFF and offset != pos:
        raise Refused("zip-extra-data", f"中央目录之前有 {offset - pos} 字节" if offset > pos else "部件与中央目录重叠")


def _zip_reason(e: BaseException) -> str:
    text = str(e)
    if "CRC" in text:
        return "校验和（CRC）错误"
    if isinstance(e, zlib.error) or "deflat" in text.lower() or "decompress" in text.lower():
        return "压缩数据损坏"
    if isinstance(e, EOFError) or "truncat" in text.lower() or "end of" in text.lower():
        return "文件被截断"
    if isinstance(e, NotImplementedError):
        return "压缩格式或版本不受支持（可能已损坏）"
    return "目录结构损坏"


def sniff_format(data: bytes, names: set[str] | None = None) -> str | None:
    """The name of a spreadsheet or document format we do not read, from its content, or None."""
    if names is not None:
        if "mimetype" in names and any(n == "content.xml" for n in names):
            return "OpenDocument（.ods）"
        if "xl/workbook.bin" in names:
            return "Excel 二进制工作簿（.xlsb）"
        if "word/document.xml" in names:
            return "Word 文档（.docx）"
        if "ppt/presentation.xml" in names:
            return "PowerPoint 演示文稿（.pptx）"
        return None
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return "PDF 文件"
    if head[:5].lower() in (b"<html", b"<!doc") or head[:6].lower() == b"<table":
        return "网页（HTML）文件"
    if head.startswith(b"<?xml"):
        return "XML 表格（Excel 2003 XML）或其他 XML 文件"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "图片文件"
    if head.startswith(b"{\\rtf"):
        return "RTF 文档"
    return None


def parse_xml(c: Container, name: str, data: bytes | None = None):
    """Part ``name`` of ``c`` (or ``data``) as an element tree, with defusedxml and bounded in elements;
    Refused (xml-invalid, xml-entities, file-too-large) for anything else."""
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as ET
    try:
        data = c.read(name) if data is None else data
        if data.count(b"<") > MAX_TAGS:  # before parsing: the tree would cost ~320 bytes per element
            raise Refused("file-too-large", f"{name} 超过 {MAX_TAGS} 个 XML 元素")
        return ET.fromstring(data)
    except Refused:
        raise
    except ET.ParseError as e:
        line = getattr(e, "position", (0, 0))[0]
        raise Refused("xml-invalid", f"{name} 的 XML 格式错误" + (f"（第 {line} 行）" if line else "")) from None
    except DefusedXmlException:  # EntitiesForbidden, DTDForbidden, ExternalReferenceForbidden
        raise Refused("xml-entities", name) from None
    except RecursionError:
        raise Refused("xml-invalid", f"{name} 的 XML 嵌套过深") from None
    except (ValueError, UnicodeError):
        raise Refused("xml-invalid", f"{name} 的 XML 编码或字符无效") from None


def open_container(path: Path) -> Container:
    """The file as a zip of parts, every member checked (package.open_workbook adds the package)."""
    if not path.is_file():  # a pipe, a device or a folder would block or mislead the read
        raise Refused("unreadable", "不是普通文件" if path.exists() else "文件不存在")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise Refused("file-too-large", f"{size / 1e6:.1f} MB")
    with open(path, "rb") as f:  # read-only, once
        data = f.read()
    if data[:8] == OLE_MAGIC:
        raise Refused("encrypted-or-legacy")
    if not data.startswith(b"PK"):
        kind = sniff_format(data)
        if kind:
            raise Refused("unsupported-format", kind)
        raise Refused("not-a-workbook", "不是 zip 格式，可能是改了扩展名的 .csv/.xls 或损坏的文件")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except ZIP_ERRORS as e:
        raise Refused("corrupt-file", _zip_reason(e)) from None
    if len(infos) > MAX_ENTRIES:
        raise Refused("zip-bomb", f"{len(infos)} 个压缩条目")
    seen: set[str] = set()
    for i in infos:  # part names are compared ignoring case (ECMA-376 Part 2, 6.3.5)
        if i.filename.lower() in seen:
            raise Refused("duplicate-part", i.filename)
        seen.add(i.filename.lower())
        if i.filename.endswith("/") and i.file_size:  # a folder entry that holds data: no part, read by some
            raise Refused("zip-extra-data", f"文件夹条目 {i.filename[:60]} 含有数据")
        if "\\" in i.filename or i.filename.startswith("/") or "\0" in i.filename:
            raise Refused("package-invalid", f"部件名“{i.filename[:60]}”无效")
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > MAX_PART_UNCOMPRESSED or (
                i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(1, i.compress_size)):
            raise Refused("zip-bomb", f"{i.filename} 解压后 {i.file_size / 1e6:.0f} MB")
        if i.flag_bits & 0x1:
            raise Refused("encrypted-or-legacy")
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise Refused("zip-bomb", f"共 {total / 1e6:.0f} MB")
    names = {i.filename for i in infos}
    kind = sniff_format(data, names)
    if kind:
        raise Refused("unsupported-format", kind)
    if not any(n.lower().startswith("xl/") for n in names) or not any(n.lower() == "[content_types].xml" for n in names):
        raise Refused("not-a-workbook", "缺少 xl/workbook.xml")
    try:
        _zip_layout(data, infos)
    except (struct.error, IndexError):
        raise Refused("corrupt-file", "目录结构损坏") from None
    for i in infos:  # every member, read or not: a part Excel cannot decompress makes the file unopenable
        _read_member(zf, i, keep=False)
    c = Container(path, zf, names)
    for n in sorted(names):
        if "vbaproject" in n.lower():  # the project, or a signature of it: only our exact project passes
            from ..macros import is_our_vba
            if not is_our_vba(c.read(n)):
                raise Refused("macros-present")
            c.vba = True
    links = sorted(n for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml"))
    if links:
        raise Refused("external-links", "、".join(links))
    return c
