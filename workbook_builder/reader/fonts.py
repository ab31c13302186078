"""Which fonts may draw what a reviewer reads: the template's font and common Chinese and Latin text
fonts. A symbol font (Wingdings, Webdings, Symbol, …) draws digits as pictures, so any font outside the
list, or one marked as a symbol character set, is refused.
"""

from __future__ import annotations

from ..formats import FONT

#: font families (lower case, spaces removed), matched as prefixes of the font's name
ALLOWED = tuple(x.lower().replace(" ", "") for x in (
    FONT, "宋体", "新宋体", "SimSun", "NSimSun", "仿宋", "FangSong", "黑体", "SimHei", "楷体", "KaiTi", "微软雅黑",
    "Microsoft YaHei", "微软正黑体", "Microsoft JhengHei", "等线", "DengXian", "隶书", "LiSu", "幼圆", "YouYuan",
    "方正", "FZ", "华文", "ST", "思源", "Source Han", "Noto Sans", "Noto Serif", "WenQuanYi", "文泉驿",
    "Droid Sans", "AR PL", "PingFang", "苹方", "Hiragino", "Songti", "Heiti", "Kaiti", "STSong", "STHeiti",
    "Calibri", "Cambria", "Candara", "Arial", "Helvetica", "Times New Roman", "Times", "Courier New", "Courier",
    "Verdana", "Tahoma", "Segoe UI", "Georgia", "Garamond", "Book Antiqua", "Century Gothic", "Aptos",
    "Liberation", "DejaVu", "Carlito", "Caladea", "Open Sans", "Roboto", "Sans", "Serif", "Monospace",
    "Microsoft Sans Serif", "MS Sans Serif", "Consolas", "Lucida Sans", "Lucida Console", "Trebuchet MS",
    "MS Gothic", "MS PGothic", "MS Mincho", "Meiryo", "Yu Gothic", "Malgun Gothic", "Gulim", "Batang",
    "MingLiU", "PMingLiU", "新细明体", "細明體", "標楷體", "DFKai-SB",
))
#: symbol character set: the font's glyphs are pictures, whatever its name
SYMBOL_CHARSET = 2
#: fonts whose names start like an allowed family but draw symbols
SYMBOLS = ("symbol", "wingdings", "webdings", "marlett", "dingbats", "mtextra", "opensymbol", "segoeuisymbol",
           "segoemdl2", "stsymbol", "bookshelfsymbol")


def allowed(name: str) -> bool:
    n = name.strip().lstrip("@").lower().replace(" ", "")
    if not n or n.isdigit():
        return True  # no name, or a number (Gnumeric writes a font's family number as its name): the default font
    if any(n.startswith(x) for x in SYMBOLS):
        return False
    return any(n.startswith(x) for x in ALLOWED)


def not_allowed(font, styles=None) -> str:
    """The name of a font that would draw ``font``'s text and is not allowed, or ''."""
    if font.charset == SYMBOL_CHARSET:
        return f"{font.name}（符号字符集）" if font.name else "符号字符集"
    names = [font.name]
    if font.scheme and styles is not None:  # Excel draws the theme's font instead
        names += [x for x in styles.theme_fonts.get(font.scheme, ()) if x]
    for n in names:
        if not allowed(n):
            return n[:40]
    return ""
