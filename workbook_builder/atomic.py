"""Every output file is written whole or not at all: a temporary file in the same folder, fsync, rename.

On any failure (a full disk, no permission, a missing folder, the process killed mid-write) the file
under the final name is the old one, untouched, and the temporary file is removed where the process
lives to do it. A failure is an ``OutputError`` with one Chinese line naming the file and the reason.
Temporary files are named ``~$…`` so a folder scan (``validate``, ``consolidate``) never reads one.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_PREFIX = "~$"


class OutputError(Exception):
    """An output file that could not be written: one Chinese line (the old file, if any, is unchanged)."""


_REASONS = {
    errno.ENOSPC: "磁盘已满", errno.EDQUOT: "磁盘配额已满", errno.EFBIG: "文件超过系统允许的大小",
    errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "磁盘为只读",
    errno.ENOENT: "所在的文件夹不存在", errno.ENOTDIR: "路径中有一段不是文件夹", errno.EISDIR: "同名的文件夹已存在",
    errno.ENAMETOOLONG: "文件名过长", errno.EIO: "磁盘读写错误", errno.EBUSY: "文件正被其他程序占用",
    errno.ETXTBSY: "文件正被其他程序占用",
}


def reason(e: OSError) -> str:
    """The Chinese reason of an operating-system error."""
    return _REASONS.get(e.errno or 0, f"系统错误 {e.strerror or type(e).__name__}")


def _os_error(e: BaseException) -> OSError | None:
    """The OSError behind ``e`` (xlsxwriter wraps it in FileCreateError), or None."""
    seen = 0
    while e is not None and seen < 10:
        if isinstance(e, OSError):
            return e
        inner = next((x for x in getattr(e, "args", ()) if isinstance(x, OSError)), None)
        e = inner or e.__cause__ or e.__context__
        seen += 1
    return None


def failure(path: Path, e: BaseException, existed: bool) -> OutputError:
    why = reason(err) if (err := _os_error(e)) is not None else "写出时出错"
    kept = "原有文件未改动" if existed else "没有留下不完整的文件"
    return OutputError(f"{why}，未写出 {path}；{kept}")


def check_name(path: str | Path, suffixes: tuple[str, ...], option: str) -> None:
    """An output name must say what is written: OutputError (Chinese) unless it ends in one of ``suffixes``."""
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        want = " 或 ".join(suffixes)
        raise OutputError(f"{option} 应为 {want} 文件（写出的是 Excel 工作簿）：{p.name}；请改为 {p.stem}{suffixes[0]}"
                          if want.startswith(".xls") else f"{option} 应为 {want} 文件：{p.name}")


@contextmanager
def atomic_path(final: str | Path) -> Iterator[Path]:
    """A temporary path next to ``final`` to write to; on success it replaces ``final`` in one step.

    Raises OutputError (Chinese) if anything fails, with ``final`` left as it was.
    """
    final = Path(final)
    existed = final.exists()
    if final.is_dir():
        raise OutputError(f"{final} 是文件夹，未写出；请给出文件名")
    tmp = final.with_name(f"{TEMP_PREFIX}{final.stem[:80]}.{secrets.token_hex(4)}.tmp{final.suffix}")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        _sync_folder(final.parent)
    except BaseException as e:
        try:
            tmp.unlink()
        except OSError:
            pass
        if isinstance(e, (KeyboardInterrupt, SystemExit, OutputError)):
            raise
        if _os_error(e) is not None or type(e).__name__ == "FileCreateError":
            _drop_writers(e)
            raise failure(final, e, existed) from None
        raise


def _drop_writers(e: BaseException) -> None:
    """Close what the failed writer left open now, quietly (a zip file's __del__ would print its own error)."""
    import gc
    import sys
    import traceback
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        traceback.clear_frames(e.__traceback__)
        e.__traceback__ = None
        gc.collect()
    finally:
        sys.unraisablehook = hook


_TEMP = re.compile(r"^~\$.*\.[0-9a-f]{8}\.tmp(\.\w+)?$")


def sweep(folder: str | Path) -> int:
    """Remove the temporary files a killed run left in ``folder`` (only names this module makes); how many."""
    n = 0
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return 0
    for p in entries:
        if _TEMP.match(p.name) and p.is_file():
            try:
                p.unlink()
                n += 1
            except OSError:
                pass
    return n


def write_bytes(final: str | Path, data: bytes) -> None:
    """``data`` under ``final``, whole or not at all."""
    with atomic_path(final) as tmp, open(tmp, "wb") as f:
        f.write(data)


def write_text(final: str | Path, text: str) -> None:
    write_bytes(final, text.encode("utf-8"))


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
