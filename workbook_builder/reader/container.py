"""Open a returned file safely: never writes, refuses what is hostile, and says why.

Everything is read from bytes held in memory; the file on disk is opened read-only once.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_PART_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for parts above 1 MB
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)


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
        data = self.zf.read(info)
        if _DTD.search(data[:4096]):
            raise Refused("xml-entities", name)
        return data

    def has(self, name: str) -> bool:
        return name in self.names


def open_container(path: Path) -> Container:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise Refused("file-too-large", f"{size / 1e6:.1f} MB")
    with open(path, "rb") as f:  # read-only, once
        data = f.read()
    if data[:8] == OLE_MAGIC:
        raise Refused("encrypted-or-legacy")
    if not data.startswith(b"PK"):
        raise Refused("not-a-workbook", "不是 zip 格式，可能是改了扩展名的 .csv/.xls 或损坏的文件")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as e:
        raise Refused("not-a-workbook", f"zip 损坏：{e}") from None
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
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise Refused("not-a-workbook", "缺少 xl/workbook.xml")
    vba = False
    for n in names:
        if "vbaproject" in n.lower():  # the project, or a signature of it: only our exact project passes
            from ..macros import is_our_vba
            if not is_our_vba(zf.read(n)):
                raise Refused("macros-present")
            vba = True
    links = sorted(n for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml"))
    if links:
        raise Refused("external-links", "、".join(links))
    return Container(path, zf, names, vba)
