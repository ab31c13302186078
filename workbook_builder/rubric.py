"""Reading a rule from the 评分标准 text a bureau already writes.

``read(text, weight, target_op, target_value, percent)`` recognises the common phrasings
(按比例计分, 每超过N个百分点扣M分, stepped bands, ①②③ items, 每出现一例…扣M分, 达成/部分达成
with ranges, 是否, linear interpolation) in full- or half-width form. Each recogniser needs its
own core phrase; the text is recognised only when exactly one kind's core is found **and** no
other clause of the text still speaks of points (扣…分, 得…分, 不得分…). Anything else is
reported as not recognised (``无法识别，请选择计分方法``): a wrong rule read with confidence is
worse than none. Where these phrase recognisers are not sure, the clause grammar (clauses.py) reads
the text into a composed rule (rules/compose.py), or names the clause it could not read. Rubric defects found on the way (band gaps and overlaps, item points that do
not add up to the 分值, a full-marks score that is not the 分值) are reported as ``problems``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .model import Actual, Node, Target
from .numeric import xl_round
from .rules import RULES
from .rules.text import ParamError, fold, num_text, points_text

UNREADABLE = "无法识别，请选择计分方法"
#: the longest (folded) text the phrase recognisers read; real 评分标准 cells are far shorter (seeds ≤ 130, corpus ≤ 210)
PHRASE_MAX = 600
N = r"\d+(?:\.\d+)?"
CN = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0.5}
CNUM = rf"(?:{N}|[一两二三四五六七八九十半])"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
#: a fragment still speaking of points once the recognised spans are removed: the reading is not sure
SCORING = re.compile(r"扣|(?<![取获使记值])得(?!到)|(?<![部充])分(?![类解配析别布管项期批散])|酌情")
#: a fragment left over that states a condition on a number the reading does not use (“覆盖率不低于95%、”): read
#: without it the rule would be wrong (a restated bound, “不足90%时”, uses the same number)
CONDITION = re.compile(r"(?:≥|≤|>|<|不低于|不少于|不超过|不高于|高于|低于|大于|小于|达到|超过|不足)(\d+(?:\.\d+)?%?)")
#: a fragment left over that joins a second condition (“按时完成且完成率达到90%以上得满分”)
CONJUNCTION = re.compile(r"且|同时")
#: fragments that only restate the floor at 0 (every rule stops at 0)
FLOOR = re.compile(r"^(?:扣完为止|扣满为止|扣完即止|扣至0分为止|扣到0分为止|最低(?:为)?0分|最低不得分|直至0分|扣分至0为止|"
                   r"以上|以上情况|以上各项|扣完|为止)$")


@dataclass
class Reading:
    """What the tool understood of a 评分标准 text."""

    recognised: bool
    kind: str = ""
    rule: dict[str, Any] | None = None
    reading: str = UNREADABLE
    problems: list[str] = field(default_factory=list)
    #: a target the text itself states (``达到100%得满分``) when none was given
    target: Target | None = None
    #: per-item points of ①②③ items (the ``items`` reading, scored by the items met)
    items: list[tuple[str, float]] = field(default_factory=list)
    #: the folded text read (for the checks of what the text states)
    text: str = ""
    #: where not recognised: the 参数 of the nearest composition (组合计分) the bureau could correct and paste
    nearest: str = ""
    #: a reading by the clause grammar scores its own values (clauses.py): (weight, main, named, na, met, percent) -> dict
    answer: Any = None

    @property
    def label(self) -> str:
        """The Chinese name of the rule read."""
        return _label(self.kind) if self.kind else ""

    def params_text(self, weight: float, percent: bool) -> str:
        """The rule's 参数 text, as the bureau would type it in the 指标体系 workbook."""
        if not self.rule:
            return ""
        return RULES[self.rule["kind"]].params_text(leaf_for(self.rule, weight, self.target, percent))

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"recognised": self.recognised, "kind": self.kind or None, "reading": self.reading,
                               "rule": self.rule, "problems": self.problems}
        if self.nearest:
            out["nearest"] = {"计分方法": "组合计分", "参数": self.nearest}
        if self.items:
            out["items"] = [{"text": t, "points": p} for t, p in self.items]
        return out


def cn_number(s: str) -> float:
    return float(CN[s]) if s in CN else float(s)


def leaf_for(rule: dict, weight: float, target: Target | None, percent: bool, unit: str = "") -> Node:
    """A stand-alone leaf carrying ``rule``, to score or describe it with the rule library."""
    return Node(id="rubric", name="", weight=weight, rule=rule, target=target, unit=unit or ("%" if percent else ""),
                actual=Actual("entry", type="percent" if percent else "number"))


class _Text:
    """The folded text with the spans recognisers consume."""

    def __init__(self, raw: str):
        self.s = fold(raw)
        self.used: list[tuple[int, int]] = []

    def take(self, m: re.Match, group: int = 0):
        self.used.append(m.span(group))

    def leftover(self) -> list[str]:
        chars = list(self.s)
        for a, b in self.used:
            for i in range(a, b):
                chars[i] = ";"
        frags = re.split(r"[;,]+", "".join(chars))
        said = {x for a, b in self.used for x in re.findall(r"\d+(?:\.\d+)?%?", self.s[a:b])}
        return [f for f in frags if f and not FLOOR.match(f) and
                (SCORING.search(f) or CONJUNCTION.search(f) or any(x not in said for x in CONDITION.findall(f)))]


