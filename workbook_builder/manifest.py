"""A bulk build's record in its folder: 生成未完成.txt while it runs, 生成清单.csv (file, size, SHA-256) when done.

A run that is interrupted (Ctrl-C, kill -9, a full disk) leaves the marker with the files it meant to
write; the next run into the same folder says the set was incomplete and which files are missing, and
likewise names files of a finished set that have since gone or changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from . import atomic

MARKER = "生成未完成.txt"
MANIFEST = "生成清单.csv"
_HEAD = "本文件夹的生成没有完成（中断或出错）。再次运行同一命令即可补齐；完成后本文件会自动删除。应生成的文件："


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _names(items: list[str], k: int = 8) -> str:
    return "、".join(items[:k]) + ("…" if len(items) > k else "")


def expected(folder: Path) -> list[str] | None:
    """The files an unfinished run meant to write (None: no unfinished run here)."""
    try:
        lines = (folder / MARKER).read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError):
        return []
    return [ln for ln in lines[1:] if ln.strip()]


def _missing(folder: Path, want: list[str]) -> list[str]:
    """Files of the unfinished run not written since it started (an older file of that name counts as missing)."""
    try:
        since = (folder / MARKER).stat().st_mtime
    except OSError:
        since = 0.0
    out = []
    for n in want:
        try:
            if (folder / n).stat().st_mtime >= since:
                continue
        except OSError:
            pass
        out.append(n)
    return out


def previous(folder: Path) -> list[str]:
    """Chinese lines about the last run into ``folder``: unfinished, or files gone or changed since."""
    want = expected(folder)
    if want is not None:
        missing = _missing(folder, want)
        return [f"提醒: 上次在 {folder} 的生成没有完成（应生成 {len(want)} 份，已生成 {len(want) - len(missing)} 份"
                + (f"，缺 {len(missing)} 份：{_names(missing)}" if missing else "") + "）；本次重新生成"]
    try:
        with open(folder / MANIFEST, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))[1:]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
    gone = [r[0] for r in rows if r and not (folder / r[0]).is_file()]
    changed = [r[0] for r in rows if len(r) >= 3 and (folder / r[0]).is_file() and _sha256(folder / r[0]) != r[2]]
    out = []
    if gone:
        out.append(f"提醒: {folder} 中上次生成的 {len(rows)} 份里有 {len(gone)} 份已不在：{_names(gone)}")
    if changed:
        out.append(f"提醒: {folder} 中上次生成的文件有 {len(changed)} 份已被改动：{_names(changed)}")
    return out


def start(folder: Path, names: list[str]) -> None:
    """Mark ``folder`` as being written (the marker lists the files to come)."""
    atomic.sweep(folder)  # what a killed run was writing
    atomic.write_text(folder / MARKER, "\n".join([_HEAD, *names]) + "\n")


def finish(folder: Path, paths: list[str | Path]) -> None:
    """Write 生成清单.csv for the files this run wrote, then remove the marker."""
    if not paths:  # nothing built (every row refused): no record either
        (folder / MARKER).unlink(missing_ok=True)
        return
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["文件", "字节数", "SHA-256"])
    for p in map(Path, paths):
        w.writerow([p.name, p.stat().st_size, _sha256(p)])
    atomic.write_bytes(folder / MANIFEST, buf.getvalue().encode("utf-8-sig"))
    (folder / MARKER).unlink(missing_ok=True)


def status(folder: Path) -> str:
    """After an interruption: how far the set got ('' if the folder has no unfinished run)."""
    want = expected(folder)
    if not want:
        return ""
    have = len(want) - len(_missing(folder, want))
    return f"{folder} 中的生成未完成（应生成 {len(want)} 份，已生成 {have} 份）；再次运行同一命令即可补齐"
