"""The macro-enabled (.xlsm) variant: the xlwings VBA module, its settings sheet and a check sheet.

``macros/vbaProject.bin`` is the VBA project of ``xlwings quickstart NAME --standalone``
(xlwings 0.37, BSD-3): the ``xlwings`` and ``Dictionary`` modules, no code of ours. The reader
accepts a VBA project only when it is this one byte for byte, or exactly LibreOffice's rewrite of it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from .paths import macros_dir

VBA_PATH = macros_dir() / "vbaProject.bin"
CONF_SHEET = "xlwings.conf"  # xlwings.bas reads Sheets(PROJECT_NAME & ".conf")
CHECK_SHEET = "校验结果"
UDF_MODULE = "workbook_builder.udf"

#: the settings rows xlwings reads from the conf sheet (A: key, B: value)
CONF_ROWS = [
    ("Interpreter_Win", "python"), ("Interpreter_Mac", ""), ("PYTHONPATH", ""), ("Conda Path", ""),
    ("Conda Env", ""), ("UDF Modules", UDF_MODULE), ("Debug UDFs", False), ("Use UDF Server", False),
    ("Show Console", False),
]

#: the cell of the 校验结果 sheet that calls WB_CHECK (below CHECK_TEXT) and its formula
CHECK_CELL = (3, 0)
CHECK_FORMULA = "WB_CHECK()"
CHECK_TEXT = [
    "校验结果（需要 Windows Excel 与 xlwings，见 macros/README.md）",
    "保存工作簿后，按 Ctrl+Alt+F9 重新计算：A4 起列出本文件的问题（工作表、单元格、代码、严重程度、说明）。",
    "未安装 xlwings 时下方显示 #NAME?，不影响自评表的计分；也可把文件交给财政局用 workbook-builder validate 校验。",
]


def conf_cells() -> dict[tuple[int, int], object]:
    """(row, col) -> value of every cell of the xlwings.conf sheet, as the renderer writes CONF_ROWS
    (A: key, B: value; "" is a B left blank)."""
    out: dict[tuple[int, int], object] = {}
    for r, (k, v) in enumerate(CONF_ROWS):
        out[(r, 0)] = k
        out[(r, 1)] = v
    return out


@lru_cache(maxsize=1)
def vba_sha256() -> str:
    return hashlib.sha256(VBA_PATH.read_bytes()).hexdigest()


def is_our_vba(data: bytes) -> bool:
    """Our project byte for byte, or exactly LibreOffice's rewrite of it (vba.libreoffice_rewrite): any
    other byte — p-code, a module's source, references, protection — is another project."""
    if not VBA_PATH.exists():
        return False
    if hashlib.sha256(data).hexdigest() == vba_sha256():
        return True
    from .vba import libreoffice_rewrite
    return libreoffice_rewrite(data, VBA_PATH.read_bytes()) == ""