# --- recognisers: each returns (rule, extras) or None, marking the spans it used -----------------

def _linear(t: _Text, ctx):
    m = re.search(rf"\((?:指标值|实际值|完成值|实际完成值|完成率|实际完成率)-\(?({N})(%?)\)?\)/\(\(?({N})(%?)\)?-\(?({N})(%?)\)?\)"
                  rf"[×*xX](?:赋分值|分值|权重|指标分值|该指标分值|该项分值)", t.s)
    if not m or m.group(1) != m.group(5):
        return None
    t.take(m)
    pc = bool(m.group(2) or m.group(4))
    f, u = float(m.group(1)), float(m.group(3))
    fp, up_ = re.escape(m.group(1) + m.group(2)), re.escape(m.group(3) + m.group(4))
    for extra in re.finditer(rf"(?:低于|<|不足){fp}(?:的)?(?:不得分|得0分)|{fp}(?:及)?以下(?:的)?(?:不得分|得0分)|"
                             rf"(?:达到|≥){up_}(?:及以上)?(?:的)?得满分|{up_}(?:及)?以上(?:的)?得满分", t.s):
        t.take(extra)
    if pc:
        f, u = xl_round(f / 100, 12), xl_round(u / 100, 12)
    return {"kind": "linear", "floor": f, "full": u}, {"percent": pc or None}


_INTERVAL = [
    # (regex, builder(groups) -> band dict)
    (rf"({N})(%?)\(含\)[-~至]({N})(%?)\(含\)", lambda g: dict(min=g[0], max=g[1], max_inclusive=True)),
    (rf"({N})(%?)\(含\)[-~至]({N})(%?)", lambda g: dict(min=g[0], max=g[1])),
    (rf"({N})(%?)[-~至]({N})(%?)\(含\)", lambda g: dict(min=g[0], min_inclusive=False, max=g[1], max_inclusive=True)),
    (rf"({N})(%?)≤[^\d;,≤<>=]{{0,15}}?<({N})(%?)", lambda g: dict(min=g[0], max=g[1])),
    (rf"({N})(%?)<[^\d;,≤<>=]{{0,15}}?≤({N})(%?)", lambda g: dict(min=g[0], min_inclusive=False, max=g[1], max_inclusive=True)),
    (rf"({N})(%?)≤[^\d;,≤<>=]{{0,15}}?≤({N})(%?)", lambda g: dict(min=g[0], max=g[1], max_inclusive=True)),
    (rf"({N})(%?)<[^\d;,≤<>=]{{0,15}}?<({N})(%?)", lambda g: dict(min=g[0], min_inclusive=False, max=g[1])),
    (rf"({N})(%?)[-~至]({N})(%?)(?:之间)?", lambda g: dict(min=g[0], max=g[1], _bare=True)),
    (rf"({N})(%?)\(含\)(?:及)?以上", lambda g: dict(min=g[0])),
    (rf"({N})(%?)(?:及)?以上\(含{N}%?\)", lambda g: dict(min=g[0])),
    (rf"(?:≥|大于等于|大于或等于|不低于|不少于|达到|达)({N})(%?)(?:及以上|以上)?", lambda g: dict(min=g[0])),
    (rf"({N})(%?)(?:及)?以上", lambda g: dict(min=g[0])),
    (rf"(?:>|大于|超过|高于)({N})(%?)(?:以上)?", lambda g: dict(min=g[0], min_inclusive=False)),
    (rf"(?:≤|小于等于|小于或等于|不高于|不超过)({N})(%?)(?:以下|以内)?", lambda g: dict(max=g[0], max_inclusive=True)),
    (rf"({N})(%?)\(含\)(?:及)?以下", lambda g: dict(max=g[0], max_inclusive=True)),
    (rf"(?:<|小于|低于|不足|不到)({N})(%?)(?:以下)?", lambda g: dict(max=g[0])),
    (rf"({N})(%?)以下\(不含{N}%?\)", lambda g: dict(max=g[0])),
    (rf"({N})(%?)(?:及)?以下", lambda g: dict(max=g[0], max_inclusive=True, _below=True)),
    (rf"(?:=|等于|为)({N})(%?)", lambda g: dict(min=g[0], max=g[0], max_inclusive=True)),
]
_SCORE = (rf"(?:的)?,?(?:的)?(?:计|得|评|为|赋)?(?:(?<![\d.%])({N})分(?!值)|(满分|全部分值)|(0分|不得分|不计分)|"
          rf"(?:分值的)?(?<![\d.%])({N})%(?:的)?(?:分值|分)?|(一半分值|一半分|分值的一半))")


