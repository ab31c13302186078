"""Where the shipped templates and the xlwings VBA project live.

A checkout (or editable install) uses the repository's ``templates/`` and ``macros/``; a regular
install finds the copies under ``<prefix>/share/workbook-builder/``. A bureau's own templates live in
folders named by ``--templates DIR`` or the ``WORKBOOK_BUILDER_TEMPLATES`` environment variable
(several folders separated by ``:``, ``;`` on Windows); they come before the shipped ones, so a
template id found there wins.
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


ENV = "WORKBOOK_BUILDER_TEMPLATES"


def shipped_templates_dir() -> Path:
    return _REPO / "templates" if (_REPO / "templates").is_dir() else _shared("templates")


def template_dirs() -> list[Path]:
    """The bureau's template folders (``--templates``, the environment variable), then the shipped one."""
    extra = [Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]
    return extra + [shipped_templates_dir()]


def add_template_dirs(dirs: list[str]) -> None:
    """Put folders in front of the search path, for this process and the workers it starts."""
    have = [p for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]
    os.environ[ENV] = os.pathsep.join([str(Path(d).resolve()) for d in dirs] + have)


def macros_dir() -> Path:
    return _REPO / "macros" if (_REPO / "macros" / "vbaProject.bin").exists() else _shared("macros")
