"""Reading a 评分标准 text clause by clause into a composed rule (rules/compose.py).

The grammar (one pass, linear in the text's length):

* **text** → sentences, split at ``;``/``。``, line breaks and item numbers (``1、``, ``①``, ``(1)``);
* **sentence** → clauses, split at ``,``; a clause is one of the productions below, tried in order,
  each matched whole (``fullmatch``) against one clause of at most ``MAX_CLAUSE`` characters:

  ========== ================================================ =======================================
  production  example                                          part it feeds
  ========== ================================================ =======================================
  noise       以检查档案资料为准 / 本项满分4分 / 以100%为标准     (checked against 分值; a reference)
  cap         扣完为止 / 扣完10分为止 / 最多扣6分 / 最高得1分      the floor, or the cap of the stream before
  beyond      超额完成不加分 / 超过100%的按100%计算                 (nothing above the target counts)
  na          没有楼堂馆所项目的部门按满分计算                       na
  step        每减少1个百分点扣1分 / 每差1微克/立方米扣0.5分         steps
  count       每发现一项质量未达到设计要求的扣1分                   count
  earn        每宣传一次得0.5分                                   formula (count × points)
  formula     得分值=种植率×30                                    formula
  case        [condition,…] outcome: 健全的得10分 / 90%以上得5分   levels, bands or the base score
  condition   any other clause, carried to the next outcome       (the condition of that case)
  ========== ================================================ =======================================

* before the sentences: ``分别`` lists (``达到90%、80%、70%以上的，分别得10分、8分、6分``) become one case per value;
  ``扣1分/处`` becomes ``每处扣1分``; points in Chinese numerals (``得十分``, ``扣零点五分``) become digits.
* the vocabulary is written as classes: comparators (``_CMP``, ``_LOW``/``_HIGH`` for two-sided bounds such as
  ``大于等于80%小于90%`` or ``80%≤满意度<90%``), step directions (``UP``/``DOWN``/``GAP``), caps (``CAP``, with
  ``_ITEMW`` for 本项/该项/此项), full marks (得满分/得全分/计满分/不扣分), else (否则/其余/其他情况).
* **rule** → the cases and streams assembled into one composition: boolean cases become levels (or
  items adding up to the 分值, scored by the items met), numeric cases on one value become bands, a
  full-marks case followed by deductions becomes a base with step and count streams.

Anything the grammar cannot place — a clause left over, two shapes at once, a number it cannot
reconcile — makes it abstain, naming the clause. A value the text does not decide (between two
steps, in no band, below zero with no floor stated, above the 分值 with no cap) is not scored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .model import Actual, Node
from .numeric import xl_round
from .rules.compose import Compose, canonical, params_text
from .rules.text import fold, points_text

MAX_CLAUSE = 160
MAX_PARTS = 12  # cases and deduction streams in one text; more is not one rule
MAX_TEXT = 50_000  # characters read; a longer cell is refused at once
#: work done by the grammar: characters of clauses offered to a production (tests bound it linearly)
WORK = [0]
N = r"\d+(?:\.\d+)?"
CN = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0.5}
CNUM = rf"(?:{N}|[一两二三四五六七八九十半])"
_TRAD = str.maketrans("滿為計項題問與達減無應發現處數級規範標準額範權確認總實際績效評價標識錄記內設目細辦健對還扣個條點規數",
                      "满为计项题问与达减无应发现处数级规范标准额范权确认总实际绩效评价标识录记内设目细办健对还扣个条点规数")

#: counted things (count/earn streams) vs measured units (step streams)
COUNT_UNITS = "项|个|处|例|起|次|人次|户次|人|件|条|宗|家|村|所|份|批|户|座|张|名|本|台|种|篇|期|笔|辆|栋|间|棵|株|头|只|单"
MEASURE = r"个百分点|百分点|%|个点|公斤|千克|kg|吨|元|万元|天|日|个工作日|工作日|小时|微克/立方米|毫克/升|名|位"
UP = "超过|超出|高于|增加|多于|上升|增长|增多|提高|上涨|超支|超标|超|高|多|迟报|迟交|延迟|延误|逾期|推迟|超期|晚报|拖延"
DOWN = "低于|减少|下降|降低|减低|下滑|回落|降|不足|少于|少|未达到|差|低"
GAP = "相差|偏离|偏差|差距|差"


def cn(s: str) -> float:
    return float(CN[s]) if s in CN else float(s)


_DIGIT = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_number(t: str) -> str | None:
    """十 → 10, 二十五 → 25, 零点五 → 0.5, 两 → 2; None for anything else."""
    whole, _, frac = t.partition("点")
    m = re.fullmatch(r"([一二两三四五六七八九])?(十)?([一二三四五六七八九])?|(零)", whole)
    if not m or not whole or (m.group(1) and m.group(3) and not m.group(2)):
        return None
    if m.group(4):
        n = 0
    elif m.group(2):
        n = 10 * (_DIGIT[m.group(1)] if m.group(1) else 1) + (_DIGIT[m.group(3)] if m.group(3) else 0)
    else:
        n = _DIGIT[m.group(1) or m.group(3)]
    if frac:
        if any(c not in _DIGIT or c == "两" for c in frac):
            return None
        return f"{n}." + "".join(str(_DIGIT[c]) for c in frac)
    return str(n)


def normalise(text: str) -> str:
    """Folded (full-/half-width, no spaces), the few traditional forms of scoring words simplified,
    OCR slips of the corpus mended (得分二 → 得分=), trailing punctuation dropped."""
    s = fold(str(text)).translate(_TRAD)
    s = s.replace("得分二", "得分=").replace("否者", "否则").replace("∶", ":")
    s = re.sub(r"(?<=[得扣减加计赋])([零一二两三四五六七八九十]{1,3}(?:点[零一二三四五六七八九]{1,2})?)(?=分)",
               lambda m: _cn_number(m.group(1)) or m.group(1), s)  # 得十分, 扣零点五分: points in Chinese numerals
    s = re.sub(r"(?<!\d)\.(?!\d)|(?<=分)\.(?=\D)", ";", s)  # “得1分.非试点地区”: a full stop typed half-width
    s = s.replace("乘以", "×").replace("除以", "/")
    s = re.sub(r"\((?![^()]*[\d=/×*÷])(?![^()]*(?:得分|扣分|扣\d|满分|不得分|计分))(?!含\)|不含\)|包括)[^()]{0,40}\)(?![×*÷/])", "", s)  # remarks without numbers: (含结转), (城管)
    return s.strip(";,.:。 ")


# --- productions on one clause -----------------------------------------------------------------

OUTCOME = re.compile(
    rf"(?P<cond>.*?)(?:的|者|时|即)?(?:"
    rf"(?:得|计|评|为|赋|可得|即得|按|给|记)?(?P<lo>{N})[-~至](?P<hi>{N})分|"
    rf"(?:得|计|评|为|赋|可得|即得|按|给|记)?(?<![-~至\d.])(?P<pts>{N})分(?:计)?|"
    rf"(?P<full>(?:得|计|按|为|给|记)?(?:该项(?:分数|指标)?的?|本项|此项)?(?:满分值|满分|全分|全部分值|满分计算|满分计|得分)|(?:本项|该项|此项)?不扣分)|"
    rf"(?P<half>(?:得|计)(?:一半分值|一半分|分值的一半|一半)|减半计分|得分减半|按一半计分|按半数计分|减半计算|按一半分值计分)|"
    rf"(?:得|计|按|给)(?:分值的|该项分值的|满分的)?(?P<share>{N})%(?:的)?(?:分值|分)?(?:计分|计算|赋分|得分)?|"
    rf"(?P<zero>不得分|不计分|不给分|不予计分|不予得分|不予赋分|不予给分|不计得分|记零分|记0分|扣满分|扣除满分|(?:该项|本项|此项)?为(?:零|0)分|扣(?:除)?(?:该项|本项|此项)?全部(?:分数|分值|得分)|得0分|计0分|得零分|0分|得0|(?:扣除|扣减|扣)(?:全部|该项|本项|此项)(?:分值|分数|得分)|(?:该项|本项|此项)?得分为(?:0|零)(?:分)?|(?:本项|该项|此项)(?:指标)?不得分)|"
    rf"扣(?P<ded>{N})分|"
    rf"(?P<judge>(?:视具体情况|酌情|依缺项情况相应|相应|视情况)(?:扣分|给分|减分|扣减|评分|计分))|"
    rf"(?P<ratio>按(?:完成|实际完成)?比例(?:计算)?(?:得分|计分|赋分|扣分)))$")
STEP = re.compile(rf"(?P<pre>.*?)每(?P<dir>{GAP}|{UP}|{DOWN})(?P<against>(?:年度)?(?:目标值|指标值|计划值|目标|计划))?(?P<n>{CNUM})?(?P<unit>{MEASURE})(?:的)?(?:即)?(?:扣|减)(?:除)?(?P<pts>{N})分")
COUNT = re.compile(rf"(?P<pre>.*?)(?:其中)?(?:每|发现|其中有|有)?(?P<mid>发现|出现|有|少|核实|缺少|缺|少完成|不符合|少记录|个|项)?(?P<one>一|1)"
                   rf"(?P<unit>{COUNT_UNITS})(?P<what>.{{0,40}}?)(?:的|者)?(?:即)?(?:扣|减)(?:除)?(?P<pts>{N})分")
MISS = re.compile(rf"(?P<pre>.*?)(?:未|没有|不)(?P<what>[^,\d]{{1,12}}?)(?:1|一)(?P<unit>次|项|个|处|起|例)(?:的)?(?:扣|减)(?P<pts>{N})分")
EACH = re.compile(rf"(?P<pre>.*?)(?:每(?:个|项|处|次|例|人|批|起|件|条|户|座|笔|宗|家|份|篇|辆)(?!百分点|%)(?P<what>[^\d,;扣减%]{{0,12}}?))(?:的)?(?:扣|减)(?:除)?(?P<pts>{N})分")
SHORT = re.compile(rf"(?P<pre>.*?)每(?P<dir>少|缺少|缺|不足|少于|低于|减少)(?P<n>{CNUM})(?P<unit>{COUNT_UNITS})(?:的)?(?:扣|减)(?:除)?(?P<pts>{N})分")
EARN = re.compile(rf"(?P<pre>.*?)每(?P<mid>[^\d一每]{{0,6}}?)(?:一|1)(?P<unit>{COUNT_UNITS})(?P<what>[^\d扣减]{{0,8}}?)(?:得|加)?(?P<pts>{N})分")
_ITEMW = "(?:本项|该项|此项|本指标|该指标|本项指标|该项指标)"
CAP = re.compile(rf"(?:(?:直至|直到)?扣完(?:(?P<c1>{N})分)?为止|"
                 rf"(?:直至|直到)?(?:{_ITEMW}(?:分值|分数|得分|分)?)?(?:扣完|扣满|减完|扣减完)(?:{_ITEMW}?(?:分值|分数|得分|分))?(?:为止|即止)?|"
                 rf"(?:直至|直到)?(?:扣|减)(?:至|到|为)(?:0|零)分?(?:为止)?|直至扣为零分|(?:{_ITEMW})?(?:最低|最少)(?:得|为|扣至)?(?:0|零)分|"
                 rf"不倒扣(?:分)?|不得?(?:为|出现|计|扣成|扣为)负分|不计负分|"
                 rf"(?:{_ITEMW}|累计)?(?:最多|最高)(?:扣|扣除|扣减|减)(?:分不超过)?(?P<c2>{N})分|(?:{_ITEMW}|累计)?(?:扣分|扣除|扣减)(?:最多)?不超过(?P<c3>{N})分|"
                 rf"(?P<top>(?:最多|最高)(?:得|加)?(?:不超过)?(?P<c4>{N})分|以(?P<c5>{N})分为限|满分为止|以满分为限|(?:最高|最多)?(?:得分)?不(?:超过|高于|得超过)(?:满分|分值|该项分值|本项分值)|(?:最高|最多)(?:为|得|计)?(?:满分|该项分值|本项分值)))")
BEYOND = re.compile(rf"(?:超额完成|超过部分|超出部分|超额部分)(?:的)?(?:部分)?(?:不加分|不另加分|不得加分|不计分|不再加分)|"
                    rf"(?:超过|超出|高于)(?P<v>{N})(?P<pc>%?)(?:的)?(?:部分)?(?:按|以)(?P=v)(?P=pc)计(?:算)?")
NA = re.compile(r"(?P<cond>.{0,8}?(?:没有|无|未安排|不涉及|未涉及|未承担|不承担|非|若.{0,30}没有|(?:未发生|未开展|不存在)(?:此类|该类|此项|该项|相关)).{0,40}?)(?:的)?(?:部门|单位)?(?:,)?"
                r"(?:本项|该项|此项)?(?:按满分计算|按满分计|不扣分|得满分|计满分|视同满分|按满分)")
NOISE = re.compile(rf"以.{{1,30}}为准|(?:共计|总计|该项指标总计分为|本项共|本项)(?P<w2>{N})分|每完成(?:1|一)项(?:取得|得)该项(?:分数|分值)|[^,;]{{0,40}}按(?:照)?(?!完成比例|比例|实际完成比例)[^,;]{{0,40}}(?:程度|情况)(?:赋分|计分|评分)|(?:本项|本指标|该项|该指标|此项)?(?:指标)?(?:满分|分值|总分)(?:为)?(?P<w>{N})分|(?:本项|本指标|该项|该指标|此项)(?:指标)?(?:共|计|为)?(?P<w3>{N})分|"
                   rf"(?:(?:通过|采取|采用)?(?:查阅|查看|核查|抽查|实地查看|实地检查|现场检查|现场查看|询问|访谈|听取汇报|查验|调阅)(?:相关)?(?:资料|文件|台账|档案|凭证|记录|报表|账目|情况)?(?:、|和|及|或)?)+|"
                   rf"此项需提供.*|以上需提供.*|需提供.*|现场实查|"
                   rf"以(?P<ref>{N}%?)为(?:标准|基准)")
FORMULA = re.compile(r"(?:即)?(?:(?:评价指标|该项|本项|[^=,;()]{0,12}?)得分(?:值)?=|(?:计分公式|计算公式):)(?P<expr>.+)|"
                     r"(?:按)?(?P<bare>[^=,;]{1,30}/[^=,;]{1,30}[×*](?:该项|该指标|本项)?分值|[^=,;/×*]{1,20}率[×*](?:该项|该指标|本项)?(?:指标)?分值)(?:计分|得分|计算)?")


@dataclass
class Cond:
    text: str
    #: bool | num | else | target (a comparison against the 年度指标值)
    kind: str
    negative: bool = False
    band: dict | None = None
    soft: float | None = None  # a bound written "N以上"/"N以下" without 含: undecided at N itself


@dataclass
class Case:
    cond: Cond
    outcome: dict  # {points} | {full} | {zero} | {deduct} | {judge} | {ratio}
    item: int = 0


@dataclass
class Plan:
    cases: list[Case] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    counts: list[dict] = field(default_factory=list)
    earn: dict | None = None
    formula: str | None = None
    value_cap: float | None = None
    floor: bool = False
    top: float | None = None
    na: bool = False
    ref: float | None = None
    ref_percent: bool = False
    weight_stated: list[float] = field(default_factory=list)
    unread: str = ""
    percent: bool = False
    text: str = ""


def _num(v: str, pc: str) -> float:
    x = cn(v)
    return xl_round(x / 100, 12) if pc else x


U = r"(?:元|万元|亿元|万|亿|人|个|项|次|公斤|千克|吨|天|亩|公顷|家|名|条|份|分|处|起|例|件|张|户|座|月|周|日|个月|个工作日)?"
_INCL = rf"\((?:含|包括|包含)(?:本数|{N}%?{U})?\)"  # (含), (含本数), (含10万)
_CMP = [  # (regex over the tail of a condition, band builder, soft bound?)
    (rf"({CNUM})(%?){U}{_INCL}(?:及)?以上|({CNUM})(%?){U}(?:及)?以上{_INCL}|({CNUM})(%?)\((?:包括|含){N}%?\)|({CNUM})(%?){U}及以上|"
     rf"(?:≥|大于等于|大于或等于|高于或等于|高于等于|不低于|不少于|不小于|达到或超过|达到或高于|超过或等于)({CNUM})(%?){U}(?:以上)?", lambda v: {"min": v}, False),
    (rf"(?:达到|达)({CNUM})(%?){U}以上|({CNUM})(%?){U}以上", lambda v: {"min": v}, True),
    (rf"(?:>|大于|超过|高于)({CNUM})(%?){U}(?:以上)?", lambda v: {"min": v, "min_inclusive": False}, False),
    (rf"({CNUM})(%?){U}{_INCL}(?:及)?以下|({CNUM})(%?){U}(?:及)?以下{_INCL}|({CNUM})(%?){U}及以下|"
     rf"(?:≤|小于等于|小于或等于|低于或等于|低于等于|不高于|不超过|不大于|不多于)({CNUM})(%?){U}(?:以下|以内)?", lambda v: {"max": v, "max_inclusive": True}, False),
    (rf"({CNUM})(%?){U}以下", lambda v: {"max": v, "max_inclusive": True}, True),
    (rf"({CNUM})(%?){U}以内", lambda v: {"min": 0.0, "min_inclusive": False, "max": v, "max_inclusive": True}, True),
    (rf"(?:<|小于|低于|不足|不到|少于|未达到|未达|达不到|没有达到|没达到)({CNUM})(%?){U}(?:以下)?", lambda v: {"max": v}, False),
    (rf"(?:=|等于|为)({N})(%?){U}", lambda v: {"min": v, "max": v, "max_inclusive": True}, False),
    (r"(?<=率)(100)(%)", lambda v: {"min": v}, False),  # “到位率100%得满分”: a rate reaching its 100%
    (rf"(?:达到|达|完成)(?:[^\d,]{{0,20}}?的)?({N})(%?){U}", lambda v: {"min": v, "_reach": True}, False),
]
_CMP_RX = [(re.compile(rf"(?P<subj>.*?)(?:{rx})(?:的|时|者)?$"), b, soft) for rx, b, soft in _CMP]
COUNT_AT_LEAST = re.compile(rf"(?:有|出现|发生|累计|迟报|逾期|延误)?({CNUM})(?:处|次|项|天|个|起|例|件|人|日)(?:及|或)以上[^\d,]{{0,12}}")
_RANGE = re.compile(rf"(?P<subj>.*?)({N})(%?)(\(含\))?(?:[-~至到]|—)({N})(%?)(\(含\))?(?:之间)?(?:的)?$")
_TARGET_CMP = [
    (r"(?:小于或等于|小于等于|不超过|不高于|≤)(?:年度)?(?:目标值|指标值|计划数|目标)", "<="),
    (r"(?:小于|低于|<)(?:年度)?(?:目标值|指标值|计划数|目标任务|目标)", "<"),
    (r"(?:未完成|未达到|没有完成|没有达到)(?:年度)?(?:目标值|指标值|计划数|目标任务|目标)", "notdone"),
    (r"(?:大于或等于|大于等于|不低于|≥)(?:年度)?(?:目标值|指标值|计划数|目标任务|目标)", ">="),
    (r"(?<![未不])(?:达到|完成)(?:年度)?(?:目标值|指标值|计划数|目标任务|目标)", "done"),
    (r"(?:大于|超过|高于|>)(?:年度)?(?:目标值|指标值|计划数|目标)", ">"),
]


_LOW = {"≥": True, "大于等于": True, "大于或等于": True, "高于或等于": True, "高于等于": True, "不低于": True, "不少于": True,
        "不小于": True, ">": False, "大于": False, "高于": False, "超过": False}
_HIGH = {"≤": True, "小于等于": True, "小于或等于": True, "低于或等于": True, "低于等于": True, "不超过": True, "不高于": True,
         "不大于": True, "<": False, "小于": False, "低于": False, "不足": False, "不到": False, "少于": False}


def _alt(d: dict) -> str:
    return "|".join(sorted(map(re.escape, d), key=len, reverse=True))


_BETWEEN = [  # “大于等于80%小于90%”, “80%≤满意度<90%”: both bounds in one condition
    re.compile(rf"(?P<subj>[^\d]{{0,20}}?)(?:在)?(?P<lo_op>{_alt(_LOW)})(?P<lo>{N})(?P<lo_pc>%?){U}(?:且|并且|,|、|而|但)?(?P=subj)?"
               rf"(?P<hi_op>{_alt(_HIGH)})(?P<hi>{N})(?P<hi_pc>%?){U}(?:之间)?(?:的|时|者)?"),
    re.compile(rf"(?P<lo>{N})(?P<lo_pc>%?){U}(?P<lo_op><|≤)(?P<subj>[^\d<≤]{{1,20}})(?P<hi_op><|≤)(?P<hi>{N})(?P<hi_pc>%?){U}(?:的|时|者)?"),
]


def _between(t: str) -> Cond | None:
    for rx in _BETWEEN:
        m = rx.fullmatch(t)
        if not m or (m.group("lo_pc") != m.group("hi_pc")):
            continue
        pc = m.group("lo_pc")
        lo, hi = _num(m.group("lo"), pc), _num(m.group("hi"), pc)
        if lo >= hi:
            return None
        lo_in = _LOW.get(m.group("lo_op"), m.group("lo_op") == "≤")
        b = {"min": lo, "max": hi, "_pc": bool(pc)}
        if not lo_in:
            b["min_inclusive"] = False
        if _HIGH[m.group("hi_op")]:
            b["max_inclusive"] = True
        return Cond(t, "num", band=b)
    return None


def condition(text: str) -> Cond:
    t = text.strip(",:的")
    between = _between(t)
    if between is not None:
        return between
    joins = re.split(r"(且|(?<![大小高低于到])或(?!等于|超过|高于|低于)|并且|或者)", t)
    if len(joins) > 1 and len(joins) <= 7:
        parts = [condition(x) for x in joins[::2]]
        for i, x in enumerate(parts):  # “或回访1次”: a count reached
            m = re.fullmatch(rf"(.*?\D)({N}){U}", x.text)
            if x.kind == "unclear" and m and not re.search(r"\d|未|不|没有", m.group(1)):
                parts[i] = Cond(x.text, "num", band={"min": float(m.group(2))}, soft=None)
        kinds = {x.kind for x in parts}
        ops = {x for x in joins[1::2]}
        if kinds == {"num"} and len(ops) == 1:
            subjects = [_subject(x) for x in parts]
            if all(subjects) and len(set(subjects)) == len(subjects):
                return Cond(t, "multi", band={"join": "any" if ops & {"或", "或者"} else "all",
                                              "parts": [(n, x.band) for n, x in zip(subjects, parts)],
                                              "soft": [(n, x.soft) for n, x in zip(subjects, parts) if x.soft is not None]},
                            soft=None)
        if "num" in kinds:
            return Cond(t, "unclear")
    if re.fullmatch(r"否则|其余|其他|其它|反之|以上均不符合|以上都不符合|(?:其他|其余|其它)(?:情况|情形|的)|", t):
        return Cond(t, "else", negative=True)
    for rx, op in _TARGET_CMP:
        if re.search(rx + r"(?:的)?$", t):
            return Cond(t, "target", band={"op": op})
    m = _RANGE.fullmatch(t)
    if m:
        pc = bool(m.group(3) or m.group(6))
        lo, hi = _num(m.group(2), pc), _num(m.group(5), pc)
        b = {"min": lo, "max": hi}
        if m.group(7):
            b["max_inclusive"] = True
        if not m.group(4) and m.group(7):
            b["min_inclusive"] = False
        return Cond(t, "num", band=b | {"_pc": pc, "_bare": not (m.group(4) or m.group(7))})
    m = COUNT_AT_LEAST.fullmatch(t)
    if m:  # “有五处及以上逻辑审核错误”, “迟报四天及以上”
        return Cond(t, "num", band={"min": cn(m.group(1))})
    if re.match(r"(?:未|没有|不)", t) and re.search(r"\d", t):
        return Cond(t, "unclear")
    for rx, build, soft in _CMP_RX:
        m = rx.fullmatch(t)
        if m:
            vals = [g for g in m.groups()[1:]]
            pairs = [(vals[i], vals[i + 1]) for i in range(0, len(vals), 2) if vals[i] is not None]
            v, pc = pairs[0]
            x = _num(v, pc)
            if re.search(r"\d", m.group("subj")):
                break
            if "每" in m.group("subj"):
                return Cond(t, "bool", negative=bool(NEGATIVE.search(t)))
            return Cond(t, "num", band=build(x) | {"_pc": bool(pc)}, soft=x if soft else None)
    plain = re.sub(r"《[^》]*》|\([^()]*\)|\d{4}年(?:度)?|(?:全部|所有)\d+项|每[^,]{0,12}?\d+[^,]{0,4}以上", "", t)
    if re.search(r"\d", plain):
        return Cond(t, "unclear")
    return Cond(t, "bool", negative=bool(NEGATIVE.search(t)))


NEGATIVE = re.compile(r"^(?:未(?!发现|出现|发生)|不|没有(?!发现|出现|发生)|无(?!结余)|非|缺|否|存在)|未(?!发现|出现|发生)|"
                      r"没有(?!发现|出现|发生)|(?:不)(?:按|能|及时|完成|达到|达标|到位|明晰|执行|建立|落实|开展|"
                      r"符合|齐全|健全|完整|规范|合格|足额|全部|是)|缺失|不力|不够|较差|较大|不全|不足")


def _subject(c: Cond) -> str:
    """The value a comparison is on: ``覆盖率达95%以上`` → 覆盖率."""
    m = re.match(r"(.*?)(?:达到|达|≥|≤|>|<|=|大于|小于|高于|低于|超过|不低于|不少于|不超过|为|在)?\s*\d", c.text)
    name = re.sub(r"[,，、;；:：()]", "", m.group(1) if m else "")
    return name[:16]


def _outcome(m: re.Match) -> dict:
    if m.group("lo") is not None:
        lo, hi = float(m.group("lo")), float(m.group("hi"))
        return {"range": (min(lo, hi), max(lo, hi))}
    if m.group("pts") is not None:
        return {"points": float(m.group("pts"))}
    if m.group("full"):
        return {"full": True}
    if m.group("half"):
        return {"share": 0.5}
    if m.group("share") is not None:
        return {"share": xl_round(float(m.group("share")) / 100, 12)}
    if m.group("zero"):
        return {"zero": True}
    if m.group("ded") is not None:
        return {"deduct": float(m.group("ded"))}
    if m.group("judge"):
        return {"judge": True}
    return {"ratio": True}


# --- the text → a plan ---------------------------------------------------------------------------

_ITEM = re.compile(r"(?:(?<=[;:])|^)(?:\(?\d{1,2}\)|\d{1,2}[、.](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])")


def sentences(s: str) -> list[tuple[int, str]]:
    s = s.replace("\n", ";").replace("\r", ";").replace("其中:", ";")
    s = re.sub(r"\((" + N + r")分×\d+项[^()]*\)", "", s)  # (12分×2项,即…): how the points were set
    # “…情况(以实地考评为准,一项可得2分,最高不超过6分)”: a remark that scores is read as sentences of its own
    s = re.sub(r"\(([^()]{0,80}(?:\d分|扣分|不得分)[^()]{0,80})\)(?=$|[;,。])", lambda m: ";" + m.group(1) + ";"
               if not re.fullmatch(N + r"分", m.group(1)) else m.group(0), s)
    # “A2分、B2分、C2分”: items worth their points
    s = re.sub(rf"(?:[^、,;]{{1,60}}?{N}分、)+[^、,;]{{1,60}}?{N}分(?=[,;]|$)",
               lambda m: ";".join(re.sub(rf"({N})分$", r",得\1分", x) for x in m.group(0).split("、")), s)
    s = re.sub(r";*\((?P<p>" + N + r")分\)(?!×)", r",得\g<p>分;", s)  # 目标明确(1分) → an item worth 1 point
    s = re.sub(r"(?<![\d.])(\d{1,2})[、.](?!\d)", r";\1、", s)
    s = re.sub(r"\((\d{1,2})\)", r";\1、", s)  # (1)…(2)…
    s = re.sub(r"([①②③④⑤⑥⑦⑧⑨⑩])", r";\1", s)
    out, item = [], 0
    for part in s.split(";"):
        part = part.strip(",.:")
        if not part:
            continue
        m = re.match(r"(?:\d{1,2}、|[①②③④⑤⑥⑦⑧⑨⑩])", part)
        if m:
            item += 1
            part = part[m.end():].strip(",.:")
        if part:
            out.append((item, part))
    return out


def plan(text: str, weight: float) -> Plan:
    p = Plan()
    s = normalise(text)
    if len(s) > MAX_TEXT:
        p.unread = s[:20] + "…（评分标准过长）"
        return p
    p.percent = "%" in s or "百分点" in s
    p.text = s
    s = re.sub(r"(每[^,;]{0,40}),(?=(?:即)?(?:扣|减|加|得)(?:除)?\d)", r"\1", s)  # 每减少1%,扣1分
    s = re.sub(rf"([^,;]*?)(扣|减)({N})分/(?:每)?({COUNT_UNITS})", r"\1每\4\2\3分", s)  # 发现问题扣1分/处
    s = re.sub(r"^[^()=;]{0,60}\(((?:评价指标)?得分(?:值)?=[^()]+)\)$", r"\1", s)  # 资金比例(得分=资金到位率×分值)
    if len(re.findall(r"\(" + N + r"分\)", s)) < 2:  # “成立领导小组(1分);制定方案(1分)”: items, not the 分值
        s = re.sub(r"^(?:\d{1,2}、|[①②③④⑤⑥⑦⑧⑨⑩])?[^,;:]{0,40}?\((" + N + r")分\)[;:]",
                   lambda m: (p.weight_stated.append(float(m.group(1))), "")[1], s)
    s = re.sub(r"^(?:\d{1,2}[、.])?(?:评分标准|评分细则|计分方法|评分办法):", "", s)
    if len(re.findall(r"\(" + N + r"分\)", s)) == 1:  # “…每缺一项扣0.75分。(1分)”: the row's 分值 restated
        s = re.sub(r"(?:[;。]|(?<=为止)|(?<=分))\((" + N + r")分\)$", lambda m: (p.weight_stated.append(float(m.group(1))), "")[1], s)
    s = RESPECTIVELY.sub(_respectively, s)
    pending: list[str] = []
    last_item = 0
    for item, sent in sentences(s):
        if item != last_item and pending:
            if last_item == 0 and not p.cases and not p.steps and not p.counts:
                pending = []  # “及时、规范公开政府信息。①…扣5分”: what is assessed, before the numbered items
            else:
                break
        last_item = item
        if pending and not OUTCOME_ANYWHERE.search(sent):
            pending = []  # a sentence of requirements only, then one without an outcome: not a condition
        for clause in sent.split(","):
            if not clause:
                continue
            if len(clause) > MAX_CLAUSE:
                p.unread = clause[:30] + "…"
                return p
            if not _clause(p, clause, pending, item, weight):
                p.unread = clause
                return p
            if sum(map(len, pending)) > MAX_CLAUSE or len(p.cases) + len(p.steps) + len(p.counts) > MAX_PARTS:
                p.unread = (",".join(pending) or clause)[:30] + "…"
                return p
        if pending and PREAMBLE.match(pending[0]):
            pending = []  # “考查…的完成情况”: what is assessed, not how
    if pending:
        p.unread = ",".join(pending)
    return p


_V = rf"{N}%?{U}(?:\(含\))?(?:及以上|以上|及以下|以下)?(?:\(含\))?"
RESPECTIVELY = re.compile(rf"(?P<pre>[^;]*?)(?P<vals>{_V}(?:(?:、|,|和|及|或)(?:{N}%?{U}以上|{_V}))+)(?P<post>[^;\d]{{0,30}}?),?"
                          rf"分别(?P<verb>得|计|扣|为|加|赋)?(?P<pts>{N}分?(?:(?:、|,|和|及)(?:{N})分?)+)分")


def _respectively(m: re.Match) -> str:
    """“完成率达到90%、80%、70%以上的，分别得10分、8分、6分” → one case per value."""
    vals = re.findall(_V, m.group("vals"))
    pts = re.findall(N, m.group("pts"))
    if len(vals) != len(pts) or len(vals) > 6:
        return m.group(0)
    tail = re.search(r"(?:\(含\))?(?:及以上|以上|及以下|以下)(?:\(含\))?$", vals[-1])
    if tail and not any(re.search(r"以上|以下", v) for v in vals[:-1]):
        vals = [v + tail.group(0) for v in vals[:-1]] + [vals[-1]]
    verb = m.group("verb") or "得"
    return ";".join(f"{m.group('pre')}{v}{m.group('post')},{verb}{x}分" for v, x in zip(vals, pts))


OUTCOME_ANYWHERE = re.compile(rf"{N}分|满分|不得分|扣分|得分|给分")
PREAMBLE = re.compile(r"(?:主要)?(?:考查|考核|检查|查看|核查|评价|根据|依据)")


def _clause(p: Plan, c: str, pending: list[str], item: int, weight: float) -> bool:
    WORK[0] += len(c) * 12  # at most this many productions see the clause, each a bounded fullmatch
    m = NOISE.fullmatch(c)
    if m:
        if m.group("w") or m.group("w2") or m.group("w3"):
            p.weight_stated.append(float(m.group("w") or m.group("w2") or m.group("w3")))
        if m.group("ref"):
            p.ref = _num(m.group("ref").rstrip("%"), "%" if m.group("ref").endswith("%") else "")
            p.ref_percent = m.group("ref").endswith("%")
        return True
    m = CAP.fullmatch(c)
    if m:
        cap = next((float(g) for g in (m.group("c1"), m.group("c2"), m.group("c3")) if g), None)
        if m.group("top"):
            p.top = float(m.group("c4") or m.group("c5")) if (m.group("c4") or m.group("c5")) else weight
        elif cap is not None and (p.counts or p.steps) and (not m.group("c1") or len(p.counts) + len(p.steps) == 1):
            (p.counts or p.steps)[-1]["cap"] = cap
            if cap >= weight:
                p.floor = True
        else:
            if cap is not None and cap != weight:
                return False
            p.floor = True
        pending.clear()
        return True
    m = BEYOND.fullmatch(c)
    if m and not pending:  # “超额完成不加分”, “超过100%的按100%计算”: nothing above the target counts
        if m.group("v"):
            p.value_cap = _num(m.group("v"), m.group("pc"))
        return True
    m = NA.fullmatch(",".join(pending + [c]))
    if m:
        p.na = True
        pending.clear()
        return True
    m = FORMULA.fullmatch(c)
    if m and not pending:
        expr = m.group("expr") or m.group("bare")
        cap = re.search(rf"\(超过({N})%以\1%计算?\)", expr)
        if cap:
            p.value_cap = float(cap.group(1)) / 100
            expr = expr.replace(cap.group(0), "")
        p.formula = expr
        return True
    m = STEP.fullmatch(c)
    if m and m.group("unit") == "个点" and not p.percent:
        m = None  # “每少1个点扣1分” in a text without %: a place counted, not a percentage point
    if m:
        pre = ",".join(pending + [m.group("pre")]) if m.group("pre") else ",".join(pending)
        pc = m.group("unit") in ("个百分点", "百分点", "%", "个点")
        n = cn(m.group("n")) if m.group("n") else 1.0
        d = m.group("dir")
        direction = "gap" if re.fullmatch(GAP, d) or d == "未达到" or re.search(r"偏差|偏离|相差|差距|差值|绝对值", pre) \
            else "above" if re.fullmatch(UP, d) else "below"
        ref = None
        r = re.search(rf"(?:低于|不足|超过|高于|未达到|未达|达不到|>|<)({N})(%?)|({N})(%?){U}(?:及)?(?:以上|以下)", pre)
        if r:
            ref = _num(r.group(1) or r.group(3), r.group(2) or r.group(4))
        p.steps.append({"per": xl_round(n / 100, 12) if pc else n, "points": float(m.group("pts")), "direction": direction,
                        "ref": ref, "pre": pre, "percent": pc, "dir": d})
        pending.clear()
        return True
    m = SHORT.fullmatch(c)
    if m and any(x.cond.kind == "num" and "min" in x.cond.band and "max" not in x.cond.band
                 and re.search(rf"\d(?:{re.escape(m.group('unit'))})", x.cond.text) for x in p.cases):
        # “开展活动不少于4次得满分，每少1次扣1分”: short of the stated number, counted from it (the value is the number done)
        p.steps.append({"per": cn(m.group("n")), "points": float(m.group("pts")), "direction": "below", "ref": None,
                        "pre": ",".join(pending + [m.group("pre")]), "percent": False, "dir": m.group("dir")})
        pending.clear()
        return True
    for rx in (COUNT, EACH, MISS):
        m = rx.fullmatch(c)
        if m:
            what = (m.groupdict().get("what") or "") or ",".join(pending + [m.group("pre") or ""])
            p.counts.append({"points": float(m.group("pts")), "what": fold(",".join(pending + [m.group("pre") or "", what]))})
            pending.clear()
            return True
    m = EARN.fullmatch(c)
    if m and not pending:
        if p.earn is not None:
            return False
        p.earn = {"points": float(m.group("pts"))}
        return True
    m = OUTCOME.fullmatch(c)
    if m:
        parts = pending + ([m.group("cond")] if m.group("cond") else [])
        out = _outcome(m)
        if not out.get("zero") and re.search(r"(?:扣|扣除|扣减|减|减去|减除|不|不予|不能|不可)$", m.group("cond") or ""):
            return False  # “扣除全部分值”, “不予得分” are no full marks
        if len(parts) > 1 and ("range" in out or "judge" in out):  # “部分完成的，视完成情况得1-4分”: how, not when
            parts = [x for x in parts if not re.fullmatch(r"(?:视|根据|按照?|结合)[^,\d]{0,12}(?:情况|程度|质量)(?:而定)?", x)] or parts
        if len(parts) > 1 and ("deduct" in out or out.get("zero")) and re.match(r"(?:未|没有|不|无|缺)", parts[-1]) \
                and not any(NEGATIVE.search(x) for x in parts[:-1]):
            parts = parts[-1:]  # “成立…领导小组，…作出部署。未成立领导小组的，扣2分”: the requirement, then what is deducted
        cond = ",".join(parts)
        pending.clear()
        p.cases.append(Case(condition(cond), _outcome(m), item))
        return True
    pending.append(c)
    return True


# --- the plan → a composition and its answers ------------------------------------------------------

@dataclass
class Composed:
    """A composition read from text, with what is needed to score values given by name."""

    rule: dict
    reading: str
    #: "levels": the level names as the text words them, in order; "items": points per item
    levels: list[tuple[str, str]] = field(default_factory=list)  # (text words, level name in the rule)
    items: list[float] = field(default_factory=list)
    counts: list[str] = field(default_factory=list)  # the text of each count stream (name matching)
    flags: list[tuple[str, str]] = field(default_factory=list)  # (condition as worded, value name) of yes/no deductions
    multi_else: bool = True
    negatives: list[bool] = field(default_factory=list)
    vetoes: list[str] = field(default_factory=list)
    multi_soft: list = field(default_factory=list)
    plan: Plan | None = None
    target: float | None = None
    undecided_checks: list[Any] = field(default_factory=list)


class Abstain(Exception):
    """The grammar cannot place a clause; ``args[0]`` says which, in Chinese."""


def _pts(o: dict, w: float) -> dict:
    if "points" in o:
        return {"points": o["points"]}
    if "share" in o:
        return {"share": o["share"]}
    if o.get("full"):
        return {"share": 1.0}
    if o.get("zero"):
        return {"points": 0.0}
    if "deduct" in o:
        return {"points": max(0.0, xl_round(w - o["deduct"], 9))}
    if o.get("judge"):
        return {"min": 0.0, "max": w}
    if "range" in o:
        return {"min": o["range"][0], "max": o["range"][1]}
    raise Abstain("按比例计分")


NOT_DONE = "未做到"
DONE = "做到"


def _level_name(t: str) -> str:
    return re.sub(r"[,，、;；:：]", "/", t) or "其他"


def _items(p: Plan, w: float) -> list[float]:
    """Points of items that add up to the 分值 (“A,得1分;B,得1分”), scored by the items met; [] if not such."""
    pos = [c for c in p.cases if not (c.cond.negative or c.cond.kind == "else")]
    neg = [c for c in p.cases if c not in pos]
    if len(pos) < 2 or p.steps or p.counts or p.formula or p.earn or p.na or \
            any(not (c.outcome.get("zero") or c.outcome.get("points") == 0) for c in neg):
        return []
    if any(c.outcome.get("points") == 0 or c.outcome.get("zero") for c in pos):
        return []  # an item worth nothing is a level, not an item
    spans = [c.outcome["range"] if "range" in c.outcome else (c.outcome.get("points"),) * 2 for c in pos]
    if any(a is None for a, _ in spans) or abs(sum(b for _, b in spans) - w) > 1e-9:
        return []
    return spans


def compose(p: Plan, weight: float, target_op: str | None, target_value: float | None) -> Composed:
    """The composition of a plan, or Abstain."""
    items = [] if p.unread else _items(p, weight)
    try:
        comp = _compose(p, weight, target_op, target_value)
    except Abstain:
        if not items:
            raise
        comp = Composed({"kind": "items"}, "", plan=p, levels=[(c.cond.text, "") for c in p.cases if c.outcome.get("points")])
    comp.items = items
    return comp


def _compose(p: Plan, weight: float, target_op: str | None, target_value: float | None) -> Composed:
    if p.unread:
        raise Abstain(f"评分标准中“{p.unread}”未能识别")
    if any(x != weight for x in p.weight_stated):
        raise Abstain(f"评分标准写的满分{points_text(p.weight_stated[0])}分与分值{points_text(weight)}分不一致")
    cases = p.cases
    kinds = {c.cond.kind for c in cases}
    if "unclear" in kinds:
        raise Abstain(f"评分标准中“{next(c.cond.text for c in cases if c.cond.kind == 'unclear')}”的条件未能识别")
    if p.formula is not None:
        if cases and all(c.outcome.get("full") and c.cond.kind == "num" and c.cond.band.get("min") == 1.0
                         and "max" not in c.cond.band for c in cases) and p.percent \
                and re.fullmatch(r"[^×*/]+[×*](?:该项|该指标|本项|本指标)?(?:指标)?分值", p.formula):
            p.top, cases = weight, []  # “得分=到位率×分值，100%以上按满分计”: the formula capped at full marks
        if cases or p.steps or p.counts:
            raise Abstain("计算式之外还有其他计分规定")
        return _formula(p, weight, target_value)
    if p.earn is not None:
        if cases or p.steps or p.counts:
            raise Abstain("按次得分之外还有其他计分规定")
        if (p.top if p.top is not None else None) != weight:
            raise Abstain("按次得分没有写最高得分（或最高得分与分值不一致）")
        rule = {"kind": "compose", "values": [{"name": "次数", "type": "integer"}],
                "score": {"part": "formula", "expr": f"次数×{points_text(p.earn['points'])}"}}
        return Composed(rule, "", plan=p)
    if any(c.outcome.get("ratio") for c in cases):
        return _ratio(p, weight, target_value)
    flags = [c for c in cases if c.cond.kind == "bool" and c.cond.negative and ("deduct" in c.outcome or c.outcome.get("zero"))]
    if p.steps or p.counts or len(flags) >= 2:
        return _deductions(p, weight, target_op, target_value)
    if not cases:
        raise Abstain("评分标准中没有计分规定")
    if "multi" in kinds:
        return _multi(p, weight)
    if "target" in kinds and target_value is None and kinds <= {"bool", "else", "target"}:
        for c in cases:  # “完成年度目标得满分”: said of the target, answered 是/否
            if c.cond.kind == "target":
                c.cond = Cond(c.cond.text, "bool", negative=c.cond.band["op"] in ("<", "notdone", ">"))
        kinds = {c.cond.kind for c in cases}
    if kinds <= {"bool", "else"}:
        return _levels(p, weight)
    if kinds & {"num", "target"} and all(c.cond.kind != "bool" or c.cond.negative for c in cases):
        return _bands(p, weight, target_op, target_value)
    raise Abstain("评分标准里既有数值条件又有文字条件")


def _formula(p: Plan, w: float, target_value):
    from .rules.parts.formula import names_in, parse_expr, render
    from .rules.text import ParamError
    expr = p.formula
    if p.value_cap is not None and not (p.value_cap == 1.0 and (re.search(r"分值$", expr) or
                                                                re.search(r"[×*]" + re.escape(points_text(w)) + "$", expr))):
        raise Abstain("计算式的取值上限（超过…按…计算）未能用于计算式")  # the value capped, not the score: 完成率×8 at 120%
    try:
        tree = parse_expr(expr)
    except ParamError as e:
        raise Abstain(str(e)) from None
    names = list(dict.fromkeys(names_in(tree)))
    targetish = [n for n in names if re.search(r"目标任务|目标值|计划数|任务数|指标值|计划任务", n)]
    if len(names) - len(targetish) != 1 or len(targetish) > 1:
        raise Abstain("计算式里的数值不止一个")
    if targetish and target_value is None:
        raise Abstain("计算式要用年度指标值：请给出年度指标值")
    main = next(n for n in names if n not in targetish)
    e = expr.replace(main, "实际值")
    if targetish:
        e = e.replace(targetish[0], repr(float(target_value)))
    tree = parse_expr(e)
    rule = {"kind": "compose", "values": [{"name": "实际值", "type": "percent" if p.percent else "number"}],
            "score": {"part": "formula", "expr": render(tree)}}
    if p.na:
        rule["na"] = True
    return Composed(rule, "", plan=p)


def _ratio(p: Plan, w: float, target_value):
    if target_value is None and p.percent and any(c.outcome.get("full") and c.cond.kind == "num" and c.cond.band.get("min") == 1.0
                                                  and "max" not in c.cond.band for c in p.cases):
        target_value = 1.0  # “到位率100%得满分，低于100%按比例扣分”: the rate over its 100%
    if target_value is None:
        raise Abstain("按完成比例计分需要年度指标值")
    if len(p.cases) > 2 or p.steps or p.counts:
        raise Abstain("按比例计分之外还有其他计分规定")
    if any(c.cond.kind == "bool" and not c.cond.negative and not c.outcome.get("full") and c.cond.text for c in p.cases):
        raise Abstain(f"评分标准中“{next(c.cond.text for c in p.cases if c.cond.kind == 'bool')}”未能识别")
    full = [c for c in p.cases if c.outcome.get("full") or c.outcome.get("points") == w]
    if not (full or p.top == w):
        raise Abstain("按完成比例计分没有写超过年度指标值时的得分（满分为止）")
    t = float(target_value)
    p.top = w  # reaching the target is full marks (满分为止 / 完成…的满分)
    rule = {"kind": "compose", "values": [{"name": "实际值", "type": "percent" if p.percent else "number"}],
            "score": {"part": "formula", "expr": f"实际值/{points_text(t)}×分值"}}
    return Composed(rule, "", plan=p, target=t)


def _levels(p: Plan, w: float) -> Composed:
    cases = p.cases
    if len(cases) == 1 and not cases[0].cond.text:
        raise Abstain("评分标准只写了怎样得分，没有写在什么情况下")
    outs = [_pts(c.outcome, w) for c in cases]
    worth = [o.get("points", o.get("share", 0) * w) if "min" not in o else None for o in outs]
    positive = [c for c in cases if not c.cond.negative]
    if _items(p, w):  # items adding up to the 分值: scored by the items met
        return Composed({"kind": "items"}, "", plan=p, levels=[(c.cond.text, "") for c in positive])
    if len(cases) == 1 and cases[0].cond.kind == "bool" and cases[0].cond.negative and cases[0].cond.text \
            and (worth[0] is None or worth[0] < w):
        # “未落实的不得分”, “未落实包干责任的扣2分”: doing it keeps full marks
        cases = [Case(Cond(DONE, "bool"), {"full": True})] + cases
        outs = [{"share": 1.0}] + outs
        worth = [w] + worth
        positive = cases[:1]
    if worth[0] is None or abs(worth[0] - w) > 1e-9:
        raise Abstain("第一档的得分不是满分")
    names, levels = [], []
    for c, o in zip(cases, outs):
        name = _level_name(c.cond.text) if c.cond.kind == "bool" else "其他"
        if name in names:
            raise Abstain(f"等级“{name}”写了两次")
        names.append(name)
        levels.append({"name": name, "score": o})
    if not any(c.cond.negative for c in cases) and len(positive) == 1:
        names.append(NOT_DONE)  # “做到的得2分”: not done scores nothing
        levels.append({"name": NOT_DONE, "score": {"points": 0.0}})
    rule = {"kind": "compose", "values": [{"name": "等级", "type": "level"}],
            "score": {"part": "levels", "value": "等级", "levels": levels}}
    if p.na:
        rule["na"] = True
    comp = Composed(rule, "", levels=[(c.cond.text, n) for c, n in zip(cases, names)], plan=p)
    comp.negatives = [c.cond.negative for c in cases]
    return comp


def _multi(p: Plan, w: float) -> Composed:
    """Cases on two or more values: “覆盖率达95%以上且回访2次以上的得满分；覆盖率达80%或回访1次的得一半分”."""
    names: list[str] = []
    cases, other, softs = [], None, []
    for c in p.cases:
        o = _pts(c.outcome, w)
        if c.cond.kind == "else" or (c.cond.kind == "bool" and c.cond.negative):
            if other is not None:
                raise Abstain("“否则”写了两次")
            other = o
            continue
        if c.cond.kind == "num":
            parts, join = [(_subject(c.cond), c.cond.band)], "all"
            if c.cond.soft is not None:
                softs.append((_subject(c.cond), c.cond.soft))
        elif c.cond.kind == "multi":
            parts, join = c.cond.band["parts"], c.cond.band["join"]
            softs.extend(c.cond.band["soft"])
        else:
            raise Abstain(f"评分标准中“{c.cond.text}”的条件未能识别")
        cmps = []
        for n, b in parts:
            if not n:
                raise Abstain(f"评分标准中“{c.cond.text}”没有说是哪个数值")
            names.append(n)
            if b.get("min") is not None and b.get("max") is not None:
                if join == "any":
                    raise Abstain(f"评分标准中“{c.cond.text}”的区间不能用“或”连接")
                cmps.append([n, ">=" if b.get("min_inclusive", True) else ">", b["min"]])
                cmps.append([n, "<=" if b.get("max_inclusive") else "<", b["max"]])
            elif "min" in b:
                cmps.append([n, ">=" if b.get("min_inclusive", True) else ">", b["min"]])
            else:
                cmps.append([n, "<=" if b.get("max_inclusive") else "<", b["max"]])
        cases.append({join: cmps, "score": o})
    names = list(dict.fromkeys(names))
    if len(names) < 2:
        raise Abstain("条件只说到一个数值")
    score = {"part": "conditions", "cases": cases}
    if other is not None:
        score["else"] = other
    rule = {"kind": "compose", "values": [{"name": n, "type": "percent" if _is_pc(p, n) else "number"} for n in names],
            "score": score}
    comp = Composed(rule, "", plan=p)
    comp.multi_else = other is not None
    comp.multi_soft = softs
    return comp


def _is_pc(p: Plan, name: str) -> bool:
    return bool(re.search(re.escape(name) + r"[^;,]{0,6}?\d+(?:\.\d+)?%", p.text))


def _band_of(c: Cond, target_value, target_op=None) -> dict:
    b = dict(c.band)
    if c.kind == "target":
        if target_value is None:
            raise Abstain("评分标准按年度指标值分档：请给出年度指标值")
        t = float(target_value)
        op = b["op"]
        lower_better = target_op == "<="
        if op == "done":
            op = "<=" if lower_better else ">="
        elif op == "notdone":
            op = ">" if lower_better else "<"
        b = {"<=": {"max": t, "max_inclusive": True}, ">=": {"min": t}, ">": {"min": t, "min_inclusive": False},
             "<": {"max": t}}[op]
    return b


def _metric(text: str) -> str:
    """The measured value a numeric condition names (执行率, 第四季度支出占比), or "" where it names none."""
    m = re.match(r"(?:其中|另|且|并且)?(.*?(?:率|占比|比例|比重))(?:的)?(?:达到|达|在|为|≥|≤|>|<|=|大于|小于|高于|低于|超过|不低于|"
                 r"不少于|不超过|不足|等于|\d)", text)
    return m.group(1) if m else ""


def _bands(p: Plan, w: float, target_op, target_value) -> Composed:
    if target_op == "=" and any(c.cond.kind == "target" for c in p.cases):
        raise Abstain("年度指标值为“=”时，完成与未完成的界线不明")
    bands, other, softs, reach, ties = [], None, [], [], []
    subjects: set[str] = set()
    if any(c.cond.kind == "bool" and c.cond.negative and "deduct" in c.outcome and c.outcome["deduct"] < w
           and not re.fullmatch(r"(?:未|没有|不|达不到)(?:达标|达到|完成|符合|达到要求|达到标准|达到目标)?(?:的|者)?", c.cond.text)
           for c in p.cases) and not all("deduct" in c.outcome for c in p.cases):
        raise Abstain("分档之外还有扣分")  # “…80%以下不得分；未按时报送的扣1分”: a deduction beside the bands, not their 否则
    for c in p.cases:
        o = _pts(c.outcome, w)
        if c.cond.kind == "else" or (c.cond.kind == "bool" and c.cond.negative):
            if other is not None:
                raise Abstain("“否则”写了两次")
            other = o
            continue
        if c.cond.kind == "num" and c.cond.band and "join" not in c.cond.band:
            subjects.add(_metric(c.cond.text))
        b = _band_of(c.cond, target_value, target_op)
        b.pop("_pc", None)
        if b.pop("_reach", False):
            reach.append(b["min"])
        if c.cond.soft is not None:
            softs.append(c.cond.soft)
            b["_soft"] = True
        bands.append(b | {"score": o})
    if len(subjects - {""}) > 1:  # “执行率达到95%以上…；其中第四季度支出占比超过40%的扣1分”: two values, not one
        raise Abstain(f"分档说的是不同的数值（{'、'.join(sorted(subjects - {''}))}）")
    soft = {id(b) for b in bands if b.pop("_soft", False)}
    for b in bands:  # “10%以内” gives way to “10%(包括10%)”: the neighbour that says it holds the bound
        if id(b) not in soft:
            continue
        if b.get("max_inclusive") and any(o is not b and id(o) not in soft and o.get("min") == b["max"]
                                          and o.get("min_inclusive", True) for o in bands):
            b["max_inclusive"] = False
            softs.remove(b["max"])
        elif "min" in b and "max" not in b and any(o is not b and id(o) not in soft and o.get("max") == b["min"]
                                                   and o.get("max_inclusive") for o in bands):
            b["min_inclusive"] = False
            softs.remove(b["min"])
    bare = [b for b in bands if b.get("_bare")]
    for x in bare:  # “5%-10%扣6分，10%-15%扣9分”: which one holds 10% itself is not written
        if any(y is not x and y["min"] == x["max"] for y in bare):
            ties.append(x["max"])
    for b in bands:  # a bare “5%-10%” gives way where a neighbour claims the bound (“5%以内”, “>10%”)
        if b.pop("_bare", False):
            if any(o is not b and o.get("max") == b["min"] and o.get("max_inclusive") for o in bands):
                b["min_inclusive"] = False
            if any(o is not b and o.get("min") == b["max"] and o.get("min_inclusive") is False for o in bands):
                b["max_inclusive"] = True
    # stepped thresholds (“达到100%得20分，达到90%得10分”, “30%以上得4分，20%以上得3分”): each up to the next one
    opens = sorted((b for b in bands if "min" in b and "max" not in b), key=lambda b: b["min"])
    for lo, hi in zip(opens, opens[1:]):
        lo["max"] = hi["min"]
        if hi.get("min_inclusive") is False:
            lo["max_inclusive"] = True
    tops = [o.get("points", o.get("max", o.get("share", 0) * w)) for o in [b["score"] for b in bands] + ([other] if other else [])]
    if tops and 0 < max(tops) < w - 1e-9 and p.top is None and not any("deduct" in c.outcome for c in p.cases):
        # “90%以上得5分；85%以上得3分” on a 10-point row: the text's full marks are not the 分值
        raise Abstain(f"最高一档{points_text(max(tops))}分，不是分值{points_text(w)}分")
    if other is None and all("deduct" in c.outcome for c in p.cases):
        other = {"share": 1.0}  # “未完成计划数的扣3分”: a deduction from full marks, which the rest keep
    if other is None:
        other = {"undecided": True}
    score = {"part": "bands", "value": "实际值", "bands": bands}
    if "undecided" not in other:
        score["else"] = other
    rule = {"kind": "compose", "values": [{"name": "实际值", "type": "percent" if p.percent else "number"}], "score": score}
    if p.na:
        rule["na"] = True
    comp = Composed(rule, "", plan=p)
    comp.undecided_checks.append(("bands", bands, "undecided" in other, softs, sorted(reach), ties))
    return comp


def _whole_item_zero(p: Plan, c: Case) -> bool:
    """“村庄有露天焚烧现象，此项不得分”: a positive condition beside deduction streams that says the whole item is lost."""
    return re.search(re.escape(c.cond.text) + r"(?:的)?,?(?:本项|该项|此项)(?:指标|考核)?(?:不得分|得零分|得0分|为0分)",
                     p.text) is not None


def _deductions(p: Plan, w: float, target_op, target_value) -> Composed:
    full = lambda c: c.outcome.get("full") or c.outcome.get("points") == w  # noqa: E731
    base = [c for c in p.cases if c.cond.kind != "else" and (not c.cond.negative or full(c))]
    flags = [c for c in p.cases if c.cond.kind == "bool" and ("deduct" in c.outcome or c.outcome.get("zero"))
             and (c.cond.negative or ((p.counts or p.steps) and ("deduct" in c.outcome or _whole_item_zero(p, c))))]
    base = [c for c in base if c not in flags]
    # “迟报四天及以上不得分”, “有五处及以上错误，不得分”: a veto on the one stream's value
    vetoes_at = [c for c in p.cases if c.cond.kind == "num" and (c.outcome.get("zero") or c.outcome.get("points") == 0)
                 and len(p.steps) + len(p.counts) == 1 and (("min" in c.cond.band and "max" not in c.cond.band) or
                     ("max" in c.cond.band and "min" not in c.cond.band and p.steps and p.steps[0]["direction"] == "below"))]
    # “…每低1个百分点扣0.2分，低于80%不得分”: a veto below the stream's value, too
    base = [c for c in base if c not in vetoes_at]
    rest = [c for c in p.cases if c not in base and c not in flags and c not in vetoes_at]
    if len(base) > 1 or rest:
        raise Abstain("扣分之外还有几种得分规定")
    ref = p.ref
    if base:
        o = base[0].outcome
        if not (o.get("full") or o.get("points") == w):
            raise Abstain("满分条件的得分与分值不一致" if "points" in o else "扣分规则没有满分条件")
        c = base[0].cond
        if c.kind == "num":
            b = {k: v for k, v in c.band.items() if not k.startswith("_")}
            v = b.get("min", b.get("max"))
            if p.steps and p.steps[0]["direction"] == "above" and "max" in b:
                v = b["max"]  # “控制在5%以内得满分，每超过1个百分点扣1分”: counted from the upper bound
            if ref is not None and ref != v:
                raise Abstain("评分标准写了两个扣分标准")
            ref = v
        elif c.kind == "target":
            ref = target_value if ref is None else ref
    values, deduct = [], []
    if p.steps:
        if len(p.steps) > 1:
            raise Abstain("评分标准里有几种按差扣分")
        st = p.steps[0]
        r = st["ref"] if st["ref"] is not None else ref
        if st["ref"] is not None and ref is not None and st["ref"] != ref:
            raise Abstain("扣分标准前后不一致")
        if r is None and target_value is not None:
            r = float(target_value)
        if r is None and re.search(r"迟报|迟交|延迟|延误|逾期|推迟|超期|晚报|拖延|超支", st.get("dir", "")):
            r = 0.0  # “每迟报一天扣1分”, “每超支1万元”: counted from on time, from the budget
        if r is None and st["direction"] == "above" and re.search(r"零增长|不增长|增长率?为0|增长率?=0", p.text):
            r = 0.0  # “零增长得满分，每增长1%扣0.5分”
        if r is None and st["percent"] and re.search(r"(?:年度|计划|目标)(?:任务|目标|计划)?", st["pre"]):
            r = 1.0  # “低于年度任务的，每减少1%”: a completion rate against 100% of the task
        if r is None:
            raise Abstain("没有写明从多少开始扣分（如“以100%为标准”或给出年度指标值）")
        direction = st["direction"]
        if (direction == "above" and target_op == ">=") or (direction == "below" and target_op == "<="):
            raise Abstain(f"评分标准按“每{'超过' if direction == 'above' else '低于'}”扣分，年度指标值却是{'≥' if target_op == '>=' else '≤'}方向")
        if direction == "gap":
            direction = {">=": "below", "<=": "above"}.get(target_op or "", "either")
        values.append({"name": "实际值", "type": "percent" if st["percent"] or p.percent else "number"})
        d = {"part": "steps", "value": "实际值", "from": r, "direction": direction, "per": st["per"], "points": st["points"]}
        if st.get("cap") is not None:
            d["cap"] = st["cap"]
        deduct.append(d)
    for i, c in enumerate(p.counts):
        name = "问题" if i == 0 else f"问题{i + 1}"
        values.append({"name": name, "type": "integer"})
        d = {"part": "count", "value": name, "points": c["points"]}
        if c.get("cap") is not None:
            d["cap"] = c["cap"]
        deduct.append(d)
    whats = [c["what"] for c in p.counts]
    vetoes: list[str] = []
    for c in flags:  # “未成立领导小组的，扣2分”: a deduction when the department says 是
        name = _level_name(c.cond.text)[:24]
        if name in [v["name"] for v in values]:
            raise Abstain(f"“{name}”写了两次")
        values.append({"name": name, "type": "flag"})
        pts = w if c.outcome.get("zero") else c.outcome["deduct"]
        deduct.append({"part": "count", "value": name, "points": pts})
        if pts >= w:
            vetoes.append(name)  # “不健全的扣10分” on an 8-point row: nothing is left, whatever else
    main: dict = {"part": "base"}
    if vetoes_at:
        on = values[0]["name"]
        cases = [{"all": [[on, ">=" if c.cond.band.get("min_inclusive", True) else ">", c.cond.band["min"]] if "min" in c.cond.band
                          else [on, "<=" if c.cond.band.get("max_inclusive") else "<", c.cond.band["max"]]],
                  "score": {"points": 0.0}} for c in vetoes_at]
        main = {"part": "conditions", "cases": cases, "else": {"share": 1.0}}
    rule = {"kind": "compose", "values": values, "score": main, "deduct": deduct}
    if p.na:
        rule["na"] = True
    comp = Composed(rule, "", plan=p, counts=whats, flags=[(fold(c.cond.text), _level_name(c.cond.text)[:24]) for c in flags])
    comp.vetoes = vetoes
    return comp


# --- reading and scoring ---------------------------------------------------------------------------

def read(text: str, weight: float, target_op: str | None = None, target_value: float | None = None) -> Composed:
    """The composition a text states, or Abstain naming the clause."""
    p = plan(text, weight)
    comp = compose(p, weight, target_op, target_value)
    if comp.rule.get("kind") == "compose":
        leaf = leaf_for(comp.rule, weight)
        problems = Compose().check(leaf)
        if any(x.severity == "error" for x in problems):
            raise Abstain(problems[0].message)
        comp.reading = Compose().describe(leaf)
        comp.rule = canonical(comp.rule) | {"kind": "compose"}
        comp.rule = {k: v for k, v in comp.rule.items()}
    else:
        comp.reading = "逐项计分：" + "；".join(
            f"第{i}项" + (f"{points_text(a)}分" if a == b else f"{points_text(a)}～{points_text(b)}分")
            for i, (a, b) in enumerate(comp.items, 1)) + "；未做到的项不得分"
    return comp


def leaf_for(rule: dict, weight: float) -> Node:
    return Node(id="rubric", name="", weight=weight, rule=rule, actual=Actual("entry"))


def params(rule: dict) -> str:
    return params_text(rule) if rule.get("kind") == "compose" else ""


# --- scoring values given by name --------------------------------------------------------------

#: a value named as a fault counted (未设立投放点, 空白月), not as things done (专题学法次数) or a rank (排名)
FAULT = re.compile(r"未|不|没|无|少|缺|差|问题|错|违|漏|迟|超|扣|低于|空白|发生|出现|发现|事故|投诉")
COUNTISH = re.compile(r"问题|次数|个数|项数|处数|起数|人数")
YES = ("是", "yes", "已落实", "已完成", "完成", "达到", "符合")
NO = ("否", "no", "未落实", "未完成", "未达到", "不符合")
DEGREE = re.compile(r"(?:基本|不|未|较|没有|无|部分|比较|尚未|非)$")


def _flag_answer(raw: str, worded: str) -> str | None:
    """是 where the deduction's condition holds: 是/否, or the text's own words (“未落实” holds for 未落实标签制度,
    “已落实” does not); None if unsure."""
    a = fold(raw).lower()
    if a in ("是", "yes", "1"):
        return "是"
    if a in ("否", "no", "0"):
        return "否"
    if re.match(r"(?:未|没有|不|无)", a) and a in worded:
        return "是"
    if a.startswith("已") and re.search(r"(?:未|没有)" + re.escape(a[1:]), worded):
        return "否"
    return None


def _within(k: str, t: str) -> bool:
    """``k`` occurs in ``t`` and not right after a negation (完成 is not within 未完成)."""
    i = t.find(k)
    while i >= 0:
        if i == 0 or t[i - 1] not in "未不没无非":
            return True
        i = t.find(k, i + 1)
    return False


def match_level(comp: Composed, answer: str) -> str | None:
    """The level name an answer picks: the level as worded, its last words (“齐全” for 资料齐全 but not
    for 不齐全), or 是/否 where one level is the positive one and one the negative; None if unsure."""
    a = fold(answer)
    words = [(fold(t), n) for t, n in comp.levels]
    exact = [n for t, n in words if t == a or n == a]
    if len(exact) == 1:
        return exact[0]
    tail = [n for t, n in words if t.endswith(a) and not DEGREE.search(t[: len(t) - len(a)])
            and not t[: len(t) - len(a)].endswith(("未", "不", "没", "无", "非"))]  # 有 is not within 没有
    if len(tail) == 1 and a not in YES + NO:
        return tail[0]
    names = [x["name"] for x in comp.rule["score"]["levels"]]
    if a.lower() in YES:
        return names[0]
    if a.lower() in NO:
        negative = [n for (t, n), neg in zip(comp.levels, comp.negatives) if neg]
        if len(negative) == 1:
            return negative[0]
        if NOT_DONE in names:
            return NOT_DONE
    return None


def _number(text: str, percent: bool) -> float | None:
    s = fold(text)
    m = re.fullmatch(rf"(-?{N})(%?)[^\d]*", s)
    if not m:
        return None
    return xl_round(float(m.group(1)) / 100, 12) if m.group(2) else float(m.group(1))


def answer(comp: Composed, weight: float, main: str | None, named: dict[str, str], na: bool,
           met: list[int] | None, percent: bool) -> dict:
    """``{"score"}``, ``{"score_range"}`` or ``{"undecided": why}`` for the values given."""
    rule = comp.rule
    if rule.get("kind") == "items" or (met is not None and comp.items):
        if met is None:
            return {"undecided": "逐项计分请给出做到的项（--met 1,3）"}
        if any(not 1 <= i <= len(comp.items) for i in met):
            return {"undecided": f"没有这一项（共{len(comp.items)}项）"}
        lo = xl_round(min(weight, sum(comp.items[i - 1][0] for i in set(met))), 2)
        hi = xl_round(min(weight, sum(comp.items[i - 1][1] for i in set(met))), 2)
        return {"score": lo} if lo == hi else {"score_range": [lo, hi]}
    if met is not None:
        return {"undecided": "这条评分标准不按项计分"}
    leaf = leaf_for(rule, weight)
    r = Compose()
    if na:
        if not rule.get("na"):
            return {"undecided": "评分标准没有写不适用时怎样计分"}
        return {"score": r.score(leaf, {"na": "不适用"})}
    names = [v["name"] for v in rule.get("values", [])]
    slots = {v["name"]: ("actual" if i == 0 else f"value{i + 1}") for i, v in enumerate(rule.get("values", []))}
    given: dict[str, Any] = {}
    rest = {fold(k).translate(_TRAD): v for k, v in named.items()}
    counts = [n for n in names if n.startswith("问题")]
    for k in list(rest):
        if "问题" in k and len(counts) == 1:
            given[counts[0]] = rest.pop(k)
    for k in list(rest):
        hits = [n for n, what in zip(counts, comp.counts) if _within(k, what)]
        if len(hits) == 1:
            given[hits[0]] = rest.pop(k)
    for k in list(rest):
        hits = [n for t, n in comp.flags if k == t or _within(k, t) or (len(t) >= 4 and _within(t, k))]
        if len(hits) == 1 and hits[0] not in given:
            given[hits[0]] = rest.pop(k)
    for k in list(rest):
        hits = [n for n in names if n not in given and not n.startswith("问题") and (n == k or _within(n, k) or _within(k, n))]
        if len(hits) == 1:
            given[hits[0]] = rest.pop(k)
    others = [n for n in names if n not in given]
    left = [n for n in counts if n not in given]
    if len(left) == 1 and len(rest) == 1 and re.fullmatch(r"\d+", fold(next(iter(rest.values())))) and \
            FAULT.search(next(iter(rest))) and not re.search(r"排名|名次|位次|排序", next(iter(rest))):
        given[left[0]] = rest.pop(next(iter(rest)))  # the one count the text has left, by elimination
    flag_names = [n for _, n in comp.flags]
    if main is not None and comp.flags and len(names) == len(flag_names):
        hits = [n for t, n in comp.flags if fold(main) in (t, n)] or \
            [n for t, n in comp.flags if len(fold(main)) >= max(4, 0.75 * len(t)) and _within(fold(main).translate(_TRAD), t)]
        if len(hits) == 1:  # the one condition that holds, named as the text words it
            given.update({n: ("是" if n == hits[0] else "否") for n in flag_names})
            main = None
    if main is not None:
        others = [n for n in others if next(v for v in rule["values"] if v["name"] == n).get("type") != "flag"]
        if len(others) != 1:
            return {"undecided": "请用 名称=值 给出各个数值"}
        given[others[0]] = main
        others = []
    plain = [n for n in others if not n.startswith("问题")]
    for k in list(rest):  # “未定期研究=否” for a level worded 未定期研究: the level named, answered yes or no
        lv = next((v for v in rule.get("values", []) if v["name"] in plain and v.get("type") == "level"), None)
        named_levels = [n for t, n in comp.levels if fold(t) == k]
        if lv is not None and len(named_levels) == 1 and len(comp.levels) == 2 and fold(rest[k]) in YES + NO:
            other = next(n for _, n in comp.levels if n != named_levels[0])
            given[lv["name"]] = named_levels[0] if fold(rest.pop(k)) in YES else other
            plain.remove(lv["name"])
    for k in list(rest):
        if len(plain) == 1 and plain[0] not in given and not COUNTISH.search(k) and \
                (k in comp.plan.text or (k.endswith("率") and comp.plan.percent)):
            given[plain[0]] = rest.pop(k)
    if rest or any(n not in given for n in names):
        return {"undecided": "给出的数值与评分标准说的数值对不上"}
    values: dict[str, Any] = {}
    env: dict[str, Any] = {}
    for v in rule["values"]:
        raw = given[v["name"]]
        if v.get("type") == "level":
            lv = match_level(comp, raw)
            if lv is None:
                return {"undecided": f"“{raw}”不是评分标准写到的等级"}
            values[slots[v["name"]]] = env[v["name"]] = lv
        elif v.get("type") == "flag":
            yn = _flag_answer(raw, next((t for t, n in comp.flags if n == v["name"]), v["name"]))
            if yn is None:
                return {"undecided": f"“{raw}”应为是或否"}
            values[slots[v["name"]]] = yn
            env[v["name"]] = 1.0 if yn == "是" else 0.0
        else:
            x = _number(raw, v.get("type") == "percent")
            if x is None:
                return {"undecided": f"“{raw}”不是数字"}
            if v.get("type") == "integer" and not re.fullmatch(r"\d+", fold(raw).strip()):
                return {"undecided": f"“{raw}”应为个数（0、1、2…）"}
            values[slots[v["name"]]] = env[v["name"]] = x
    why = _undecided(comp, weight, env)
    if why:
        return {"undecided": why}
    rng = r.score_range(leaf, values)
    if rng is not None:
        return {"score_range": [rng[0], rng[1]]}
    s = r.score(leaf, values)
    return {"undecided": "评分标准没有规定这种情况怎样计分"} if s is None else {"score": s}


def _raw_main(comp: Composed, weight: float, env: dict) -> float | None:
    from .rules.compose import PARTS
    q = comp.rule
    return PARTS[q["score"]["part"]].py(q["score"], {**env, "__score__": None}, weight)


def _raw(comp: Composed, weight: float, env: dict) -> float | None:
    """The unclamped score (main − deductions), or None for a range."""
    from .rules.compose import PARTS
    q = comp.rule
    main = PARTS[q["score"]["part"]].py(q["score"], {**env, "__score__": None}, weight)
    if main is None:
        return None
    return main - sum(PARTS[d["part"]].py(d, env, weight) for d in q.get("deduct", []))


def PARTS_PY(d: dict, env: dict, weight: float) -> float:
    from .rules.compose import PARTS
    return PARTS[d["part"]].py(d, env, weight)


def _only_a_veto(comp: Composed, weight: float, env: dict) -> bool:
    """Below zero only because one deduction of the whole 分值 applies and nothing else is deducted."""
    from .rules.compose import PARTS
    hits = [d for d in comp.rule.get("deduct", []) if PARTS[d["part"]].py(d, env, weight) > 0]
    return len(hits) == 1 and hits[0]["value"] in comp.vetoes


def _undecided(comp: Composed, weight: float, env: dict) -> str:
    from .rules.bands import band_contains
    p = comp.plan
    q = comp.rule
    for check in comp.undecided_checks:
        _, bands, no_else, softs, reach, ties = check
        a = env["实际值"]
        if a in ties:
            return f"评分标准没有写明正好是{a:g}时算哪一档（两档都写到了它）"
        if len(reach) > 1 and reach[0] < a < reach[-1] and a not in reach:
            return "评分标准只写了达到几个数值时的得分，没有写两者之间怎样计分"
        if no_else and not any(band_contains(b, a) for b in bands):
            return "实际值不在评分标准写到的任何一档内"
        if a in softs:
            confirmed = any(b.get("max") == a and not b.get("max_inclusive") for b in bands) or \
                any(b.get("min") == a and b.get("min_inclusive") is False for b in bands)
            if not confirmed:
                return f"评分标准没有写明“{a:g}”本身算哪一档（以上/以下是否含本数）"
    if q["score"]["part"] == "conditions" and not comp.multi_else:
        from .rules.parts.conditions import _holds
        hit = any(all(_holds(c, env) for c in case["all"]) if "all" in case else any(_holds(c, env) for c in case["any"])
                  for case in q["score"]["cases"])
        if not hit:
            return "评分标准没有写这些数值不符合任何一种情况时怎样计分"
        for n, x in comp.multi_soft:
            if env.get(n) == x:
                return f"评分标准没有写明{n}正好是{x:g}时算哪一档（以上是否含本数）"
    for d in q.get("deduct", []):
        if d["part"] == "steps":
            a, th = env[d["value"]], d["from"]
            dev = {"above": a - th, "below": th - a}.get(d["direction"], abs(a - th))
            if dev > 0:
                units = xl_round(dev / d["per"], 6)
                if units != int(units):
                    return "评分标准没有规定不足一档的部分怎样扣分"
    raw = _raw(comp, weight, env)
    flags = {n for _, n in comp.flags}
    hit = [d for d in q.get("deduct", []) if PARTS_PY(d, env, weight) > 0]
    # several deductions reaching exactly 0: decided when each is a stated yes/no deduction, not when a
    # per-item or per-step stream (unbounded) takes part
    streams = len(hit) if any(d["value"] not in flags for d in hit) else 0
    vetoed = q["score"]["part"] == "conditions" and q.get("deduct") and _raw_main(comp, weight, env) == 0
    if raw is not None and (raw < -1e-9 or (raw <= 1e-9 and streams > 1)) and not p.floor and not vetoed \
            and not _only_a_veto(comp, weight, env):
        return "扣分超过了分值，评分标准没有写扣完为止"
    if raw is not None and raw > weight + 1e-9 and q["score"]["part"] == "formula":
        capped = p.top is not None or (p.value_cap is not None and env.get("实际值", 0) >= p.value_cap)
        if not capped:
            return "得分超过了分值，评分标准没有写最高得分"
        if p.value_cap is not None and env["实际值"] > p.value_cap:
            pass
    return ""


def nearest(text: str, weight: float, target_op=None, target_value=None) -> str:
    """Where the grammar abstains: the 参数 text of the composition read from the clauses it did place
    (the unread clause left out), for the bureau to correct and paste; "" if nothing was placed."""
    p = plan(text, weight)
    p.unread = ""
    try:
        comp = compose(p, weight, target_op, target_value)
    except Abstain:
        return ""
    if comp.rule.get("kind") != "compose":
        return ""
    try:
        return params_text(comp.rule)
    except (KeyError, ValueError):
        return ""