def _bands(t: _Text, ctx):
    found = []
    for rx, build in _INTERVAL:
        for m in re.finditer(rf"(?<![\d.%]){rx}{_SCORE}", t.s):
            if any(a < m.end() and m.start() < b for a, b, *_ in found):
                continue
            nums = [g for g in m.groups()[:-5]]
            pairs = [(nums[i], nums[i + 1]) for i in range(0, len(nums), 2)]
            has_pc = any(p for _, p in pairs)
            vals = [xl_round(float(v) / 100, 12) if has_pc else float(v) for v, _ in pairs]
            b = build(vals)
            sc, full, zero, share, half = m.groups()[-5:]
            if share is not None:
                b["score"] = xl_round(float(share) / 100 * ctx["weight"], 6)
            elif half is not None:
                b["score"] = xl_round(ctx["weight"] / 2, 6)
            else:
                b["score"] = float(sc) if sc is not None else (ctx["weight"] if full else 0.0)
            found.append((m.start(), m.end(), b, has_pc))
    if len(found) == 1:
        _complement(t, found)
    if len(found) < 2:
        return None
    found.sort(key=lambda x: x[0])
    bands = [b for *_, b, _ in found]
    # a bare "a-b" gives way to a neighbour that claims a bound: "≤5%…；5%-10%…；>10%…" reads (5%, 10%]
    for b in bands:
        if b.pop("_bare", False):
            if any(o is not b and o.get("max") == b["min"] and o.get("max_inclusive") for o in bands):
                b["min_inclusive"] = False
            if any(o is not b and o.get("min") == b["max"] and o.get("min_inclusive") is False for o in bands):
                b["max_inclusive"] = True
    # "60%以下" is read as excluding 60% when another band claims 60% with （含）
    for b in bands:
        if b.pop("_below", False):
            if any(o is not b and o.get("min") == b["max"] and o.get("min_inclusive", True) for o in bands):
                b.pop("max_inclusive")
    for a, e, *_ in found:
        t.used.append((a, e))
    pc = any(x[3] for x in found)
    return {"kind": "bands", "bands": bands}, {"percent": pc or None}


def _complement(t: _Text, found: list) -> None:
    """One band and “超过的不得分” / “低于的不得分” / “否则不得分”: the rest of the line scores 0."""
    a, e, b, pc = found[0]
    one_sided = ("min" in b) != ("max" in b)
    m = re.search(r"(?:超过|超出|高于|大于|低于|未达到|达不到|不足|否则)(?:的|部分|的部分)?(?:不得分|得0分|计0分)", t.s[e:])
    if not m or not one_sided:
        return
    word = m.group(0)
    if "min" in b and not word.startswith(("超过", "超出", "高于", "大于")):
        other = {"max": b["min"], "score": 0.0}
        if not b.get("min_inclusive", True):
            other["max_inclusive"] = True
    elif "max" in b and not word.startswith(("低于", "未达到", "达不到", "不足")):
        other = {"min": b["max"], "score": 0.0}
        if not b.get("max_inclusive", False):
            other["min_inclusive"] = True
        else:
            other["min_inclusive"] = False
    else:
        return
    found.append((e + m.start(), e + m.end(), other, pc))


_DIR_UP = "超过|超出|高于|增加|上升|多于|延迟|延误|推迟|逾期|超|多"
_DIR_DOWN = "低于|少于|减少|下降|降低|降|少完成|不足|少"
_UNITS_PCT = "个百分点|百分点|%"
_UNITS_OTHER = "个工作日|工作日|天|日|小时|万元|元"


def _deduct(t: _Text, ctx):
    m = re.search(rf"每(?P<dir>{_DIR_UP}|{_DIR_DOWN})(?:(?P<th>{N})(?P<thp>%))?(?P<n>{CNUM})?(?P<unit>{_UNITS_PCT}|{_UNITS_OTHER})"
                  rf"(?:的)?,?(?:[^;,]*?,)?(?:扣|减)(?:除)?(?P<pts>{N})分", t.s)
    if not m:
        return None
    if re.search(r"偏差|偏离|相差|差距|差值|绝对值", re.split(r"[;。]", t.s[:m.start()])[-1]):
        ctx["problems"].append("评分标准按与目标的偏差扣分（高低两个方向）")
        return None  # “与目标值偏差每超过1个百分点”: a gap either way, not one direction (the grammar reads it)
    t.take(m)
    up = re.fullmatch(_DIR_UP, m.group("dir")) is not None
    pc_unit = m.group("unit") in ("个百分点", "百分点", "%")
    n = cn_number(m.group("n")) if m.group("n") else 1.0
    per = xl_round(n / 100, 12) if pc_unit else n
    rule: dict[str, Any] = {"kind": "deduct", "direction": "above" if up else "below", "per": per,
                            "points": float(m.group("pts"))}
    th = None
    if m.group("th"):
        th = xl_round(float(m.group("th")) / 100, 12)
    std = re.search(rf"以({N})(%?)为(?:标准|基准|基数)", t.s)
    if std:
        t.take(std)
        th = xl_round(float(std.group(1)) / 100, 12) if std.group(2) else float(std.group(1))
    full = re.search(rf"(?:[^;,]*?)(≤|≥|=|等于|达到|达|不超过|不低于|不高于|小于等于|大于等于|控制在|高于|超过|低于|为|)({N})(%?)(?:以上|以内|及以上|及以下|以下)?"
                     rf"(?:的)?,?(?:的)?(?:得|计)(满分|全部分值|({N})分)", t.s)
    if full and full.start() < m.start():
        t.take(full)
        v = xl_round(float(full.group(2)) / 100, 12) if full.group(3) else float(full.group(2))
        if th is None:
            th = v
        elif th != v:
            return None
        if full.group(5) and float(full.group(5)) != ctx["weight"]:
            ctx["problems"].append(f"满分写的是{full.group(5)}分，与分值{points_text(ctx['weight'])}分不一致")
    restate = re.search(rf"[^;,]*(?:>|超过|高于|<|低于)({N})(%?)分?,$", t.s[:m.start()])
    if restate and th is not None:
        v = xl_round(float(restate.group(1)) / 100, 12) if restate.group(2) else float(restate.group(1))
        if v == th:
            t.take(restate)
    if not full:
        _full_marks(t, m.start())
    if th is not None and ctx.get("target_value") is not None and th != ctx["target_value"]:
        ctx["problems"].append("评分标准写的扣分标准与年度指标值不一致（按评分标准扣分）")
    if th is None and ctx.get("target_value") is not None:
        th = ctx["target_value"]
        ctx["notes"].append("以年度指标值为扣分标准")
    if th is None:
        ctx["problems"].append("没有写明从多少开始扣分（如“以100%为标准”或填写年度指标值）")
        return None
    op = ctx.get("target_op")
    if (up and op == ">=") or (not up and op == "<="):
        ctx["problems"].append(f"评分标准按“每{m.group('dir')}”扣分，年度指标值却是{'≥' if op == '>=' else '≤'}方向")
        return None
    rule["threshold"] = th
    if n != 1:
        rule["step"] = "floor"
    return rule, {"percent": pc_unit or None, "unit": "" if pc_unit else m.group("unit")}


