"""`formula`: an arithmetic expression over named values and 分值, as the text states it.

``{part: formula, expr: "种植率*30"}`` — “得分=种植率×30”, “实际完成量/目标任务×该项分值”,
“指标值/实际值×分值”. Names are the composition's values; 分值 (also 该项分值, 该指标分值,
权重) is the row's weight; ``+ - * / ( )`` and numbers (``100%``). A division by zero gives 0 in
both engines. The result is clamped to [0, 分值] like every score.
"""

from __future__ import annotations

import re
from typing import Any

from ...numeric import fmt_num
from ..text import ParamError, fold
from . import Part

WEIGHT_WORDS = ("该指标分值", "该项分值", "指标分值", "本项分值", "分值", "权重", "赋分值", "满分")
WEIGHT = re.compile(r"(?:该|本|此)?(?:项|指标|项指标)?(?:的)?(?:分值|权重|赋分值|满分|分数)")
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?%?)|([-+*/()])|([^-+*/()\d\s]+))")


def normalise(text: str) -> str:
    return fold(text).replace("×", "*").replace("÷", "/").replace("x", "*").replace("X", "*")


def parse_expr(text: str, names: set[str] | None = None):
    """The AST of ``text``: ('num', x) | ('w',) | ('name', n) | (op, a, b); raises ParamError."""
    s = normalise(text)
    toks, pos = [], 0
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m or m.end() == pos:
            raise ParamError(f"计算式“{text}”看不懂")
        pos = m.end()
        num, op, word = m.groups()
        if num:
            toks.append(("num", float(num[:-1]) / 100 if num.endswith("%") else float(num)))
        elif op:
            toks.append(("op", op))
        else:
            toks.append(("w",) if word in WEIGHT_WORDS or WEIGHT.fullmatch(word) else ("name", word))
    i = 0

    def peek():
        return toks[i] if i < len(toks) else None

    def atom():
        nonlocal i
        t = peek()
        if t is None:
            raise ParamError(f"计算式“{text}”不完整")
        i += 1
        if t == ("op", "("):
            e = expr()
            if peek() != ("op", ")"):
                raise ParamError(f"计算式“{text}”的括号不配对")
            i += 1
            return e
        if t == ("op", "-"):
            return ("-", ("num", 0.0), atom())
        if t[0] == "op":
            raise ParamError(f"计算式“{text}”里“{t[1]}”的位置不对")
        if t[0] == "name" and names is not None and t[1] not in names:
            raise ParamError(f"计算式里的“{t[1]}”不是本项的数值（可用：{'、'.join(sorted(names)) or '无'}）")
        return t

    def term():
        nonlocal i
        e = atom()
        while peek() in (("op", "*"), ("op", "/")):
            i += 1
            e = (toks[i - 1][1], e, atom())
        return e

    def expr():
        nonlocal i
        e = term()
        while peek() in (("op", "+"), ("op", "-")):
            i += 1
            e = (toks[i - 1][1], e, term())
        return e

    tree = expr()
    if i != len(toks):
        raise ParamError(f"计算式“{text}”看不懂")
    return tree


def names_in(tree) -> list[str]:
    if tree[0] == "name":
        return [tree[1]]
    if tree[0] in ("num", "w"):
        return []
    return names_in(tree[1]) + names_in(tree[2])


def eval_py(tree, env, w) -> float:
    k = tree[0]
    if k == "num":
        return tree[1]
    if k == "w":
        return w
    if k == "name":
        return env[tree[1]]
    a, b = eval_py(tree[1], env, w), eval_py(tree[2], env, w)
    if k == "+":
        return a + b
    if k == "-":
        return a - b
    if k == "*":
        return a * b
    return 0.0 if b == 0 else a / b


def emit_xl(tree, r, w) -> str:
    k = tree[0]
    if k == "num":
        return fmt_num(tree[1])
    if k == "w":
        return w
    if k == "name":
        return r[tree[1]]
    a, b = emit_xl(tree[1], r, w), emit_xl(tree[2], r, w)
    if k == "/":
        return f"IF(({b})=0,0,({a})/({b}))"
    return f"({a}{k}{b})"


def render(tree) -> str:
    k = tree[0]
    if k == "num":
        return fmt_num(tree[1])
    if k == "w":
        return "分值"
    if k == "name":
        return tree[1]
    sym = {"*": "×", "/": "/", "+": "+", "-": "-"}[k]
    a, b = render(tree[1]), render(tree[2])
    if k in "*/" and tree[1][0] in "+-":
        a = f"({a})"
    if k in "*/-" and tree[2][0] in ("+", "-") or (k == "/" and tree[2][0] in "*/"):
        b = f"({b})"
    return f"{a}{sym}{b}"


class Formula(Part):
    key = "formula"
    label = "计算式"
    param_key = "公式"
    SCHEMA = {"type": "object", "required": ["part", "expr"], "additionalProperties": False,
              "properties": {"part": {"const": "formula"}, "expr": {"type": "string", "minLength": 1}}}
    PHRASINGS = ("得分=种植率×30", "实际完成量/目标任务×该项分值", "指标值/实际值×分值")
    EXAMPLE = "公式=实际完成量/目标任务×分值"

    def tree(self, p) -> Any:
        return parse_expr(p["expr"])

    def slots(self, p):
        return list(dict.fromkeys(names_in(self.tree(p))))

    def check(self, p, comp, w):
        try:
            parse_expr(p["expr"], set(comp.names))
        except ParamError as e:
            return [str(e)]
        return []

    def py(self, p, env, w):
        return eval_py(self.tree(p), env, w)

    def xl(self, p, r, w):
        return emit_xl(self.tree(p), r, w)

    def describe(self, p, comp, w):
        return f"得分＝{render(self.tree(p))}"

    def text(self, p, comp):
        return render(self.tree(p))

    def parse(self, text, comp, w):
        tree = parse_expr(text, set(comp.names) if comp.strict else None)
        for n in names_in(tree):
            comp.name(n)
        return {"part": "formula", "expr": render(tree)}
