"""Uploaded files, safely: size limits, zips opened with declared and streamed sizes checked, names only shown.

A name the user's browser sends (or a zip member's name) is cleaned for display and never used as a path:
files are stored under their content hash (storage.py).
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

#: one file (a workbook, a list, a 指标体系); the reader's own bound is the same
MAX_FILE = 50 * 1024 * 1024
#: one request (many files, or a zip of them)
MAX_REQUEST = 300 * 1024 * 1024
#: a zip of returns: members, their total once unpacked, and one member
MAX_MEMBERS = 2_000
MAX_UNPACKED = 600 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed, for members above 1 MB

ZIP_SUFFIX = ".zip"


class UploadRefused(ValueError):
    """An upload that is refused as a whole (a Chinese message for the user)."""


def clean_name(name: str | None) -> str:
    """The last part of a name as typed, without control characters, at most 120 characters."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").split("/")[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    text = text.lstrip(".") or "未命名文件"
    return text[:120]


def read_capped(stream, limit: int = MAX_FILE) -> bytes:
    """The bytes of an upload stream, refusing one that is larger than ``limit``."""
    buf = io.BytesIO()
    while True:
        chunk = stream.read(1024 * 1024)
        if not chunk:
            return buf.getvalue()
        buf.write(chunk)
        if buf.tell() > limit:
            raise UploadRefused(f"文件超过 {limit // (1024 * 1024)} MB，超出上传限制")


def _member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged UTF-8: Windows zips in China name files in GBK
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def unpack(data: bytes, zip_name: str) -> list[tuple[str, bytes]]:
    """The files in a zip of returns, as (name shown, bytes); UploadRefused for a bomb or a damaged zip."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise UploadRefused(f"{zip_name} 不是有效的压缩包（.zip），请重新压缩后上传") from None
    files = [i for i in infos if not i.is_dir()]
    if len(files) > MAX_MEMBERS:
        raise UploadRefused(f"{zip_name} 中有 {len(files)} 个文件，超过 {MAX_MEMBERS} 个的上限，请分批上传")
    declared = sum(i.file_size for i in files)
    if declared > MAX_UNPACKED:
        raise UploadRefused(f"{zip_name} 解压后有 {declared / 1e6:.0f} MB，疑似压缩炸弹，已拒绝")
    out: list[tuple[str, bytes]] = []
    total = 0
    for info in files:
        shown = clean_name(_member_name(info))
        if "__MACOSX" in info.filename or shown.startswith("~$") or shown in ("Thumbs.db", ".DS_Store"):
            continue
        if info.file_size > MAX_FILE or (info.file_size > 1024 * 1024 and
                                         info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise UploadRefused(f"{zip_name} 中的 {shown} 解压后过大，疑似压缩炸弹，已拒绝")
        try:
            with zf.open(info) as f:
                body = bytearray()
                while True:  # streamed: the sizes the zip declares are not trusted
                    chunk = f.read(256 * 1024)
                    if not chunk:
                        break
                    body += chunk
                    if len(body) > min(MAX_FILE, info.file_size) or total + len(body) > MAX_UNPACKED:
                        raise UploadRefused(f"{zip_name} 中的 {shown} 解压后比声明的大小还大，疑似压缩炸弹，已拒绝")
        except UploadRefused:
            raise
        except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError, NotImplementedError) as e:
            why = "加密的压缩包无法读取" if isinstance(e, RuntimeError) else "压缩包已损坏"
            raise UploadRefused(f"{zip_name} 中的 {shown}：{why}，请重新压缩后上传") from None
        total += len(body)
        out.append((shown, bytes(body)))
    if not out:
        raise UploadRefused(f"{zip_name} 中没有文件")
    return out


def incoming(files) -> list[tuple[str, bytes]]:
    """Every file of a request's uploads (Werkzeug FileStorage list), zips unpacked."""
    out: list[tuple[str, bytes]] = []
    for fs in files:
        if not fs or not fs.filename:
            continue
        name = clean_name(fs.filename)
        data = read_capped(fs.stream)
        if name.lower().endswith(ZIP_SUFFIX):
            out += unpack(data, name)
        else:
            out.append((name, data))
    return out

