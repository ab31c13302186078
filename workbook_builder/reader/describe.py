"""Numbers, limits and validations as a reviewer reads them in a finding: never a Python token (None,
1e+12, custom), and percent inputs as percents (-100%～1000%, not -1.0～10.0)."""

from __future__ import annotations

import math
from typing import Any

#: data validation kinds as Excel's dialog names them
KINDS = {"list": "序列", "decimal": "小数", "whole": "整数", "date": "日期", "time": "时间", "custom": "自定义公式",
         "textLength": "文本长度", "none": "任何值（无限制）", "any": "任何值（无限制）"}


def number(x: Any, percent: bool = False) -> str:
    """``x`` as the sheet would show it: 1000, 0.5, 95%; text stays text."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        try:
            x = float(str(x).strip())
        except ValueError:
            return str(x)
    if not math.isfinite(x):
        return "无效数值"
    if percent:
        x = x * 100
    text = f"{x:.0f}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:.10f}".rstrip("0").rstrip(".")
    return text + ("%" if percent else "")


def limits(lo: Any, hi: Any, percent: bool = False) -> str:
    """An allowed range: "-100%～1000%", "不小于 0", "不大于 100"."""
    if lo is not None and hi is not None:
        return f"{number(lo, percent)}～{number(hi, percent)}"
    if lo is not None:
        return f"不小于 {number(lo, percent)}"
    if hi is not None:
        return f"不大于 {number(hi, percent)}"
    return "不限"


def validation(kind: str, formula1: Any = "", formula2: Any = "", percent: bool = False) -> str:
    """A data validation in Excel's words: "序列 =_lists!$A$1:$A$3", "小数 -100%～1000%", "自定义公式 =AND(…)"."""
    name = KINDS.get(kind, kind or "任何值（无限制）")
    if kind in ("list", "custom"):
        f = str(formula1 or "").lstrip("=")
        return f"{name} ={f}" if f else name
    if kind in ("decimal", "whole", "textLength"):
        lo = None if formula1 in (None, "") else formula1
        hi = None if formula2 in (None, "") else formula2
        return f"{name} {limits(lo, hi, percent and kind == 'decimal')}"
    return name


def percent_cells(t, lay) -> frozenset:
    """(sheet, row, col) of the template's percent inputs in ``lay``: their limits are shown as percents."""
    from ..rules import all_inputs
    return frozenset(lay.input_cells[i.id] for i in all_inputs(t) if i.type == "percent" and i.id in lay.input_cells)
