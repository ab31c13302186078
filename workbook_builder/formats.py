"""The look of the workbook: cell styles by name (XlsxWriter format properties), fonts and fills.

The renderer writes them; the reader checks that what a returned file shows (number formats, font
against fill) still says what these say.
"""

from __future__ import annotations

from typing import Any

FONT = "宋体"
INPUT_FILL = "#FFF2CC"
CALC_FILL = "#DDEBF7"
#: money and numbers as typed: two decimals at least, up to four (9.1168 万元 is 91,168 元, not 9.12)
MONEY = "#,##0.00##"
NUMBER = "0.00##"
HINT_COLOUR = "#C00000"
GRADE_COLOURS = ["#C6EFCE", "#DDEBF7", "#FFEB9C", "#FFC7CE", "#F4B084"]

STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"},
    "subtitle": {"align": "center", "valign": "vcenter"},
    "note": {"font_size": 9, "text_wrap": True, "valign": "top"},
    "hint": {"border": 1, "font_color": HINT_COLOUR, "text_wrap": True, "valign": "vcenter", "font_size": 9},
    "hint_box": {"border": 1, "font_color": HINT_COLOUR, "bold": True, "text_wrap": True, "valign": "vcenter",
                 "font_size": 9},
    "hint_line": {"font_color": HINT_COLOUR, "bold": True, "text_wrap": True, "valign": "vcenter"},
    "sign": {"font_size": 11, "valign": "bottom"},
    "header": {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True, "bg_color": "#D9D9D9"},
    "subheader": {"bold": True, "border": 1, "valign": "vcenter", "bg_color": "#EDEDED"},
    "text": {"border": 1, "text_wrap": True, "valign": "vcenter"},
    "small": {"border": 1, "text_wrap": True, "valign": "top", "font_size": 9},
    "center": {"border": 1, "align": "center", "valign": "vcenter", "text_wrap": True},
    "num": {"border": 1, "align": "center", "valign": "vcenter", "num_format": "0.00"},
    "in_num": {"border": 1, "bg_color": INPUT_FILL, "locked": False, "num_format": NUMBER, "valign": "vcenter"},
    "in_int": {"border": 1, "bg_color": INPUT_FILL, "locked": False, "num_format": "0", "valign": "vcenter"},
    "in_pct": {"border": 1, "bg_color": INPUT_FILL, "locked": False, "num_format": "0.00%", "valign": "vcenter"},
    "in_money": {"border": 1, "bg_color": INPUT_FILL, "locked": False, "num_format": MONEY, "valign": "vcenter"},
    "in_date": {"border": 1, "bg_color": INPUT_FILL, "locked": False, "num_format": "yyyy-mm-dd", "valign": "vcenter"},
    "in_text": {"border": 1, "bg_color": INPUT_FILL, "locked": False, "text_wrap": True, "valign": "vcenter"},
    "f_num": {"border": 1, "bg_color": CALC_FILL, "num_format": "0.00", "valign": "vcenter"},
    "f_int": {"border": 1, "bg_color": CALC_FILL, "num_format": "0", "valign": "vcenter"},
    "f_pct": {"border": 1, "bg_color": CALC_FILL, "num_format": "0.00%", "valign": "vcenter"},
    "f_money": {"border": 1, "bg_color": CALC_FILL, "num_format": MONEY, "valign": "vcenter"},
    "f_score": {"border": 1, "bg_color": CALC_FILL, "num_format": "0.00", "align": "center", "valign": "vcenter"},
    "f_text": {"border": 1, "bg_color": CALC_FILL, "align": "center", "valign": "vcenter", "text_wrap": True},
    "f_total": {"border": 1, "bg_color": CALC_FILL, "num_format": "0.00", "align": "center", "valign": "vcenter", "bold": True},
}
