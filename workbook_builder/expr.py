"""Derived-quantity expressions: parsed once, evaluated in Python and rendered as Excel.

The language is arithmetic over input ids: numbers, names, + - * /, unary minus and
parentheses (``(this_year - last_year) / last_year``). Semantics, identical in both
engines: if any referenced value is blank or not a number, a division by zero
occurs, or the result is not finite or beyond ±1e15, the result is blank (Python
``None``, Excel ``""``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .numeric import MAX_MAGNITUDE_TEXT, bounded, fmt_num

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class ExprError(ValueError):
    pass


@dataclass(frozen=True)
class Expr:
    text: str
    tree: ast.expr

    @property
    def names(self) -> list[str]:
        seen: list[str] = []
        for n in ast.walk(self.tree):
            if isinstance(n, ast.Name) and n.id not in seen:
                seen.append(n.id)
        return seen

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        def ev(n: ast.expr) -> float:
            if isinstance(n, ast.Constant):
                return float(n.value)
            if isinstance(n, ast.Name):
                v = values.get(n.id)
                if v is None:
                    raise _Blank
                return v
            if isinstance(n, ast.UnaryOp):
                return -ev(n.operand)
            if isinstance(n, ast.BinOp):
                a, b = ev(n.left), ev(n.right)
                op = type(n.op)
                if op is ast.Add:
                    return a + b
                if op is ast.Sub:
                    return a - b
                if op is ast.Mult:
                    return a * b
                if b == 0:
                    raise _Blank
                return a / b
            raise ExprError(f"unsupported expression {ast.dump(n)}")

        try:
            return bounded(ev(self.tree))
        except (_Blank, OverflowError):
            return None

    def describe(self, labels: Mapping[str, str]) -> str:
        """The expression in words for the department: ``基本支出·全年执行数 ÷ 基本支出·全年预算数``."""
        ops = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: " × ", ast.Div: " ÷ "}

        def render(n: ast.expr, top: bool = False) -> str:
            if isinstance(n, ast.Constant):
                return fmt_num(n.value)
            if isinstance(n, ast.Name):
                return labels.get(n.id, n.id)
            if isinstance(n, ast.UnaryOp):
                return f"−{render(n.operand)}"
            if isinstance(n, ast.BinOp):
                body = f"{render(n.left)}{ops[type(n.op)]}{render(n.right)}"
                return body if top else f"（{body}）"
            raise ExprError(f"unsupported expression {ast.dump(n)}")

        return render(self.tree, top=True)

    def excel(self, ref: Callable[[str], str]) -> str:
        """Excel formula text (without '=') with ``ref(name)`` giving each cell reference."""

        def render(n: ast.expr) -> str:
            if isinstance(n, ast.Constant):
                return fmt_num(n.value)
            if isinstance(n, ast.Name):
                return ref(n.id)
            if isinstance(n, ast.UnaryOp):
                return f"(-{render(n.operand)})"
            if isinstance(n, ast.BinOp):
                return f"({render(n.left)}{_BINOPS[type(n.op)]}{render(n.right)})"
            raise ExprError(f"unsupported expression {ast.dump(n)}")

        body = render(self.tree)
        refs = ",".join(ref(n) for n in self.names)
        if not refs:
            return body
        bound = f'IF(ABS({body})<={MAX_MAGNITUDE_TEXT},{body},"")'
        return f'IF(COUNT({refs})<{len(self.names)},"",IFERROR({bound},""))'


class _Blank(Exception):
    pass


def parse(text: str) -> Expr:
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as e:
        raise ExprError(f"无法解析计算式“{text}”（{e.msg}）") from None
    for n in ast.walk(tree):
        ok = isinstance(n, (ast.Name, ast.Load, ast.BinOp, ast.UnaryOp, ast.USub)) or type(n) in _BINOPS
        if isinstance(n, ast.Constant):
            ok = isinstance(n.value, (int, float)) and not isinstance(n.value, bool)
        if not ok:
            raise ExprError(f"计算式“{text}”中有不允许的内容（{type(n).__name__}）：只能用数字、编号、+ - * / 和括号")
    return Expr(text, tree)