_COUNT_UNIT = "项|例|个|处|次|起|件|条|宗|笔"


def _items(text: str) -> list[str]:
    """①…；②… item texts (to the first comma or semicolon of each)."""
    parts = re.split(f"[{CIRCLED}]", text)[1:]
    return [re.split(r"[;,。]", p, maxsplit=1)[0].strip() for p in parts if p.strip()]


def _checklist(t: _Text, ctx):
    m = re.search(rf"(?:每|有|发现|出现)(?:出现|发现|发生|有|少完成|缺少|缺|未完成|少)?(?:1|一)(?:{_COUNT_UNIT})(?!百分点)(?:[^;]*?)?,?(?:扣|减)"
                  rf"(?:除)?(?:(?P<pts>{N})分|(?P<sh>{N})%(?:的)?分值|分值的(?P<sh2>{N})%)", t.s)
    if m:
        t.take(m)
        rule: dict[str, Any] = {"kind": "checklist", "mode": "deduct"}
        if m.group("pts"):
            rule["points"] = float(m.group("pts"))
        else:
            rule["share"] = xl_round(float(m.group("sh") or m.group("sh2")) / 100, 12)
        _full_marks(t, m.start())
        items = _items(t.s[:m.start()])
        if len(items) > 1:
            rule["items"] = items
            for it in re.finditer(f"[{CIRCLED}][^{CIRCLED}]*", t.s[:m.start()]):
                t.take(it)
        return rule, {}
    m = re.search(rf"(?:每完成|每做到|每达到)(?:1|一)(?:{_COUNT_UNIT})(?:目)?,?(?:得|加)({N})分", t.s)
    if m:
        t.take(m)
        rule = {"kind": "checklist", "mode": "earn", "points": float(m.group(1))}
        head = re.split(r"[;:]", t.s[:m.start()])[-1]
        names = [x for x in re.split(r"[、,]", head) if x]
        if len(names) > 1:
            rule["items"] = names
            if len(names) * rule["points"] != ctx["weight"]:
                ctx["problems"].append(f"{len(names)}项每项{points_text(rule['points'])}分，合计与分值{points_text(ctx['weight'])}分不一致")
        return rule, {}
    return None


def _itemised(t: _Text, ctx):
    """①…1分；②…0.5分: each item with its own points."""
    found = list(re.finditer(rf"([{CIRCLED}])([^{CIRCLED}]*?),?(?:得|计)?({N})分(?=[;,]|$|[{CIRCLED}])", t.s))
    if not found or re.search(r"扣", "".join(m.group(2) for m in found)):
        return None
    for m in found:
        t.take(m)
    items = [(m.group(2).strip(" ,;"), float(m.group(3))) for m in found]
    total = sum(p for _, p in items)
    if abs(total - ctx["weight"]) > 1e-9:
        ctx["problems"].append(f"各项分值合计{points_text(total)}分，与分值{points_text(ctx['weight'])}分不一致")
    if len(items) == 1:
        return {"kind": "yes_no"}, {}
    pts = {p for _, p in items}
    if len(pts) == 1:
        return {"kind": "checklist", "mode": "earn", "points": items[0][1], "items": [n for n, _ in items]}, {}
    return {"kind": "items"}, {"items": items}


def _yes_no(t: _Text, ctx):
    m = re.search(rf"(?:是否[^;]*?[?;,:]?)?(?:按照|按)?是(?:的)?(?:得|计)(?:100%分?|满分|全部分值|({N})分),?否(?:的)?"
                  rf"(?:得0%?分?|不得分|计0分|得0分)", t.s)
    if not m:
        m = re.search(r"(?:如|若|能)?([^;,]{1,30}?)(?:的)?(?:得|计)满分,(?:未\1|否则|未完成|未按期完成|没有完成|未达到|不能)[^;,]{0,20}?"
                      r"(?:不得分|得0分|计0分)", t.s)
        if m and re.search(r"\d", m.group(1)):
            return None  # “≥100%得满分，否则不得分” is a value condition: bands read it
    if not m:
        return None
    t.take(m)
    q = re.search(r"是否[^;]*?[?;]", t.s)
    if q and q.start() < m.start():
        t.take(q)
    return {"kind": "yes_no"}, {}


_LEVEL_NAME = r"[^;,、:\d%()=<>≤≥]{2,30}?"


