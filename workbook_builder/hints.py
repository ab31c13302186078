"""Honest mistakes made visible: each input's problems, as a formula and in Python, in Chinese.

A typed value can keep a score (and so 总分) from computing, or contradict another: text in a
number cell, a number outside the input's range, a choice not in its list, a 自评分 outside the
chosen level's range, a cross-check that fails (执行数 > 预算数 …). Each ``Test`` is one such
problem of one input cell: ``cond`` is TRUE when the cell is wrong (a conditional format marks
it red), ``message`` says why. A row's 提示 cell joins its inputs' messages; ``problems`` is the
Python face of the same tests, for the cached values. Blank cells are never wrong here (the
orange "required" format covers them). Functions used: AND OR NOT ISBLANK ISNUMBER LEN IF COUNTBLANK.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .crosscheck import checked_input, holds
from .crosscheck import excel as crosscheck_excel
from .model import Input, Node, Template
from .numeric import as_number, fmt_num
from .rules import rule_for
from .rules.grade import is_range

#: what a slot of a 自评表 row is called in its 提示
SLOT_NAMES = {"actual": "实际完成值", "target": "年度指标值", "score": "自评分"}
SEP = "；"


@dataclass(frozen=True)
class Test:
    cond: str  # Excel: TRUE when the cell is wrong
    message: str


def _show(inp: Input, x: float) -> str:
    return f"{fmt_num(x * 100)}%" if inp.type == "percent" else fmt_num(x)


def _who(inp: Input) -> str:
    return SLOT_NAMES.get(inp.slot or "", "") if inp.leaf else ""


def _checks(t: Template, inp: Input):
    return [c for c in t.checks if checked_input(c) == inp.id]


def _check_message(t: Template, c) -> str:
    label = {i.id: i.label for i in t.inputs}
    if c.kind == "le":
        k = "" if c.factor == 1 else f"×{fmt_num(c.factor)}"
        return f"不应大于“{label[c.right]}”{k}（万元与元是否填混？）"
    return f"应等于{'＋'.join(f'“{label[p]}”' for p in c.parts)}（万元与元是否填混？）"


def _level_range(leaf: Node) -> bool:
    return leaf.kind == "grade" and is_range(leaf)


def checked(inp: Input, leaves: Mapping[str, Node]) -> bool:
    """Whether an input gets tests: every 基础数据 input, and entry cells of rows not typed in whole
    (an open row has its own count of rows begun but not finished)."""
    if inp.leaf is None:
        return True
    leaf = leaves.get(inp.leaf)
    return leaf is not None and leaf.kind != "open"


def tests(t: Template, inp: Input, ref: str, ref_of: Callable[[str], str], leaf: Node | None = None) -> list[Test]:
    """The tests of one input at ``ref`` (relative, on its own sheet); ``ref_of(id)`` gives the cells
    the cross-checks and the level-range test read, on the same sheet."""
    who = _who(inp)
    out: list[Test] = []
    if inp.type == "choice" or inp.choices:
        listed = ",".join(f'{ref}="{c}"' for c in inp.choices)
        out.append(Test(f"AND(NOT(ISBLANK({ref})),NOT(OR({listed})))", f"{who}请从下拉列表中选择"))
        return out
    if not inp.numeric:
        return out
    out.append(Test(f"AND(NOT(ISBLANK({ref})),NOT(ISNUMBER({ref})))", f"{who}应填数值，不能是文字"))
    if inp.min is not None:
        out.append(Test(f"IF(ISNUMBER({ref}),{ref}<{fmt_num(inp.min)},FALSE)", f"{who}不应小于{_show(inp, inp.min)}"))
    if inp.max is not None:
        out.append(Test(f"IF(ISNUMBER({ref}),{ref}>{fmt_num(inp.max)},FALSE)", f"{who}不应大于{_show(inp, inp.max)}"))
    for c in _checks(t, inp):
        out.append(Test(f"NOT({crosscheck_excel(c, ref_of)})", who + _check_message(t, c)))
    if leaf is not None and inp.slot == "score" and _level_range(leaf):
        lo, hi = _score_range_excel(leaf, ref_of(f"{leaf.id}.actual"))
        out.append(Test(f"IF(ISNUMBER({ref}),OR({ref}<{lo},{ref}>{hi}),FALSE)", "自评分应在所选评价等级的分数范围内"))
    return out


def _score_range_excel(leaf: Node, level_ref: str) -> tuple[str, str]:
    w = fmt_num(leaf.weight)
    lo, hi = "0", w
    for x in reversed(rule_for(leaf).params(leaf)["levels"]):
        lo = f'IF({level_ref}="{x["name"]}",{fmt_num(x["min"])}*{w},{lo})'
        hi = f'IF({level_ref}="{x["name"]}",{fmt_num(x["max"])}*{w},{hi})'
    return lo, hi


def problems(t: Template, inp: Input, values: Mapping[str, Any], leaf: Node | None = None) -> list[str]:
    """The Python face of ``tests``: the messages of the tests that fail for ``values``."""
    v = values.get(inp.id)
    if v is None or (isinstance(v, str) and v == ""):
        return []
    who = _who(inp)
    if inp.type == "choice" or inp.choices:
        return [] if isinstance(v, str) and v in inp.choices else [f"{who}请从下拉列表中选择"]
    if not inp.numeric:
        return []
    x = as_number(v)
    if x is None:
        return [f"{who}应填数值，不能是文字"]
    out = []
    if inp.min is not None and x < float(fmt_num(inp.min)):
        out.append(f"{who}不应小于{_show(inp, inp.min)}")
    if inp.max is not None and x > float(fmt_num(inp.max)):
        out.append(f"{who}不应大于{_show(inp, inp.max)}")
    for c in _checks(t, inp):
        if not holds(c, values):
            out.append(who + _check_message(t, c))
    if leaf is not None and inp.slot == "score" and _level_range(leaf):
        level = values.get(f"{leaf.id}.actual")
        w = float(fmt_num(leaf.weight))
        lo, hi = 0.0, w
        for lv in rule_for(leaf).params(leaf)["levels"]:
            if level == lv["name"]:
                lo, hi = float(fmt_num(lv["min"])) * w, float(fmt_num(lv["max"])) * w
                break
        if x < lo or x > hi:
            out.append("自评分应在所选评价等级的分数范围内")
    return out


def join_formula(items: list[Test]) -> str:
    """A 提示 cell's formula: every failing test's message, each followed by ；."""
    return "&".join(f'IF({x.cond},"{x.message}{SEP}","")' for x in items) or '""'


def join_text(messages: list[str]) -> str:
    return "".join(m + SEP for m in messages)


def summary_formula(hint_ranges: list[tuple[str, int]], required: list[str], total_ref: str,
                    where: str = "“提示”列") -> str:
    """The 提示 line near 总分: how many rows hold mistakes, else how many required inputs are blank.

    ``hint_ranges``: (range, cells in it) of the 提示 cells; a cell showing "" counts as blank for
    COUNTBLANK in Excel, LibreOffice and Gnumeric alike (an array expression would not)."""
    n_err = "+".join(f"({n}-COUNTBLANK({r}))" for r, n in hint_ranges) or "0"
    n_miss = "(" + "+".join(f"ISBLANK({r})" for r in required) + ")" if required else "0"
    return (f'IF({n_err}>0,"提示：有"&({n_err})&"行填写有误（红色单元格，原因见{where}），请改正"'
            f'&IF(ISNUMBER({total_ref}),"。","；改正前总分不计算。"),'
            f'IF(ISNUMBER({total_ref}),"",IF({n_miss}>0,"提示：还有"&{n_miss}&"项必填项未填写（橙色单元格），填完后自动计算总分。",'
            f'"提示：尚有指标未计分，请检查黄色填报项。")))')


def summary_text(rows_with_problems: int, missing: int, total: float | None, where: str = "“提示”列") -> str:
    """The Python face of ``summary_formula``."""
    if rows_with_problems:
        end = "。" if total is not None else "；改正前总分不计算。"
        return f"提示：有{rows_with_problems}行填写有误（红色单元格，原因见{where}），请改正{end}"
    if total is not None:
        return ""
    if missing:
        return f"提示：还有{missing}项必填项未填写（橙色单元格），填完后自动计算总分。"
    return "提示：尚有指标未计分，请检查黄色填报项。"
