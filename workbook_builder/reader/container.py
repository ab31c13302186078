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

# A workbook we build is ~30 KB and each part well under 1 MB; these bounds keep the memory and
# time one file may cost to a few hundred MB and a few seconds, whatever the file claims.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TOTAL_UNCOMPRESSED = 120 * 1024 * 1024
MAX_PART_UNCOMPRESSED = 40 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for parts above 1 MB
MAX_ENTRIES = 2_000
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

    def read(self, name: str) -> bytes:
        info = self.zf.getinfo(name)
        try:
            data = self.zf.read(info)
        except ZIP_ERRORS as e:
            raise Refused("corrupt-file", f"{name}：{_zip_reason(e)}") from None
        if len(data) > MAX_PART_UNCOMPRESSED:
            raise Refused("zip-bomb", f"{name} 解压后 {len(data) / 1e6:.0f} MB")
        if _DTD.search(data[:4096]):
            raise Refused("xml-entities", name)
        return data

    def has(self, name: str) -> bool:
        return name in self.names


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


def open_container(path: Path) -> Container:
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
    for i in infos:
        if i.filename in seen:
            raise Refused("duplicate-part", i.filename)
        seen.add(i.filename)
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
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise Refused("not-a-workbook", "缺少 xl/workbook.xml")
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
