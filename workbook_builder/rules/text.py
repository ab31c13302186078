"""The Chinese text faces every rule kind shares: numbers as a bureau writes them, and ``键=值`` parameters.

A rule's parameters are typed in the authoring workbook as ``键=值`` items separated by ``；``
(``标准=100%；每超过=1%；扣=0.5``). Values of a percent indicator are written with ``%``; the
parser accepts full-width forms (``＝``, ``；``, ``％``) and line breaks.
"""

from __future__ import annotations

import re
import unicodedata

from ..numeric import fmt_num, xl_round


class ParamError(ValueError):
    """A parameter text that cannot be read; the message is Chinese and says how to write it."""


_KEEP = set("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳")
_MAP = {"≦": "≤", "≧": "≥", "﹤": "<", "﹥": ">", "～": "~", "〜": "~", "—": "-", "–": "-", "－": "-",
        "―": "-", "─": "-", "−": "-", "＊": "*", "╳": "×", "÷": "/", "【": "[", "】": "]", "“": "", "”": "",
        "‘": "", "’": "", "\"": "", "'": "", "。": ";", "，": ",", "；": ";", "：": ":", "、": "、"}


def fold(text: str) -> str:
    """Full-width to half-width (circled ①② kept), unified dashes and comparison signs, no spaces."""
    out = []
    for ch in str(text):
        if ch in _KEEP:
            out.append(ch)
            continue
        ch = _MAP.get(ch, ch)
        ch = unicodedata.normalize("NFKC", ch)
        out.append(_MAP.get(ch, ch))
    s = "".join(out)
    s = s.replace("<=", "≤").replace(">=", "≥").replace("=<", "≤").replace("=>", "≥")
    return re.sub(r"\s+", "", s)


def num_text(x: float, percent: bool) -> str:
    """A value as the bureau writes it: ``95%`` for a percent indicator, ``10`` otherwise."""
    if percent:
        return f"{fmt_num(xl_round(x * 100, 9))}%"
    return fmt_num(xl_round(x, 12))


def points_text(x: float) -> str:
    return fmt_num(xl_round(x, 12))


_NUM = re.compile(r"^([+-]?\d+(?:\.\d+)?)(%?)$")


def parse_num(text: str, percent: bool, what: str) -> float:
    """``95%`` → 0.95; a plain number is taken as written, except that a percent indicator needs ``%``."""
    s = fold(text)
    m = _NUM.match(s)
    if not m:
        raise ParamError(f"{what}“{text}”不是数字")
    v = float(m.group(1))
    if m.group(2):
        return xl_round(v / 100, 12)
    if percent and v != 0:
        raise ParamError(f"{what}“{text}”要带百分号（本指标按百分比计，如 {fmt_num(v)}%）")
    return v


def parse_points(text: str, what: str) -> float:
    s = fold(text).removesuffix("分")
    m = _NUM.match(s)
    if not m or m.group(2):
        raise ParamError(f"{what}“{text}”应为分数（如 0.5）")
    return float(m.group(1))


def split_items(text: str) -> list[str]:
    """``a=1；b=2`` (or separated by line breaks) → ``['a=1', 'b=2']``."""
    s = str(text or "").replace("；", ";").replace("\r", "\n").replace("\n", ";")
    return [x.strip() for x in s.split(";") if x.strip()]


def key_values(text: str, known: dict[str, str], kind_label: str) -> dict[str, str]:
    """Parse ``键=值`` items; ``known`` maps each accepted key (aliases included) to its canonical key."""
    out: dict[str, str] = {}
    for item in split_items(text):
        item = item.replace("＝", "=").replace("：", "=").replace(":", "=")
        key, eq, value = item.partition("=")
        key = fold(key)
        if not eq or not value.strip():
            raise ParamError(f"“{item}”应写成 键=值（{kind_label}可用：{'、'.join(sorted(set(known.values())))}）")
        canon = known.get(key)
        if canon is None:
            raise ParamError(f"{kind_label}没有参数“{key}”（可用：{'、'.join(dict.fromkeys(known.values()))}）")
        if canon in out:
            raise ParamError(f"参数“{key}”写了两次")
        out[canon] = value.strip()
    return out


def join_items(items: list[str]) -> str:
    return "；".join(items)


#: the words by which a 评分标准 states that deductions stop at 0 (扣完为止 and its variants)
FLOOR_STATED = re.compile(r"扣完(?:\d+(?:\.\d+)?分)?为止|扣满为止|扣完即止|扣至0|扣到0|直至扣为零分|直至0分|最低(?:为)?0分|最低不得分|"
                          r"最多扣|扣分不超过|扣完|减完")
