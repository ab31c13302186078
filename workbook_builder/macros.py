"""The macro-enabled (.xlsm) variant: the xlwings VBA module, its settings sheet and a check sheet.

``macros/vbaProject.bin`` is the VBA project of ``xlwings quickstart NAME --standalone``
(xlwings 0.37, BSD-3): the ``xlwings`` and ``Dictionary`` modules, no code of ours. The reader
accepts a VBA project only when it holds exactly this one's code (byte-identical, or re-saved by an
application such as LibreOffice that rewrites the bytes but keeps each module's source).
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

CHECK_TEXT = [
    "校验结果（需要 Windows Excel 与 xlwings，见 macros/README.md）",
    "保存工作簿后，按 Ctrl+Alt+F9 重新计算：A4 起列出本文件的问题（工作表、单元格、代码、严重程度、说明）。",
    "未安装 xlwings 时下方显示 #NAME?，不影响自评表的计分；也可把文件交给财政局用 workbook-builder validate 校验。",
]


@lru_cache(maxsize=1)
def vba_sha256() -> str:
    return hashlib.sha256(VBA_PATH.read_bytes()).hexdigest()


def is_our_vba(data: bytes) -> bool:
    """Our project byte for byte, or re-saved by an application that kept every module's code (LibreOffice)."""
    if not VBA_PATH.exists():
        return False
    if hashlib.sha256(data).hexdigest() == vba_sha256():
        return True
    from .vba import same_code
    return same_code(data, VBA_PATH.read_bytes())