def _grade_range(t: _Text, ctx):
    found = list(re.finditer(rf"(?<![^;,、:])({_LEVEL_NAME})(?:的)?(?:得|按|计)(?:分值的|总分值的|该项分值的)?({N})%?(?:\(含\))?[-~至]"
                             rf"({N})%(?:\(含\))?(?:确定分值|的分值|分值|计分|赋分)?(?=[;,、]|$)", t.s))
    if len(found) < 2:
        return None
    levels = []
    for m in found:
        t.take(m)
        a, b = float(m.group(2)) / 100, float(m.group(3)) / 100
        levels.append({"name": _level_name(m.group(1)), "min": min(a, b), "max": max(a, b)})
    default = None
    d = re.search(rf"(?:自评分)?(?:空白|不填|未填)(?:时)?(?:按|计)({N})%(?:计|计分)?", t.s)
    if d:
        t.take(d)
        default = float(d.group(1)) / 100
    top = max(levels, key=lambda x: x["max"])
    for x in levels:
        if default is not None and x["min"] <= default <= x["max"] and (x is top or not top["min"] <= default <= top["max"]):
            x["default"] = default
        elif x is top:
            x["default"] = x["max"]
        else:
            x["default"] = xl_round((x["min"] + x["max"]) / 2, 12)
    _range_defects(levels, ctx)
    _take_graded(t)
    return {"kind": "grade", "levels": levels}, {}


def _range_defects(levels, ctx):
    iv = sorted(levels, key=lambda x: x["min"])
    if iv[0]["min"] > 0:
        ctx["problems"].append(f"等级区间没有覆盖0%～{points_text(iv[0]['min'] * 100)}%")
    for a, b in zip(iv, iv[1:]):
        if a["max"] < b["min"]:
            ctx["problems"].append(f"等级区间{points_text(a['max'] * 100)}%～{points_text(b['min'] * 100)}%之间没有等级")
        elif a["max"] > b["min"]:
            ctx["problems"].append(f"等级“{a['name']}”与“{b['name']}”的区间重叠")


_GRADED = re.compile(r"按照?(?:评判|评价|考核)?等级(?:赋分|计分|打分|评分)")


def _take_graded(t: _Text):
    for m in _GRADED.finditer(t.s):
        t.take(m)


def _full_marks(t: _Text, before: int):
    """A number-free full-marks statement before the core (达到预计收入的得满分, 按进度完成得满分)."""
    for m in re.finditer(r"[^;,]*(?:达到|完成|达)[^;,\d]*?(?:的)?(?:得|计)(?:满分|全部分值)", t.s[:before]):
        t.take(m)
        return True
    return False


def _level_name(s: str) -> str:
    s = re.sub(r"^(?:定性指标|按照评判等级赋分|按评价等级赋分|其中|评价等级|(?:根据|按照|视)[^,:]{0,12}?情况)[,:]?", "", s)
    return re.sub(r"[,，、;；:：\s]", "", s)


def _grade_fixed(t: _Text, ctx):
    frags = [(m.start(), m.group(0)) for m in re.finditer(r"[^;]+", t.s)]
    levels, spans = [], []
    for start, frag in frags:
        for m in re.finditer(rf"(?:^|(?<=[,:]))({_LEVEL_NAME}(?:,{_LEVEL_NAME})?)(?:的)?,?(?:(?:得|计)(?:分值的)?({N})%(?:分值|分)?|"
                             rf"(?:得|计)({N})分|(不得分|不计分|得满分))(?=,|$)", frag):
            name = _level_name(m.group(1).split(":")[-1])
            if not name or re.search(r"[\d%<>≤≥=]|每|扣|以上|以下", name):
                continue
            x: dict[str, Any] = {"name": name}
            if m.group(2) is not None:
                x["share"] = float(m.group(2)) / 100
            elif m.group(3) is not None:
                x["score"] = float(m.group(3))
            elif m.group(4) == "得满分":
                x["share"] = 1.0
            else:
                x["score" if levels and "score" in levels[0] else "share"] = 0.0
            levels.append(x)
            spans.append((start + m.start(), start + m.end()))
    if len(levels) < 2 or len({"share" in x for x in levels}) > 1 or len({x["name"] for x in levels}) < len(levels):
        return None
    if len(levels) == 2 and [x.get("share") for x in levels] == [1.0, 0.0]:
        return None  # 完成得满分，未完成不得分: a yes/no rule, not two levels
    worth = [x["share"] * ctx["weight"] if "share" in x else x["score"] for x in levels]
    if worth[0] != ctx["weight"] or any(a <= b for a, b in zip(worth, worth[1:])):
        return None  # not levels from full marks down: “A得1分，B得1分” are items that add up
    t.used.extend(spans)
    _take_graded(t)
    return {"kind": "grade", "levels": levels}, {}


_RATIO_CORE = re.compile(r"按?(?:实际)?完成(?:值|数)/(?:年度)?(?:指标值|计划值|目标值|计划完成值|计划数)(?:[×*]100%)?[×*](?:该指标|该项)?分值|按(?:实际)?完成(?:值与指标值的|率的?)?比例(?:计分|计算|得分|赋分)|"
                         r"(?:否则|未达到|未完成的?)?按比例(?:计分|计算|得分|赋分)|完成率[×*]分值|\(1-超出部分/(?:年度)?指标值\)[×*]分值|"
                         r"按完成值与指标值的比例计分")


