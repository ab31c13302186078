"""A workbook's styles as the reader needs them: what number format, font colour, fill and lock each
cell style (``<xf>``) and each conditional-format style (``<dxf>``) gives.

Colours come back as ``RRGGBB`` (theme and legacy indexed colours resolved, tint applied), or None for
"automatic" (black text, white background).
"""

from __future__ import annotations

from dataclasses import dataclass

from .numfmt import BUILTIN

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

#: the legacy palette (indexed colours 0–63); 64 is the system foreground, 65 the background
_INDEXED = ("000000 FFFFFF FF0000 00FF00 0000FF FFFF00 FF00FF 00FFFF 000000 FFFFFF FF0000 00FF00 0000FF FFFF00 FF00FF "
            "00FFFF 800000 008000 000080 808000 800080 008080 C0C0C0 808080 9999FF 993366 FFFFCC CCFFFF 660066 FF8080 "
            "0066CC CCCCFF 000080 FF00FF FFFF00 00FFFF 800080 800000 008080 0000FF 00CCFF CCFFFF CCFFCC FFFF99 99CCFF "
            "FF99CC CC99FF FFCC99 3366FF 33CCCC 99CC00 FFCC00 FF9900 FF6600 666699 969696 003366 339966 003300 333300 "
            "993300 993366 333399 333333").split()
#: theme colour order of SpreadsheetML: lt1, dk1, lt2, dk2, accents, links (indices 0 and 1, 2 and 3 swapped)
_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                "hlink", "folHlink")
_DEFAULT_THEME = {"lt1": "FFFFFF", "dk1": "000000", "lt2": "E7E6E6", "dk2": "44546A"}


@dataclass
class XF:
    num_fmt: str = "General"
    font_color: str | None = None
    font_size: float = 11.0
    fill: str | None = None
    locked: bool = True


@dataclass
class DXF:
    num_fmt: str | None = None
    font_color: str | None = None
    fill: str | None = None


class Styles:
    def __init__(self, root=None, theme_root=None):
        self.theme = dict(_DEFAULT_THEME)
        if theme_root is not None:
            scheme = theme_root.find(f".//{A}clrScheme")
            for el in list(scheme) if scheme is not None else []:
                name = el.tag.rsplit("}", 1)[-1]
                c = el.find(f"{A}srgbClr")
                s = el.find(f"{A}sysClr")
                if c is not None and c.get("val"):
                    self.theme[name] = c.get("val").upper()[-6:]
                elif s is not None and s.get("lastClr"):
                    self.theme[name] = s.get("lastClr").upper()[-6:]
        self.fmts = dict(BUILTIN)
        self.fonts: list[tuple[str | None, float]] = []
        self.fills: list[str | None] = []
        self.xfs: list[XF] = []
        self.dxfs: list[DXF] = []
        if root is None:
            return
        for nf in root.iter(f"{NS}numFmt"):
            if (nf.get("numFmtId") or "").isdigit():
                self.fmts[int(nf.get("numFmtId"))] = nf.get("formatCode") or "General"
        fonts = root.find(f"{NS}fonts")
        for f in list(fonts) if fonts is not None else []:
            sz = f.find(f"{NS}sz")
            try:
                size = float(sz.get("val")) if sz is not None else 11.0
            except (TypeError, ValueError):
                size = 11.0
            self.fonts.append((self.colour(f.find(f"{NS}color")), size))
        fills = root.find(f"{NS}fills")
        for f in list(fills) if fills is not None else []:
            self.fills.append(self._fill(f, dxf=False))
        xfs = root.find(f"{NS}cellXfs")
        for x in list(xfs) if xfs is not None else []:
            font = self.fonts[_int(x.get("fontId"))] if _int(x.get("fontId")) < len(self.fonts) else (None, 11.0)
            fill = self.fills[_int(x.get("fillId"))] if _int(x.get("fillId")) < len(self.fills) else None
            prot = x.find(f"{NS}protection")
            locked = prot is None or prot.get("locked") not in ("0", "false")
            self.xfs.append(XF(self.fmts.get(_int(x.get("numFmtId")), "General"), font[0], font[1], fill, locked))
        dxfs = root.find(f"{NS}dxfs")
        for d in list(dxfs) if dxfs is not None else []:
            nf = d.find(f"{NS}numFmt")
            font = d.find(f"{NS}font")
            fill = d.find(f"{NS}fill")
            self.dxfs.append(DXF(nf.get("formatCode") if nf is not None else None,
                                 self.colour(font.find(f"{NS}color")) if font is not None else None,
                                 self._fill(fill, dxf=True) if fill is not None else None))

    def xf(self, i: int) -> XF:
        return self.xfs[i] if 0 <= i < len(self.xfs) else XF()

    def dxf(self, i: int) -> DXF | None:
        return self.dxfs[i] if 0 <= i < len(self.dxfs) else None

    def colour(self, el) -> str | None:
        if el is None or el.get("auto") in ("1", "true"):
            return None
        rgb = None
        if el.get("rgb"):
            rgb = el.get("rgb").upper()[-6:]
        elif el.get("theme") is not None:
            i = _int(el.get("theme"))
            rgb = self.theme.get(_THEME_ORDER[i]) if i < len(_THEME_ORDER) else None
        elif el.get("indexed") is not None:
            i = _int(el.get("indexed"))
            rgb = _INDEXED[i] if i < len(_INDEXED) else None  # 64/65: system colours, automatic
        if rgb is None or len(rgb) != 6 or any(ch not in "0123456789ABCDEF" for ch in rgb):
            return None
        try:
            tint = float(el.get("tint") or 0)
        except ValueError:
            tint = 0.0
        return _tinted(rgb, tint) if tint else rgb

    def _fill(self, f, dxf: bool) -> str | None:
        p = f.find(f"{NS}patternFill")
        if p is None:
            return None
        kind = p.get("patternType", "solid" if dxf else "none")
        if kind == "none":
            return None
        fg, bg = p.find(f"{NS}fgColor"), p.find(f"{NS}bgColor")
        # a solid cell fill shows fgColor; a conditional format's solid fill is given as bgColor
        first, second = (bg, fg) if dxf else (fg, bg)
        return self.colour(first) or self.colour(second)


def _int(v) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def _tinted(rgb: str, tint: float) -> str:
    out = ""
    for i in (0, 2, 4):
        c = int(rgb[i:i + 2], 16)
        c = c * (1 + tint) if tint < 0 else c + (255 - c) * tint
        out += f"{max(0, min(255, round(c))):02X}"
    return out


def luminance(rgb: str | None, default: str) -> float:
    rgb = rgb or default
    out = []
    for i in (0, 2, 4):
        c = int(rgb[i:i + 2], 16) / 255
        out.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]


def contrast(font: str | None, fill: str | None) -> float:
    """WCAG contrast ratio of text on its background (1 = invisible, 21 = black on white)."""
    a, b = luminance(font, "000000"), luminance(fill, "FFFFFF")
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)
