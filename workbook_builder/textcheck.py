"""Characters a workbook cannot hold: refused where a name or text is typed, with their place.

Excel and LibreOffice refuse to open a file whose cells hold control characters (``\\x01``, ``\\x0b``,
NUL …), noncharacters (``\\uFFFF``) or lone surrogates, so such a name or text is refused at input.
Line breaks and tabs are allowed in texts (预期目标), never in names (they become file and sheet names).
"""

from __future__ import annotations


def bad_char(text: str, breaks: bool = False) -> str | None:
    """The first character ``text`` cannot hold, described in Chinese (None when it is fine)."""
    for i, ch in enumerate(text, start=1):
        o = ord(ch)
        if ch in "\n\r\t":
            if breaks:
                continue
            what = {"\n": "换行", "\r": "回车", "\t": "制表符"}[ch]
        elif o < 0x20 or 0x7F <= o <= 0x9F:
            what = f"控制字符 U+{o:04X}"
        elif 0xD800 <= o <= 0xDFFF:
            what = f"不成对的代理字符 U+{o:04X}"
        elif 0xFDD0 <= o <= 0xFDEF or (o & 0xFFFE) == 0xFFFE:
            what = f"非字符 U+{o:04X}"
        else:
            continue
        return f"第{i}个字是{what}"
    return None


def text_problem(text: str, what: str, breaks: bool = False) -> str | None:
    """One Chinese line for a name or text that cannot be written (None when it is fine)."""
    bad = bad_char(text, breaks)
    if bad is None:
        return None
    return f"{what}含有 Excel 无法保存的字符（{bad}），请删去该字符后重试"