def _ratio(t: _Text, ctx):
    core = list(re.finditer(rf"[^;,]*?(?:{_RATIO_CORE.pattern})[^;,]*", t.s))
    if not core:
        return None
    for m in core:
        t.take(m)
    op = ctx.get("target_op")
    text_op = "<=" if re.search(r"反向|不超过指标值|超出的按|\(1-超出部分", t.s) else None
    if op and text_op and op != text_op:
        ctx["problems"].append("评分标准说的是反向指标，年度指标值却写成了≥")
        return None
    op = op or text_op or ">="
    extra: dict[str, Any] = {"op": op}
    for m in re.finditer(rf"[^;,]*?(?:完成|达到|不超过)(?:年度)?(?:指标值|目标值|目标)(?:的)?(?:得|计)(?:满分|全部分值)|"
                         rf"[^;,]*?(?:达到|达|≥|不超过|≤)({N})(%?)(?:及以上|以上|以内)?(?:的)?(?:得|计)(?:满分|全部分值)|"
                         rf"超出一倍及以上不得分|超过一倍(?:及以上)?不得分", t.s):
        t.take(m)
        if m.group(1):
            v = xl_round(float(m.group(1)) / 100, 12) if m.group(2) else float(m.group(1))
            if ctx.get("target_value") is None:
                if v != 1 and any(re.search(r"率[×*]", c.group(0)) for c in core):
                    # “完成率≥95%得满分，低于95%的按完成率×分值计分”: the rate times the 分值, not the rate over 95%
                    ctx["problems"].append("评分标准按完成率×分值计分，满分线却不是100%")
                    return None
                extra["target_value"] = v
                extra["percent"] = bool(m.group(2)) or None
            elif v != ctx["target_value"]:
                ctx["problems"].append(f"评分标准写的满分线是{m.group(1)}{m.group(2)}，与年度指标值不一致（按年度指标值计分）")
    return {"kind": "ratio"}, extra


RECOGNISERS = (_linear, _bands, _deduct, _checklist, _itemised, _grade_range, _grade_fixed, _ratio, _yes_no)


def read(text: str, weight: float, target_op: str | None = None, target_value: float | None = None,
         percent: bool | None = None, unit: str = "") -> Reading:
    """The rule a 评分标准 text states, or a reading that says it is not sure."""
    if not str(text or "").strip():
        return Reading(False, reading="评分标准为空，" + UNREADABLE)
    text = re.sub(r"[。.．;；,，、\s]+$", "", str(text))  # “扣完为止。” and “扣完为止.” read the same
    if len(fold(text)) > PHRASE_MAX:  # the phrase recognisers' regexes are not linear: long texts go to the grammar alone
        return _grammar(text, weight, target_op, target_value)
    hits = []
    for rec in RECOGNISERS:
        t = _Text(text)
        ctx: dict[str, Any] = {"weight": weight, "target_op": target_op, "target_value": target_value,
                               "problems": [], "notes": []}
        got = rec(t, ctx)
        if got is not None:
            hits.append((got, t, ctx))
        elif ctx["problems"]:
            hits.append((None, t, ctx))
    real = [h for h in hits if h[0] is not None]
    kinds = {h[0][0]["kind"] for h in real}
    grammar = None
    if len(kinds) != 1:
        grammar = _grammar(text, weight, target_op, target_value)
        if grammar is not None and grammar.recognised:
            return grammar
    if len(kinds) != 1:
        why = UNREADABLE
        if len(kinds) > 1:
            why = f"评分标准里有几种计分规定（{'、'.join(_label(k) for k in sorted(kinds))}），{UNREADABLE}"
        elif hits:
            why = f"{hits[0][2]['problems'][0]}，{UNREADABLE}"
        if grammar is not None and why == UNREADABLE:
            return grammar  # the grammar's reason names the clause it could not read
        return Reading(False, reading=why, nearest=grammar.nearest if grammar is not None else "")
    # several recognisers of one kind (①② items read twice): keep the one that used the most text
    (rule, extra), t, ctx = max(real, key=lambda h: sum(b - a for a, b in h[1].used))
    rest = t.leftover()
    if rest:
        grammar = _grammar(text, weight, target_op, target_value)
        if grammar is not None and (grammar.recognised or grammar.nearest):
            return grammar
        return Reading(False, kind=rule["kind"], reading=f"评分标准中“{rest[0]}”未能识别，{UNREADABLE}",
                       problems=ctx["problems"])
    pc = percent if percent is not None else bool(extra.get("percent")) or unit == "%"
    target = None
    op = extra.get("op", target_op)
    tv = target_value if target_value is not None else extra.get("target_value")
    if op or tv is not None:
        target = Target(op=op, value=tv)
    if rule["kind"] == "items":
        items = extra["items"]
        words = "；".join(f"{'①②③④⑤⑥⑦⑧⑨⑩'[i] if i < 10 else i + 1}{n}得{points_text(p)}分" for i, (n, p) in enumerate(items))
        return Reading(True, kind="items", rule=None, reading=f"逐项计分：{words}；未做到的项不得分", problems=ctx["problems"],
                       items=items, text=fold(text))
    leaf = leaf_for(rule, weight, target, pc, unit or extra.get("unit", ""))
    r = RULES[rule["kind"]]
    if rule["kind"] == "ratio" and (target is None or target.value is None):
        leaf.target = Target(op=op or ">=", entry=True)
    problems = list(ctx["problems"])
    for p in r.check(leaf):
        if rule["kind"] == "bands" and p.severity == "error":
            grammar = _grammar(text, weight, target_op, target_value)  # its own bands may hold (“≥80%且<90%”)
            if grammar is not None and grammar.recognised:
                return grammar
            return Reading(False, kind=rule["kind"], reading=f"{p.message}，{UNREADABLE}", problems=problems)
        if rule["kind"] == "bands" or p.severity == "error":
            problems.append(p.message)
    if rule["kind"] == "bands":
        if all("min" in b for b in rule["bands"]):
            lo = min(b["min"] for b in rule["bands"])
            problems.append(f"低于{num_text(lo, pc)}的情况没有写得分，按0分计")
        if all("max" in b for b in rule["bands"]):
            hi = max(b["max"] for b in rule["bands"])
            problems.append(f"高于{num_text(hi, pc)}的情况没有写得分，按0分计")
        top = max(b["score"] for b in rule["bands"])
        if top != weight:
            problems.append(f"最高一档{points_text(top)}分，与分值{points_text(weight)}分不一致")
    reading = r.describe(leaf)
    if ctx["notes"]:
        reading += "（" + "；".join(ctx["notes"]) + "）"
    return Reading(True, kind=rule["kind"], rule=rule, reading=reading, problems=problems, target=target, text=fold(text))


