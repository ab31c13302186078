"""Where the shipped templates and the xlwings VBA project live.

A checkout (or editable install) uses the repository's ``templates/`` and ``macros/``; a regular
install finds the copies under ``<prefix>/share/workbook-builder/``. ``WORKBOOK_BUILDER_TEMPLATES``
points at another folder of templates.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def _shared(name: str) -> Path:
    for base in (sys.prefix, sysconfig.get_paths().get("data", sys.prefix)):
        p = Path(base) / "share" / "workbook-builder" / name
        if p.exists():
            return p
    return _REPO / name


def templates_dir() -> Path:
    env = os.environ.get("WORKBOOK_BUILDER_TEMPLATES")
    if env:
        return Path(env)
    return _REPO / "templates" if (_REPO / "templates").is_dir() else _shared("templates")


def macros_dir() -> Path:
    return _REPO / "macros" if (_REPO / "macros" / "vbaProject.bin").exists() else _shared("macros")
