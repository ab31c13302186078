"""A workbook's styles as the reader needs them: what number format, font, colours, fill, alignment and
lock each cell style (``<xf>``) and each conditional-format style (``<dxf>``) gives.

Colours come back as ``RRGGBB`` (theme colours, the legacy palette and the file's own palette resolved,
tint applied), or None for "automatic" (black text, white background). Where applications may draw a
colour differently (a system colour and its cached value, the two colours of a pattern, the stops of a
gradient) every candidate is kept, and ``contrast_of`` takes the worst pairing: the stricter reading wins.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass, field

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
#: system colours a theme may name (``<a:sysClr val=…>``), as Windows draws them by default
_SYSTEM = {"window": "FFFFFF", "windowText": "000000", "menu": "FFFFFF", "menuText": "000000",
           "btnFace": "F0F0F0", "btnText": "000000", "highlight": "0078D7", "highlightText": "FFFFFF",
           "captionText": "000000", "infoBk": "FFFFE1", "infoText": "000000", "grayText": "6D6D6D"}


@dataclass
class Font:
    name: str = ""
    size: float = 11.0
    colours: tuple[str, ...] = ()  # candidates; () = automatic
    charset: int | None = None  # 2 = a symbol font
    scheme: str = ""  # "major" / "minor": the theme's font is drawn instead of ``name``


@dataclass
class XF:
    num_fmt: str = "General"
    font_color: str | None = None
    font_size: float = 11.0
    fill: str | None = None
    locked: bool = True
    font: Font = field(default_factory=Font)
    fills: tuple[str, ...] = ()  # candidate background colours; () = none (white)
    align: dict[str, str] = field(default_factory=dict)  # the <alignment> attributes


@dataclass
class DXF:
    num_fmt: str | None = None
    font_color: str | None = None
    fill: str | None = None
    font_colours: tuple[str, ...] = ()
    fills: tuple[str, ...] = ()


class Styles:
    def __init__(self, root=None, theme_root=None):
        self.theme: dict[str, tuple[str, ...]] = {k: (v,) for k, v in _DEFAULT_THEME.items()}
        self.theme_fonts: dict[str, tuple[str, ...]] = {}  # "major"/"minor" -> typefaces (latin, ea, cs)
        self.palette = list(_INDEXED)
        if theme_root is not None:
            scheme = theme_root.find(f".//{A}clrScheme")
            for el in list(scheme) if scheme is not None else []:
                name = el.tag.rsplit("}", 1)[-1]
                c = el.find(f"{A}srgbClr")
                s = el.find(f"{A}sysClr")
                if c is not None and c.get("val"):
                    self.theme[name] = (c.get("val").upper()[-6:],)
                elif s is not None:
                    # Excel draws the system colour; lastClr is only what it was when saved
                    found = [_SYSTEM.get(s.get("val") or ""), (s.get("lastClr") or "").upper()[-6:] or None]
                    self.theme[name] = tuple(dict.fromkeys(x for x in found if x)) or ("000000",)
            for kind in ("major", "minor"):
                f = theme_root.find(f".//{A}{kind}Font")
                if f is not None:
                    self.theme_fonts[kind] = tuple(el.get("typeface") or "" for el in f
                                                   if el.tag in (f"{A}latin", f"{A}ea", f"{A}cs"))
        self.fmts = dict(BUILTIN)
        self.fonts: list[Font] = []
        self.fills: list[tuple[str, ...]] = []
        self.xfs: list[XF] = []
        self.dxfs: list[DXF] = []
        self.normal_font = Font()
        if root is None:
            return
        palette = root.find(f"{NS}colors/{NS}indexedColors")
        if palette is not None:  # the file's own legacy palette replaces Excel's
            for i, el in enumerate(palette.findall(f"{NS}rgbColor")[:64]):
                rgb = (el.get("rgb") or "").upper()[-6:]
                if _is_rgb(rgb):
                    self.palette[i] = rgb
        for nf in root.iter(f"{NS}numFmt"):
            if (nf.get("numFmtId") or "").isdigit():
                self.fmts[int(nf.get("numFmtId"))] = nf.get("formatCode") or "General"
        fonts = root.find(f"{NS}fonts")
        for f in list(fonts) if fonts is not None else []:
            self.fonts.append(self.font(f))
        fills = root.find(f"{NS}fills")
        for f in list(fills) if fills is not None else []:
            self.fills.append(self._fill(f, dxf=False))
        base = root.find(f"{NS}cellStyleXfs")
        first = base.find(f"{NS}xf") if base is not None else None
        if first is not None and _int(first.get("fontId")) < len(self.fonts):
            self.normal_font = self.fonts[_int(first.get("fontId"))]  # column widths are counted in its digits
        elif self.fonts:
            self.normal_font = self.fonts[0]
        parents = list(base) if base is not None else []
        xfs = root.find(f"{NS}cellXfs")
        for x in list(xfs) if xfs is not None else []:
            font, fill = self._font_of(x), self._fill_of(x)
            parent = parents[_int(x.get("xfId"))] if _int(x.get("xfId")) < len(parents) else None
            if parent is not None and x.get("applyFill") in ("0", "false"):  # LibreOffice may draw the style's
                fill = tuple(dict.fromkeys(fill + (self._fill_of(parent) or ("FFFFFF",))))
            if parent is not None and x.get("applyFont") in ("0", "false"):
                p = self._font_of(parent)
                font = Font(font.name, min(font.size, p.size), tuple(dict.fromkeys((font.colours or ("000000",)) +
                                                                                   (p.colours or ("000000",)))),
                            font.charset, font.scheme)
            prot = x.find(f"{NS}protection")
            locked = prot is None or prot.get("locked") not in ("0", "false")
            al = x.find(f"{NS}alignment")
            self.xfs.append(XF(self.fmts.get(_int(x.get("numFmtId")), "General"), font.colours[0] if font.colours else None,
                               font.size, fill[0] if fill else None, locked, font, fill,
                               dict(al.attrib) if al is not None else {}))
        dxfs = root.find(f"{NS}dxfs")
        for d in list(dxfs) if dxfs is not None else []:
            nf = d.find(f"{NS}numFmt")
            font = d.find(f"{NS}font")
            fill = d.find(f"{NS}fill")
            fc = self.colours(font.find(f"{NS}color")) if font is not None else ()
            fl = self._fill(fill, dxf=True) if fill is not None else ()
            self.dxfs.append(DXF(nf.get("formatCode") if nf is not None else None, fc[0] if fc else None,
                                 fl[0] if fl else None, fc, fl))

    def _font_of(self, x) -> Font:
        i = _int(x.get("fontId"))
        return self.fonts[i] if i < len(self.fonts) else Font()

    def _fill_of(self, x) -> tuple[str, ...]:
        i = _int(x.get("fillId"))
        return self.fills[i] if i < len(self.fills) else ()

    def font(self, f) -> Font:
        """A ``<font>`` (or a rich-text run's ``<rPr>``) as drawn."""
        def val(tag):
            el = f.find(f"{NS}{tag}")
            return None if el is None else el.get("val")
        try:
            size = float(val("sz")) if val("sz") is not None else 11.0
        except (TypeError, ValueError):
            size = 11.0
        name = val("name") or val("rFont") or ""
        charset = val("charset")
        return Font(name, size, self.colours(f.find(f"{NS}color")),
                    int(charset) if (charset or "").isdigit() else None, val("scheme") or "")

    def xf(self, i: int) -> XF:
        return self.xfs[i] if 0 <= i < len(self.xfs) else XF()

    def dxf(self, i: int) -> DXF | None:
        return self.dxfs[i] if 0 <= i < len(self.dxfs) else None

    def colour(self, el) -> str | None:
        c = self.colours(el)
        return c[0] if c else None

    def colours(self, el, system: str = "000000") -> tuple[str, ...]:
        """Every colour ``el`` may be drawn as; () for automatic. ``system`` is what indexed 64 (the
        system foreground) is drawn as; 65, the system background, is white."""
        if el is None or el.get("auto") in ("1", "true"):
            return ()
        found: tuple[str, ...] = ()
        if el.get("rgb"):
            found = (el.get("rgb").upper()[-6:],)
        elif el.get("theme") is not None:
            i = _int(el.get("theme"))
            found = self.theme.get(_THEME_ORDER[i], ()) if 0 <= i < len(_THEME_ORDER) else ()
        elif el.get("indexed") is not None:
            i = _int(el.get("indexed"))
            found = ((self.palette[i],) if 0 <= i < len(self.palette) else
                     (system,) if i == 64 else ("FFFFFF",) if i == 65 else ())
        found = tuple(x for x in found if _is_rgb(x))
        try:
            tint = float(el.get("tint") or 0)
        except ValueError:
            tint = 0.0
        return tuple(_tinted(x, tint) for x in found) if tint else found

    def _fill(self, f, dxf: bool) -> tuple[str, ...]:
        g = f.find(f"{NS}gradientFill")
        if g is not None:  # every stop shows somewhere in the cell
            out = [x for stop in g.findall(f"{NS}stop") for x in self.colours(stop.find(f"{NS}color"))]
            return tuple(dict.fromkeys(out)) or ("000000",)
        p = f.find(f"{NS}patternFill")
        if p is None:
            return ()
        kind = p.get("patternType", "solid" if dxf else "none")
        if kind == "none":
            return ()
        fg, bg = p.find(f"{NS}fgColor"), p.find(f"{NS}bgColor")
        if dxf:  # a conditional format's solid fill is given as bgColor (fgColor if that is all there is)
            out = self.colours(bg) + self.colours(fg)
            return tuple(dict.fromkeys(out)) if out else ()
        if kind == "solid":  # a solid cell fill shows fgColor; without one, the system foreground (black)
            return self.colours(fg) or ("000000",)
        # a pattern mixes both colours; the background defaults to white
        return tuple(dict.fromkeys((self.colours(fg) or ("000000",)) + (self.colours(bg, "FFFFFF") or ("FFFFFF",))))


def _int(v) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def _is_rgb(rgb: str | None) -> bool:
    return bool(rgb) and len(rgb) == 6 and all(ch in "0123456789ABCDEF" for ch in rgb)


def _tinted(rgb: str, tint: float) -> str:
    """Excel's tint: the colour's HLS lightness moved towards black (tint < 0) or white (tint > 0)."""
    tint = max(-1.0, min(1.0, tint))
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, lum, s = colorsys.rgb_to_hls(r, g, b)
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    return "".join(f"{max(0, min(255, round(x * 255))):02X}" for x in colorsys.hls_to_rgb(h, lum, s))


def luminance(rgb: str | None, default: str) -> float:
    rgb = rgb or default
    out = []
    for i in (0, 2, 4):
        c = int(rgb[i:i + 2], 16) / 255
        out.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]


def contrast_of(fonts: tuple[str, ...], fills: tuple[str, ...]) -> float:
    """The worst contrast of any colour the text may take on any colour its background may take."""
    return min(contrast(f, b) for f in (fonts or (None,)) for b in (fills or (None,)))


def contrast(font: str | None, fill: str | None) -> float:
    """WCAG contrast ratio of text on its background (1 = invisible, 21 = black on white)."""
    a, b = luminance(font, "000000"), luminance(fill, "FFFFFF")
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)