def _grammar(text: str, weight: float, target_op, target_value) -> Reading | None:
    """The clause grammar's reading (clauses.py) where the phrase recognisers above are not sure."""
    from . import clauses
    try:
        comp = clauses.read(text, weight, target_op, target_value)
    except clauses.Abstain as e:
        near = clauses.nearest(text, weight, target_op, target_value)
        return Reading(False, reading=f"{e.args[0]}，{UNREADABLE}", text=fold(text), nearest=near)

    def answer(w, main, named, na, met, percent):
        return clauses.answer(comp, w, main, named, na, met, percent)
    kind = comp.rule.get("kind", "compose")
    return Reading(True, kind=kind, rule=comp.rule if kind == "compose" else None, reading=comp.reading,
                   text=fold(text), answer=answer,
                   items=[(t, x) for (t, _), x in zip(comp.levels, comp.items)] if kind == "items" else [])


def _label(kind: str) -> str:
    return RULES[kind].label if kind in RULES else "逐项计分"


# --- scoring a reading (the `rubric` command) ---------------------------------------------------

class ValueProblem(ValueError):
    """A value given with the reading that does not fit it (Chinese message)."""


def parse_target(text: str) -> tuple[str | None, float | None, bool]:
    """``≤100%`` → ('<=', 1.0, True); ``95`` → (None, 95.0, False)."""
    s = fold(text)
    m = re.fullmatch(rf"(≥|≤|=|>|<)?({N}|-{N})(%?)(?:[^\d%.≥≤=<>]{{1,12}})?", s)
    if not m:
        raise ValueProblem(f"年度指标值“{text}”应写成 ≥95%、≤100% 或 10 这样的形式")
    op = {"≥": ">=", ">": ">=", "≤": "<=", "<": "<=", "=": "="}.get(m.group(1) or "")
    v = float(m.group(2))
    return op, (xl_round(v / 100, 12) if m.group(3) else v), bool(m.group(3))


def score(reading: Reading, weight: float, actual: str | None = None, met: list[int] | None = None,
          percent: bool = False) -> dict[str, Any]:
    """``{"score": x}`` or ``{"score_range": [lo, hi]}`` for a value given as text, via the rule library."""
    if reading.items:
        if met is None:
            raise ValueProblem("逐项计分请用 --met 给出做到的项的序号（如 --met 1,3）")
        bad = [i for i in met if not 1 <= i <= len(reading.items)]
        if bad:
            raise ValueProblem(f"没有第{bad[0]}项（共{len(reading.items)}项）")
        total = sum(p for i, (_, p) in enumerate(reading.items, 1) if i in set(met))
        return {"score": xl_round(min(weight, max(0.0, total)), 2)}
    leaf, r = _leaf_rule(reading, weight, percent)
    if met is None and actual is None:
        raise ValueProblem("请用 --actual 给出实际完成值（或 --met 给出做到的项）")
    if met is None and reading.rule.get("kind") == "yes_no" and actual is not None:
        actual = _yes_no_word(reading.text, actual)
    if met is None and reading.rule.get("kind") == "checklist" and not re.fullmatch(r"\d+(?:项|处|个|次|起|件|条|例|人|户)?", fold(str(actual)).strip()):
        raise ValueProblem(f"“{actual}”应为项数（0、1、2…）")  # a count answered 95% is not 0.95 of an item
    try:
        value = r.value_of_met(leaf, met) if met is not None else r.value_of_text(leaf, actual, percent)
    except ParamError as e:
        raise ValueProblem(str(e)) from None
    rng = r.chosen_range(leaf, value)
    if rng is not None:
        return {"score_range": [xl_round(rng[0], 2), xl_round(rng[1], 2)]}
    values = {"actual": value}
    if leaf.target is not None and leaf.target.value is not None:
        values["target"] = leaf.target.value
    elif any(s.name == "target" for s in r.slots_of(leaf)):
        raise ValueProblem(f"{r.label}需要年度指标值：请用 --target 给出（如 --target ≥95%）")
    s = r.score(leaf, values)
    if s is None:
        raise ValueProblem(f"实际完成值“{actual}”不适用于{r.label}")
    return {"score": s}


