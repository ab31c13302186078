"""What a number format makes a cell show: enough of Excel's format language to tell formats apart.

``shown(value, code)`` renders a number or a text through a format code the way Excel would for the
codes a workbook of ours can honestly carry (General, 0, 0.00, #,##0.00, 0.00%, text sections,
literals, colours, conditions). It returns None for what it does not understand (dates, fractions,
exponents), and the reader then compares the codes themselves.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

#: Excel's built-in number formats that a re-save may use instead of writing the code
BUILTIN = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
           12: "# ?/?", 13: "# ??/??", 14: "yyyy-mm-dd", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
           39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 49: "@"}

_COND = re.compile(r"^\[(<=|>=|<>|<|>|=)(-?[0-9.]+)\]")
_BRACKET = re.compile(r"\[[^\]]*\]")


def _sections(code: str) -> list[str]:
    out, cur, q, i = [], "", False, 0
    while i < len(code):
        ch = code[i]
        if ch == '"':
            q = not q
        elif ch == "\\" and not q and i + 1 < len(code):
            cur += code[i:i + 2]
            i += 2
            continue
        elif ch == ";" and not q:
            out.append(cur)
            cur = ""
            i += 1
            continue
        cur += ch
        i += 1
    out.append(cur)
    return out


def _tokens(sec: str) -> list[tuple[str, str]] | None:
    """('lit', text) and ('num', pattern) pieces of one section; None where it is not understood."""
    sec = _BRACKET.sub("", sec)  # colours, conditions and locale tags change no digit
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(sec):
        ch = sec[i]
        if ch == '"':
            j = sec.find('"', i + 1)
            if j < 0:
                return None
            out.append(("lit", sec[i + 1:j]))
            i = j + 1
        elif ch == "\\" and i + 1 < len(sec):
            out.append(("lit", sec[i + 1]))
            i += 2
        elif ch in "0#?,.%":
            if ch == "?":
                return None
            j = i
            while j < len(sec) and sec[j] in "0#,.%":
                j += 1
            out.append(("num", sec[i:j]))
            i = j
        elif ch in "_*":
            i += 2  # padding: a space the width of the next character, or a fill
            out.append(("lit", " " if ch == "_" else ""))
        elif ch == "@":
            out.append(("text", "@"))
            i += 1
        elif ch.isalpha():
            if sec[i:i + 7].lower() == "general":
                out.append(("general", ""))
                i += 7
            else:
                return None  # dates, exponents: not ours
        else:
            out.append(("lit", ch))
            i += 1
    return out


def _general(x: float) -> str:
    if x == int(x) and abs(x) < 1e11:
        return str(int(x))
    return f"{x:.10g}"


def _number(x: float, pattern: str) -> str:
    pct = pattern.count("%")
    x = x * 100 ** pct
    p = pattern.replace("%", "")
    scale = 0
    while p.endswith(","):
        p, scale = p[:-1], scale + 1
    x /= 1000 ** scale
    whole, _, frac = p.partition(".")
    decimals = len(frac)
    from ..numeric import xl_round
    x = xl_round(abs(x), decimals)
    text = f"{x:.{decimals}f}"
    w, _, f = text.partition(".")
    f = f[:frac.count("0")] + f[frac.count("0"):].rstrip("0")  # '#' decimals show only when not 0
    mins = whole.replace(",", "").count("0")
    w = w.lstrip("0") or ""
    w = w.rjust(mins, "0")
    if "," in whole:
        w = f"{int(w or 0):,}" if w else ""
    out = w + ("." + f if f else ("." if "." in p else ""))
    return out + "%" * pct


def shown(value, code: str) -> str | None:
    """The text a cell holding ``value`` displays under format ``code``, or None if not understood."""
    secs = _sections(code)
    if isinstance(value, str):
        if len(secs) >= 4:
            sec = secs[3]
        elif len(secs) == 1 and "@" in secs[0]:
            sec = secs[0]
        else:
            return value
        toks = _tokens(sec)
        if toks is None:
            return None
        return "".join(value if k == "text" else (t if k == "lit" else "") for k, t in toks)
    if value is None or isinstance(value, bool):
        return None
    x = float(value)
    if not math.isfinite(x):
        return None
    conds = [_COND.match(s) for s in secs]
    if any(conds):
        sec = None
        for s, m in zip(secs, conds):
            if m is None:
                sec = s
                break
            op, lim = m.group(1), float(m.group(2))
            if {"<": x < lim, "<=": x <= lim, ">": x > lim, ">=": x >= lim, "=": x == lim, "<>": x != lim}[op]:
                sec = s
                break
        if sec is None:
            return "#" * 5
        neg = False
    elif x < 0 and len(secs) >= 2:
        sec, neg = secs[1], False
        x = -x
    elif x == 0 and len(secs) >= 3:
        sec, neg = secs[2], False
    else:
        sec, neg = secs[0], x < 0
        x = abs(x)
    toks = _tokens(sec)
    if toks is None:
        return None
    body = ""
    for kind, t in toks:
        if kind == "lit":
            body += t
        elif kind == "num":
            body += _number(x, t)
        elif kind == "general":
            body += _general(x)
        elif kind == "text":
            return None
    if not any(k in ("num", "general") for k, _ in toks):
        neg = False  # a section of literals only shows just them
    return ("-" if neg and body else "") + body


_COLOUR = re.compile(r"\[(black|blue|cyan|green|magenta|red|white|yellow|colou?r\s*(\d{1,2}))\]", re.I)
_NAMED = {"black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00", "magenta": "FF00FF",
          "red": "FF0000", "white": "FFFFFF", "yellow": "FFFF00"}


def colour_of(value, code: str, palette=None) -> str | None:
    """The colour (``RRGGBB``) the section of ``code`` that shows ``value`` paints it in, or None."""
    if "[" not in code:
        return None
    secs = _sections(code)
    if isinstance(value, str):
        sec = secs[3] if len(secs) >= 4 else secs[0] if "@" in secs[0] else None
    elif value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        return None
    else:
        x = float(value)
        conds = [_COND.match(s) for s in secs]
        if any(conds):
            sec = next((s for s, m in zip(secs, conds) if m is None or _holds(x, m)), None)
        elif x < 0 and len(secs) >= 2:
            sec = secs[1]
        elif x == 0 and len(secs) >= 3:
            sec = secs[2]
        else:
            sec = secs[0]
    m = _COLOUR.search(sec or "")
    if m is None:
        return None
    if m.group(2):
        i = int(m.group(2)) + 7  # [Color1] is the palette's entry 8
        return palette[i] if palette and 0 <= i < len(palette) else "000000"
    return _NAMED[m.group(1).lower()]


def _holds(x: float, m) -> bool:
    op, lim = m.group(1), float(m.group(2))
    return {"<": x < lim, "<=": x <= lim, ">": x > lim, ">=": x >= lim, "=": x == lim, "<>": x != lim}[op]


PROBES = (0.0, 1.0, -1.0, 0.5, 12.345, 87.6543, 100.0, 1234.5, 0.9525)


def same_display(value, expected_code: str, found_code: str) -> bool:
    """Whether a cell shows the same under both codes, for its value and for probe values."""
    if expected_code == found_code or _norm(expected_code) == _norm(found_code) or (
            _date_only(expected_code) and _date_only(found_code)):
        return True
    values = [value] if isinstance(value, str) else [value, *PROBES]
    for v in values:
        if v is None:
            continue
        a, b = shown(v, expected_code), shown(v, found_code)
        if a is None or b is None or a.strip() != b.strip():
            return False
    return True


@lru_cache(maxsize=4096)
def _norm(code: str) -> str:
    """A code as written by any application: escaped separators unescaped, case folded. Quoted text stays
    quoted: ``"0.00"`` shows those four characters, whatever the value."""
    return re.sub(r'\\([-/ ().:,])', r"\1", code).lower().strip()


_DATE_PART = re.compile(r"^(?:y{2,4}|m{1,4}|d{1,4}|h{1,2}|s{1,2}|e|aaaa?|[-/. :年月日时分秒])+$")


@lru_cache(maxsize=4096)
def _date_only(code: str) -> bool:
    """A format that shows a date (and time) and no literal text: any two such show the same date."""
    body = _BRACKET.sub("", _norm(code))
    return bool(body) and ";" not in body and '"' not in body and "\\" not in body and bool(_DATE_PART.match(body))
