"""LibreOffice Calc headless: recalculate saved workbooks, or render them to PDF, many files per start."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


_MADE: list[Path] = []


def soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        p = shutil.which(name)
        if p:
            return p
    return None


def _profile() -> Path:
    """A profile of this process's own: LibreOffice instances sharing one profile wait on each other."""
    p = Path(tempfile.gettempdir()) / f"workbook-builder-lo-profile-{os.getpid()}"
    if p not in _MADE:
        _MADE.append(p)
        atexit.register(shutil.rmtree, p, True)
    xcu = p / "user" / "registrymodifications.xcu"
    if not xcu.exists():
        xcu.parent.mkdir(parents=True, exist_ok=True)
        xcu.write_text(_PROFILE_XCU, encoding="utf-8")
    return p


def convert(files: list[Path], out_dir: Path, to: str = "xlsx", timeout: float = 600) -> list[Path]:
    """Open each file in LibreOffice (recalculating every formula) and save it as ``to`` in out_dir."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed; see README for apt-get install")
    out_dir.mkdir(parents=True, exist_ok=True)
    prof = _profile()
    env = dict(os.environ, HOME=str(prof))
    cmd = [exe, f"-env:UserInstallation=file://{prof}", "--headless", "--norestore", "--convert-to", to,
           "--outdir", str(out_dir), *map(str, files)]
    subprocess.run(cmd, check=True, env=env, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    suffix = "." + to.split(":")[0]
    out = [out_dir / (Path(f).stem + suffix) for f in files]
    missing = [str(p) for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}")
    return out