def _yes_no_word(text: str, actual: str) -> str:
    """An answer worded as the text words the condition (已按时完成 / 未按时完成 for “按时完成得满分，未按时完成不得分”) → 是 / 否;
    anything else as given (the rule refuses what it cannot read)."""
    a, t = fold(actual).strip(), fold(text)
    neg = re.fullmatch(r"(?:未|不|没有|无|非)(.{2,20})", a)
    if neg:
        return "否" if re.search(r"(?:未|不|没有|无|非)" + re.escape(neg.group(1)), t) else actual
    core = re.sub(r"^(?:已经|已)(?=..)", "", a)
    said = re.findall(r"(?:^|[,;:])([^,;:]{2,30}?)(?:的|者)?,?(?:得|计)(?:满分|全分|\d)", t)
    if core in said and not re.match(r"未|不|没有|无|非", core):
        return "是"  # the condition itself, as the text words it (已按时完成 for 按时完成得满分)
    return actual


def _leaf_rule(reading: Reading, weight: float, percent: bool):
    leaf = leaf_for(reading.rule or {}, weight, reading.target, percent)
    return leaf, RULES[reading.rule["kind"]]


# --- the `rubric` command's whole path: text and values in, the JSON answer out -----------------

NOT_APPLICABLE_WORDS = ("不适用", "不涉及", "无此项", "na", "n/a")


def split_actuals(actuals: list[str] | None) -> tuple[str | None, dict[str, str], bool]:
    """``--actual`` values: the main (unnamed) value, ``名称=值`` pairs (also comma-separated in one
    value) and whether 不适用 was given."""
    main, named, na = None, {}, False
    for a in actuals or []:
        for item in _split_pairs(str(a)):
            k, eq, v = item.partition("=")
            if eq and k.strip() and v.strip():
                named[fold(k)] = v.strip()
            elif fold(item).lower() in NOT_APPLICABLE_WORDS:
                na = True
            elif main is None:
                main = item.strip()
            else:
                raise ValueProblem(f"--actual 只能给一个不带名称的值；其余请写成 名称=值（如 问题=2）：{item}")
    return main, named, na


def _split_pairs(s: str) -> list[str]:
    """``覆盖率=96%,回访次数=2`` → two items; a plain ``有结余,但不超过上年结转`` stays one."""
    parts = re.split(r"[,，;；](?=[^,，;；=]+[=＝])", s) if re.search(r"[=＝]", s) else [s]
    return [p.replace("＝", "=") for p in parts if p.strip()]


def run(text: str, weight: float, target: str | None = None, actuals: list[str] | None = None,
        met: list[int] | None = None, unit: str = "", na: bool = False) -> dict[str, Any]:
    """What ``rubric TEXT --weight W [--target T] [--actual A …] [--met 1,3] [--na] --json`` prints (the
    ``recognised``, ``kind``, ``reading``, ``rule``, ``problems``, ``params`` fields, and ``score`` or
    ``score_range`` when values were given and the text decides them). ValueProblem for bad values."""
    op = value = percent = None
    if target:
        op, value, percent = parse_target(target)
    main, named, na_given = split_actuals(actuals)
    na = na or na_given
    if percent is None and main and "%" in fold(main):
        percent = True
    got = read(text, weight, op, value, percent, unit or "")
    pc = percent if percent is not None else (unit == "%" or bool(re.search(r"%|百分点", fold(text))))
    out = got.as_dict() | {"params": got.params_text(weight, pc) or None, "label": got.label}
    if got.recognised and (main is not None or named or na or met is not None):
        result = score_values(got, weight, main, named, na, met, pc)
        if "undecided" in result:
            out["recognised"] = False
            out["reading"] = f"{result['undecided']}（{got.reading}）"
        else:
            out.update(result)
    return out


def score_values(reading: Reading, weight: float, main: str | None, named: dict[str, str], na: bool,
                 met: list[int] | None, percent: bool) -> dict[str, Any]:
    """``{"score": x}``, ``{"score_range": [lo, hi]}`` or ``{"undecided": why}`` where the text does not
    decide the values given (a value between two steps, below zero with no floor stated, in no band)."""
    if reading.answer is not None:
        return reading.answer(weight, main, named, na, met, percent)
    if na or named:
        other = _grammar(reading.text, weight, reading.target.op if reading.target else None,
                         reading.target.value if reading.target else None)
        if other is not None and other.recognised:
            return other.answer(weight, main, named, na, met, percent)
        return {"undecided": "这条评分标准没有写不适用或多个数值的计分"}
    mismatch = [p for p in reading.problems if "不一致" in p]
    if mismatch:
        return {"undecided": mismatch[0]}
    problem = None
    try:
        out = score(reading, weight, main, met, percent)
        why = undecided(reading, weight, main, percent)
    except ValueProblem as e:
        out, why, problem = {}, str(e), e
    other = _grammar(reading.text, weight, reading.target.op if reading.target else None,
                     reading.target.value if reading.target else None)
    alt = other.answer(weight, main, named, na, met, percent) if other is not None and other.recognised else None
    if why or not out:  # the phrase reading cannot score these values: the clause grammar may
        if alt is not None and "undecided" not in alt:
            return alt
        if problem is not None:
            raise problem
        return {"undecided": why or "评分标准没有规定这种情况怎样计分"}
    if alt is not None and "undecided" not in alt and alt != out:
        return {"undecided": "评分标准的两种读法得分不同"}
    return out


def undecided(reading: Reading, weight: float, actual: str | None, percent: bool) -> str:
    """Why the text does not decide the score of ``actual`` under the reading (empty when it does): the rule's face."""
    if actual is None or reading.rule is None:
        return ""
    leaf, r = _leaf_rule(reading, weight, percent)
    try:
        value = r.value_of_text(leaf, actual, percent)
    except ParamError:
        return ""
    return r.undecided(leaf, value, reading.text)
