"""Read an authoring workbook (指标体系.xlsx) into template data, XLSForm-style.

Sheets are found by name (did-you-mean for a misspelt one), columns by header in any order
(aliases and full-width forms accepted, unknown columns ignored), blank rows skipped, cached
values read so that cells may hold formulas. Every problem is collected, not only the first,
each with a stable code and the place the bureau sees: ``[指标体系 第12行 分值] …；请…``.
Where 计分方法 is blank the rule is read from the 评分标准 text (``rubric.read``); what was
understood is returned per row so that it can be shown for confirmation.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import rubric
from ..expr import ExprError
from ..expr import parse as parse_expr
from ..rules import RULES
from ..rules.text import ParamError
from ..rules.text import fold as fold_text
from ..tables import TableError, _blank, _sheets, fold
from . import spec as S

ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
MAX_BYTES = 20_000_000  # an authoring workbook is a few hundred KB
TOTAL_NAMES = {"合计", "总计", "总分", "小计", "合计分值"}
OPS = {"≥": ">=", "≤": "<=", "=": "=", ">": ">=", "<": "<="}


@dataclass
class Problem:
    code: str
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    fix: str = ""
    severity: str = "error"

    @property
    def where(self) -> str:
        parts = [self.sheet] + ([f"第{self.row}行"] if self.row else []) + ([self.column] if self.column else [])
        return " ".join(p for p in parts if p)

    def __str__(self) -> str:
        tail = f"；请{self.fix}" if self.fix else ""
        kind = "" if self.severity == "error" else "（提醒）"
        head = f"[{self.where}] " if self.where else ""
        return f"{head}{kind}{self.message}{tail}（{self.code}）"


class AuthoringError(ValueError):
    def __init__(self, source: str, problems: list[Problem], readings: list[RowReading] | None = None):
        self.source = source
        self.problems = problems
        self.readings = readings or []
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class RowReading:
    """What import understood of one 指标体系 row."""

    row: int
    name: str
    reading: str
    from_text: bool  # the rule was read from the 评分标准 text
    problems: list[str] = field(default_factory=list)


@dataclass
class Authored:
    data: dict[str, Any]
    readings: list[RowReading]
    warnings: list[Problem]
    #: template path ($.indicators[0].children[1]) -> (sheet, row) for later messages
    places: dict[str, tuple[str, int]]


def _leaf(node: dict, percent: bool):
    from ..model import Target
    t = node.get("target") or {}
    target = Target(op=t.get("op"), value=t.get("value"), entry=bool(t.get("entry"))) if t else None
    return rubric.leaf_for(node["rule"], node.get("weight") or 0.0, target, percent, node.get("unit", ""))


def _rule_errors(node: dict, percent: bool) -> list[str]:
    """The rule checks' errors for the row (bands that overlap, a level worth more than the 分值, …)."""
    leaf = _leaf(node, percent)
    try:
        return [p.message for p in RULES[node["rule"]["kind"]].check(leaf) if p.severity == "error"]
    except (KeyError, TypeError, ValueError):
        return []


def _describe(node: dict, percent: bool) -> str:
    """The row's rule in plain Chinese (解析结果), from the row alone: shown even while other rows have errors."""
    from ..model import Target
    t = node.get("target") or {}
    target = Target(op=t.get("op"), value=t.get("value"), entry=bool(t.get("entry"))) if t else None
    leaf = rubric.leaf_for(node["rule"], node.get("weight") or 0.0, target, percent, node.get("unit", ""))
    r = RULES[node["rule"]["kind"]]
    if any(p.severity == "error" for p in r.check(leaf)):
        return ""
    try:
        return r.describe(leaf)
    except (KeyError, TypeError, ValueError):
        return ""


def did_you_mean(word: str, options, cutoff: float = 0.6) -> str:
    m = difflib.get_close_matches(fold(word), [fold(o) for o in options], n=1, cutoff=cutoff)
    if not m:
        return ""
    return next(o for o in options if fold(o) == m[0])


def _cell(row: list, cols: dict[str, int], header: str) -> Any:
    """The row's value in the column named ``header``, or None where the sheet has no such column."""
    i = cols.get(header)
    return row[i] if i is not None and i < len(row) else None


def _text(v: Any) -> str:
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []
        self.readings: list[RowReading] = []
        self.places: dict[str, tuple[str, int]] = {}
        self.ids: dict[str, set[str]] = {}

    def err(self, code, message, sheet="", row=None, column="", fix="", severity="error"):
        self.problems.append(Problem(code, message, sheet, row, column, fix, severity))

    # --- sheets and tables ------------------------------------------------------------------
    def sheets(self) -> dict[str, list[list[Any]]]:
        try:
            if self.path.stat().st_size > MAX_BYTES:
                self.err("unreadable-workbook", f"文件超过 {MAX_BYTES // 1_000_000} MB，不像是指标体系工作簿",
                         fix="检查是否选错了文件")
                return {}
            got = _sheets(self.path)
        except OSError:
            self.err("unreadable-workbook", f"无法读取文件 {self.path.name}", fix="检查文件是否存在、是否被其他程序占用")
            return {}
        except TableError as e:
            self.err("unreadable-workbook", str(e))
            return {}
        out = {}
        for name, rows in got:
            out[fold(name)] = rows
        names = [n for n, _ in got]
        for want in (S.SHEET_SYSTEM, S.SHEET_INFO, S.SHEET_GRADES):
            if fold(want) not in out:
                hint = did_you_mean(want, [n for n in names if fold(n) not in {fold(s) for s in S.SHEETS}], 0.5)
                fix = f"把工作表“{hint}”改名为“{want}”" if hint else f"添加名为“{want}”的工作表（可用 templates export 生成样表）"
                self.err("missing-sheet", f"缺少工作表“{want}”", want, fix=fix)
        return out

    def table(self, rows, sheet: str, headers: tuple[str, ...], required: tuple[str, ...],
              aliases: dict[str, tuple[str, ...]] | None = None, need_rows=False):
        """(header row number, {canonical header: column index}, [(row number, cells)])."""
        aliases = aliases or {}
        wanted = {fold(h): h for h in headers}
        for h, al in aliases.items():
            for a in al:
                wanted.setdefault(fold(a), h)
        hrow = None
        for i, r in enumerate(rows[:30]):
            folded = [fold(_text(x)) for x in r]
            if sum(1 for x in folded if x in wanted) >= max(1, min(2, len(required))):
                hrow = i
                break
        if hrow is None:
            self.err("missing-header", f"找不到表头行（需要“{'”“'.join(required)}”列）", sheet,
                     fix="在第一行写上表头（可用 templates export 生成样表参照）")
            return None
        cols: dict[str, int] = {}
        unknown = []
        for c, v in enumerate(rows[hrow]):
            h = _text(v)
            if not h:
                continue
            canon = wanted.get(fold(h))
            if canon is None:
                unknown.append((c, h))
                continue
            if canon in cols:
                self.err("duplicate-column", f"有两列都是“{canon}”", sheet, hrow + 1, h, fix="删除或改名其中一列")
                continue
            cols[canon] = c
        for h in required:
            if h not in cols:
                hint = did_you_mean(h, [u for _, u in unknown])
                fix = f"把列“{hint}”改名为“{h}”" if hint else f"添加“{h}”列"
                self.err("missing-column", f"缺少“{h}”列", sheet, hrow + 1, fix=fix)
        suggested = {p.fix for p in self.problems if p.code == "missing-column"}
        for c, h in unknown:
            hint = did_you_mean(h, list(headers))
            if any(f"“{h}”" in f for f in suggested):
                continue
            if hint and hint not in cols and fold(h) not in {fold(x) for x in S.IGNORED}:
                self.err("unknown-column", f"不认识的列“{h}”，已忽略", sheet, hrow + 1, h, fix=f"如果是“{hint}”，请改成“{hint}”",
                         severity="warning")
        body = [(i + 1, r) for i, r in enumerate(rows) if i > hrow and not all(_blank(r[c]) if c < len(r) else True
                                                                                 for c in cols.values())]
        return hrow + 1, cols, body

    # --- 指标体系 -------------------------------------------------------------------------------
    def system(self, rows, inputs, derived) -> list[dict]:
        sh = S.SHEET_SYSTEM
        level_aliases = {}
        for k, name in enumerate(S.LEVELS, 1):
            short = name.removesuffix("指标")
            level_aliases[name] = (short, name + "名称", short + "指标名称")
            level_aliases[S.level_weight(k)] = (name + "分值", short + "权重", name + "权重")
            level_aliases[S.level_explanation(k)] = (short + "解释",)
            level_aliases[short + "编号"] = (name + "编号",)
        headers = tuple(list(S.LEVELS) + [S.level_weight(k) for k in range(1, 5)] + [S.level_explanation(k) for k in range(1, 5)]
                        + [x.removesuffix("指标") + "编号" for x in S.LEVELS] + [h for h, _ in S.LEAF_COLUMNS])
        aliases = dict(level_aliases)
        aliases.update({h: al for h, al in S.LEAF_COLUMNS})
        rows = _level_weights_by_position(rows, aliases)
        t = self.table(rows, sh, headers, ("一级指标", "分值", "评分标准"), aliases)
        if t is None:
            return []
        hrow, cols, body = t
        self._cols = cols
        depth = 0
        while depth < len(S.LEVELS) and S.LEVELS[depth] in cols:
            depth += 1
        if depth == 0:
            return []
        for k in range(depth, len(S.LEVELS)):
            if S.LEVELS[k] in cols:
                self.err("level-gap", f"有“{S.LEVELS[k]}”列却没有“{S.LEVELS[depth]}”列", sh, hrow, S.LEVELS[k],
                         fix=f"添加“{S.LEVELS[depth]}”列")

        def cell(r, h):
            return _cell(r, cols, h)

        top: list[dict] = []
        self._top = top
        stack: list[dict | None] = [None] * depth
        for rownum, r in body:
            names = [_text(cell(r, S.LEVELS[k])) for k in range(depth)]
            if any(n in TOTAL_NAMES for n in names if n) and not any(n and n not in TOTAL_NAMES for n in names):
                continue
            filled = [k for k, n in enumerate(names) if n]
            if not filled and any(fold(_text(x)) in {fold(n) for n in TOTAL_NAMES} for x in r):
                continue  # a 合计 row
            if not filled:
                if any(not _blank(cell(r, h)) for h in ("分值", "评分标准", "计分方法")):
                    self.err("no-name", "这一行没有指标名称", sh, rownum, S.LEVELS[depth - 1],
                             fix="填写指标名称，或删除这一行")
                continue
            deepest = filled[-1]
            if self._ancestors(r, cell, names, deepest, stack, sh, rownum):
                parent = stack[deepest - 1] if deepest else None
                leaf = self.leaf(r, cell, names[deepest], deepest + 1, sh, rownum, inputs, derived)
                (parent["children"] if parent else top).append(leaf)
                stack[deepest] = leaf
                for j in range(deepest + 1, depth):
                    stack[j] = None
        self._finish(top, sh)
        return top

    def _ancestors(self, r, cell, names, deepest, stack, sh, rownum) -> bool:
        """Open or continue the row's parent groups; False (with an error) when the row has no place."""
        changed = False
        for k in range(deepest):
            level = S.LEVELS[k]
            if names[k]:
                cur = stack[k]
                if not changed and cur is not None and cur["name"] == names[k]:
                    if cur.get("_leaf"):
                        self.err("leaf-with-children", f"“{cur['name']}”已是计分项，不能再有下级", sh, rownum, level,
                                 fix="把它的计分内容移到下级，或删除下级")
                        return False
                    self._weight_again(cur, r, cell, k + 1, sh, rownum)
                    continue
                changed = True
                parent = stack[k - 1] if k else None
                if k and parent is None:
                    self.err("missing-parent", f"“{names[k]}”上面没有{S.LEVELS[k - 1]}", sh, rownum, S.LEVELS[k - 1],
                             fix=f"填写{S.LEVELS[k - 1]}名称")
                    return False
                node = {"name": names[k], "children": [], "_row": rownum, "_depth": k + 1}
                self._parent_fields(node, r, cell, k + 1, sh, rownum)
                (parent["children"] if parent is not None else self._top).append(node)
                stack[k] = node
                for j in range(k + 1, len(stack)):
                    stack[j] = None
            else:
                cur = stack[k]
                if changed or cur is None:
                    self.err("missing-parent", f"“{names[deepest]}”上面没有{level}", sh, rownum, level,
                             fix=f"填写{level}名称（同一组的第一行要写上级名称）")
                    return False
                if cur.get("_leaf"):
                    self.err("leaf-with-children", f"“{cur['name']}”已是计分项，不能再有下级", sh, rownum, S.LEVELS[k + 1],
                             fix="把它的计分内容移到下级，或删除下级")
                    return False
                self._weight_again(cur, r, cell, k + 1, sh, rownum)
        return True

    def _weight_again(self, node, r, cell, depth, sh, rownum):
        w = cell(r, S.level_weight(depth))
        if _blank(w) or node.get("_weight_given") is None:
            return
        v = self.number(w, sh, rownum, S.level_weight(depth))
        if v is not None and abs(v - node["_weight_given"]) > 1e-9:
            self.err("weight-conflict", f"“{node['name']}”的分值前面写的是{node['_weight_given']:g}，这里是{v:g}", sh, rownum,
                     S.level_weight(depth), fix="只在该组第一行写分值，下面的行留空")

    def _parent_fields(self, node, r, cell, depth, sh, rownum):
        w = cell(r, S.level_weight(depth))
        if not _blank(w):
            node["_weight_given"] = self.number(w, sh, rownum, S.level_weight(depth))
        ex = _text(cell(r, S.level_explanation(depth)))
        if ex:
            node["explanation"] = ex
        node["_id"] = _text(cell(r, S.LEVELS[depth - 1].removesuffix("指标") + "编号"))

    def number(self, v, sheet, row, column, percent=False) -> float | None:
        if isinstance(v, bool) or _blank(v):
            self.err("not-a-number", f"“{_text(v)}”不是数字", sheet, row, column, fix="填写数字")
            return None
        if isinstance(v, (int, float)):
            return float(v)
        s = fold_text(v)
        m = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)(%?)(?:分)?", s)
        if not m:
            self.err("not-a-number", f"“{v}”不是数字", sheet, row, column, fix="填写数字，如 10 或 2.5")
            return None
        x = float(m.group(1))
        return x / 100 if m.group(2) else x

    def leaf(self, r, cell, name, depth, sh, rownum, inputs, derived) -> dict:
        node: dict[str, Any] = {"name": name, "_row": rownum, "_depth": depth, "_leaf": True}
        w = cell(r, "分值")
        weight = self.number(w, sh, rownum, "分值") if not _blank(w) else None
        if _blank(w):
            self.err("missing-weight", f"“{name}”没有分值", sh, rownum, "分值", fix="填写分值")
        elif weight is not None and weight < 0:
            self.err("negative-weight", f"分值{weight:g}小于0", sh, rownum, "分值", fix="填写不小于0的分值")
        node["weight"] = weight if weight is not None else 0.0
        node["_id"] = _text(cell(r, "编号"))
        for h, key in (("评分标准", "criteria"), ("指标解释", "explanation"), ("单位", "unit"), ("说明", "note")):
            v = _text(cell(r, h))
            if v:
                node[key] = v
        unit = node.get("unit", "")
        percent = unit in ("%", "％")
        if percent:
            node["unit"] = "%"
        target = self.target(cell(r, "年度指标值"), percent, sh, rownum)
        if target is not None:
            node["target"] = target
        src = _text(cell(r, "实际值来源"))
        if src:
            node["actual"] = self.source(src, inputs, derived, sh, rownum)
            ref_type = self._ref_type(node["actual"], inputs, derived)
            percent = ref_type == "percent"
        elif percent:
            node["value_type"] = "percent"
        kind_text = _text(cell(r, "计分方法"))
        params = _text(cell(r, "参数"))
        if kind_text:
            kind = S.RULE_NAMES.get(kind_text) or S.RULE_ALIASES.get(kind_text) or (kind_text if kind_text in RULES and RULES[kind_text].authoring else None)
            if kind is None:
                hint = did_you_mean(kind_text, list(S.RULE_NAMES))
                self.err("unknown-rule", f"不认识的计分方法“{kind_text}”", sh, rownum, "计分方法",
                         fix=f"改为“{hint}”" if hint else f"从下拉列表选择（{'、'.join(S.RULE_NAMES)}）")
                node["rule"] = {"kind": "manual"}
            else:
                words = ""
                try:
                    node["rule"] = RULES[kind].parse_params(params, percent, weight=node.get("weight"))
                    for m in _rule_errors(node, percent):  # found now, with the row's other errors, not on a later run
                        self.err("bad-params", m, sh, rownum, "参数", fix="按“使用说明”表中的示例填写参数")
                    words = _describe(node, percent)
                except ParamError as e:
                    self.err("bad-params", str(e), sh, rownum, "参数", fix="按“使用说明”表中的示例填写参数")
                    node["rule"] = {"kind": "manual"}
                self.readings.append(RowReading(rownum, name, words, False))
        elif params:
            self.err("params-without-rule", "写了参数却没有选计分方法", sh, rownum, "计分方法", fix="选择计分方法，或清空参数")
            node["rule"] = {"kind": "manual"}
        elif "评分标准" not in self._cols:
            node["rule"] = {"kind": "manual"}  # the missing column is reported once, not on every row
        else:
            t = node.get("target") or {}
            got = rubric.read(node.get("criteria", ""), node["weight"], t.get("op"), t.get("value"), percent, unit)
            rr = RowReading(rownum, name, got.reading, True, list(got.problems))
            self.readings.append(rr)
            if not got.recognised:
                self.err("rubric-unreadable", got.reading, sh, rownum, "评分标准",
                         fix="在“计分方法”中选择计分方法并填写参数，或改写评分标准")
                node["rule"] = {"kind": "manual"}
            elif got.kind == "items":
                self.err("rubric-items", "评分标准中①②③各项分值不同，一个计分项只能有一种计分方法", sh, rownum, "评分标准",
                         fix="把各项拆成下一级的评分要点（每项一行，计分方法选“是否判断”）")
                node["rule"] = {"kind": "manual"}
            else:
                node["rule"] = got.rule
                if "target" not in node and got.target is not None and got.target.value is not None:
                    node["target"] = {"op": got.target.op, "value": got.target.value}
                elif "target" in node and "op" not in node["target"] and got.target is not None and got.target.op:
                    node["target"]["op"] = got.target.op  # the direction the reading states (shown in 解析结果)
                for p in got.problems:
                    self.err("rubric-defect", p, sh, rownum, "评分标准", fix="核对评分标准", severity="warning")
        return node

    def target(self, v, percent, sh, rownum) -> dict | None:
        if _blank(v):
            return None
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if percent and abs(v) > 10:
                self.err("percent-without-sign", f"年度指标值{v:g}按百分比计应带%", sh, rownum, "年度指标值",
                         fix=f"写成 ≥{v:g}%")
                return None
            return {"value": float(v)}
        s = fold_text(v)
        m = re.fullmatch(rf"(≥|≤|=|>|<)?\(?{S.ENTRY_TARGET}\)?", s)
        if m:
            return {"op": OPS[m.group(1)], "entry": True} if m.group(1) else {"entry": True}
        m = re.fullmatch(r"(≥|≤|=|>|<)?([+-]?\d+(?:\.\d+)?)(%?)", s)
        if m:
            x = float(m.group(2))
            if m.group(3):
                x = x / 100
            elif percent and x != 0:
                self.err("percent-without-sign", f"年度指标值“{v}”按百分比计应带%", sh, rownum, "年度指标值",
                         fix=f"写成 {m.group(1) or ''}{m.group(2)}%")
                return None
            out: dict[str, Any] = {"value": round(x, 12)}
            if m.group(1):
                out["op"] = OPS[m.group(1)]
            return out
        return {"text": str(v).strip()}

    def source(self, text, inputs, derived, sh, rownum) -> dict:
        sheet, _, label = str(text).strip().replace(":", "：").rpartition("：")
        sheet = fold(sheet)
        by_input = {fold(i["label"]): i["id"] for i in inputs}
        by_derived = {fold(d["label"]): d["id"] for d in derived}
        key = fold(label)
        if sheet in ("", fold(S.SHEET_DERIVED)) and key in by_derived:
            return {"derived": by_derived[key]}
        if sheet in ("", fold(S.SHEET_INPUTS)) and key in by_input:
            return {"input": by_input[key]}
        options = [i["label"] for i in inputs] + [d["label"] for d in derived]
        hint = did_you_mean(label, options)
        self.err("unknown-source", f"找不到实际值来源“{text}”", sh, rownum, "实际值来源",
                 fix=f"改为“{hint}”" if hint else "从下拉列表选择基础数据或计算指标，或留空由部门填写")
        return {}

    @staticmethod
    def _ref_type(actual, inputs, derived) -> str:
        for i in inputs:
            if actual.get("input") == i["id"]:
                return i.get("type", "number")
        for d in derived:
            if actual.get("derived") == d["id"]:
                return d.get("type", "percent")
        return "number"

    def _finish(self, top: list[dict], sh: str):
        """Ids, weights of parents (given, or the sum of their items), duplicate names."""
        def walk(nodes, path, prefix):
            names: dict[str, int] = {}
            for i, n in enumerate(nodes):
                p = f"{path}[{i}]"
                self.places[p] = (sh, n["_row"])
                if n["name"] in names:
                    col = S.LEVELS[n["_depth"] - 1]
                    self.err("duplicate-name", f"同一上级下有两个“{n['name']}”（另一个在第{names[n['name']]}行）", sh, n["_row"],
                             col, fix="改名或合并")
                names.setdefault(n["name"], n["_row"])
                n["id"] = self.new_id(n.pop("_id", ""), f"{prefix}{i + 1}", sh, n["_row"])
                if n.get("children"):
                    walk(n["children"], p + ".children", f"{prefix}{i + 1}_")
                    total = sum(c["weight"] for c in n["children"])
                    given = n.pop("_weight_given", None)
                    if given is not None and abs(given - total) > 1e-6:
                        self.err("weight-mismatch", f"“{n['name']}”的分值{given:g}与下级合计{total:g}不符", sh, n["_row"],
                                 S.level_weight(n["_depth"]), fix="调整分值，使上级分值等于下级分值之和")
                    n["weight"] = given if given is not None else round(total, 9)
                else:
                    n.pop("children", None)
                    given = n.pop("_weight_given", None)
                    n.setdefault("weight", given or 0.0)
                for k in ("_row", "_depth", "_leaf"):
                    n.pop(k, None)

        walk(top, "$.indicators", "i")
        total = sum(n["weight"] for n in top)
        if top and abs(total - 100) > 1e-6:
            self.err("total-not-100", f"一级指标分值合计{total:g}，不是100", sh, None, "", fix="调整分值，使总分为100")

    def new_id(self, given: str, fallback: str, sheet: str, row: int) -> str:
        """An id for the row: the 编号 given, or ``fallback``; unique within the sheet's kind of thing."""
        ids = self.ids.setdefault(sheet, set())
        if given and not ID_RE.match(given):
            self.err("bad-id", f"编号“{given}”只能用英文字母、数字和下划线，并以字母开头", sheet, row, "编号",
                     fix="清空编号由程序生成", severity="warning")
            given = ""
        if given and given in ids:
            self.err("duplicate-id", f"编号“{given}”重复", sheet, row, "编号", fix="清空编号由程序生成")
        out = given or fallback
        while out in ids:
            out += "_"
        ids.add(out)
        return out

    # --- the small sheets -------------------------------------------------------------------
    def inputs(self, rows) -> list[dict]:
        sh = S.SHEET_INPUTS
        t = self.table(rows, sh, S.INPUT_HEADERS, ("名称",), {"名称": ("项目", "数据项", "指标名称")}) if rows else None
        if t is None:
            return []
        _, cols, body = t
        names = {v: k for k, v in S.INPUT_TYPE_NAMES.items()}
        out = []
        for rownum, r in body:
            def c(h, r=r):
                return _cell(r, cols, h)
            label = _text(c("名称"))
            if not label:
                self.err("no-name", "这一行没有名称", sh, rownum, "名称", fix="填写名称，或删除这一行")
                continue
            typ_text = _text(c("类型")) or "数值"
            typ = names.get(typ_text) or (typ_text if typ_text in S.INPUT_TYPE_NAMES else None)
            if typ is None:
                self.err("bad-type", f"不认识的类型“{typ_text}”", sh, rownum, "类型", fix=f"从下拉列表选择（{'、'.join(names)}）")
                typ = "number"
            d: dict[str, Any] = {"id": self.new_id(_text(c("编号")), f"in{len(out) + 1}", sh, rownum), "label": label, "type": typ}
            if _text(c("单位")):
                d["unit"] = _text(c("单位"))
            for h, key in (("最小值", "min"), ("最大值", "max")):
                if not _blank(c(h)):
                    v = self.number(c(h), sh, rownum, h)
                    if v is not None:
                        d[key] = v
            if _text(c("选项")):
                d["choices"] = [x for x in re.split(r"[、,，;；]", _text(c("选项"))) if x]
            if _text(c("必填")) == "否":
                d["required"] = False
            if _text(c("说明")):
                d["help"] = _text(c("说明"))
            self.places[f"$.inputs[{len(out)}]"] = (sh, rownum)
            out.append(d)
        self._unique([d["label"] for d in out], sh)
        return out

    def _unique(self, labels, sh):
        seen = set()
        for lab in labels:
            if lab in seen:
                self.err("duplicate-name", f"名称“{lab}”重复", sh, None, "名称", fix="改名")
            seen.add(lab)

    def derived(self, rows, inputs) -> list[dict]:
        sh = S.SHEET_DERIVED
        t = self.table(rows, sh, S.DERIVED_HEADERS, ("名称", "计算式"), {"计算式": ("公式", "计算公式")}) if rows else None
        if t is None:
            return []
        _, cols, body = t
        by_label = {i["label"]: i["id"] for i in inputs}
        out = []
        rows_ok = []
        for rownum, r in body:
            def c(h, r=r):
                return _cell(r, cols, h)
            label, text = _text(c("名称")), _text(c("计算式"))
            if not label or not text:
                self.err("incomplete-row", "名称和计算式都要填写", sh, rownum, "计算式" if label else "名称", fix="补全或删除这一行")
                continue
            ident = self.new_id(_text(c("编号")), f"calc{len(rows_ok) + 1}", sh, rownum)
            rows_ok.append((rownum, c, label, text, ident))
        names = dict(by_label) | {label: ident for _, _, label, _, ident in rows_ok}
        for rownum, c, label, text, ident in rows_ok:
            expr = self.expression(text, names, sh, rownum)
            typ = {v: k for k, v in S.DERIVED_TYPES.items()}.get(_text(c("类型")) or "百分比", "percent")
            d = {"id": ident, "label": label, "expr": expr, "type": typ}
            if _text(c("单位")):
                d["unit"] = _text(c("单位"))
            if _text(c("说明")):
                d["help"] = _text(c("说明"))
            self.places[f"$.derived[{len(out)}]"] = (sh, rownum)
            out.append(d)
        self._unique([d["label"] for d in out], sh)
        return out

    def expression(self, text: str, by_label: dict[str, str], sh: str, rownum: int) -> str:
        s = str(text)
        for a, b in (("＋", "+"), ("－", "-"), ("−", "-"), ("×", "*"), ("＊", "*"), ("÷", "/"), ("／", "/"), ("（", "("),
                     ("）", ")"), ("［", "【"), ("］", "】"), ("％", "%")):
            s = s.replace(a, b)

        def bracketed(m):
            lab = m.group(1)
            if lab in by_label:
                return f" {by_label[lab]} "
            hint = did_you_mean(lab, list(by_label))
            self.err("unknown-name", f"计算式中的“{lab}”不是基础数据或计算指标的名称", sh, rownum, "计算式",
                     fix=f"改为“{hint}”" if hint else "先在基础数据表中添加它")
            return " 0 "

        s = re.sub(r"【([^】]*)】", bracketed, s)
        for lab in sorted(by_label, key=len, reverse=True):
            s = s.replace(lab, f" {by_label[lab]} ")
        s = re.sub(r"(\d+(?:\.\d+)?)%", r"(\1/100)", s).strip()
        try:
            e = parse_expr(s)
        except ExprError:
            self.err("bad-expression", f"计算式“{text}”看不懂", sh, rownum, "计算式",
                     fix="只用基础数据的名称、数字、+ - × / 和括号，名称可写在【】中")
            return "0"
        unknown = [n for n in e.names if n not in by_label.values()]
        if unknown:
            self.err("unknown-name", f"计算式“{text}”中有不认识的名称", sh, rownum, "计算式", fix="名称要与基础数据表中的名称完全一致，可写在【】中")
            return "0"
        return " ".join(s.split())

    def grades(self, rows) -> list[dict]:
        sh = S.SHEET_GRADES
        t = self.table(rows, sh, S.GRADE_HEADERS, S.GRADE_HEADERS, {"等级": ("等次", "评价等级"), "最低分": ("分数下限", "下限")}) if rows else None
        if t is None:
            return []
        _, cols, body = t
        out = []
        for rownum, r in body:
            name = _text(r[cols["等级"]]) if "等级" in cols else ""
            v = self.number(r[cols["最低分"]], sh, rownum, "最低分") if "最低分" in cols else None
            if name and v is not None:
                out.append({"name": name, "min": v})
        if not out:
            self.err("no-grades", "没有评价等级", sh, fix="至少写一个等级（如 优 90、良 80、中 60、差 0）")
        return out

    def info(self, rows) -> dict[str, Any]:
        sh = S.SHEET_INFO
        t = self.table(rows, sh, S.INFO_HEADERS, S.INFO_HEADERS) if rows else None
        out: dict[str, Any] = {k: [] for k in S.LIST_FIELDS}
        if t is None:
            return out
        _, cols, body = t
        keys = {name: key for key, name in S.INFO_FIELDS}
        for rownum, r in body:
            name = _text(r[cols["项目"]]) if cols.get("项目") is not None else ""
            value = r[cols["内容"]] if cols.get("内容") is not None and cols["内容"] < len(r) else None
            key = keys.get(name)
            if key is None:
                hint = did_you_mean(name, list(keys))
                self.err("unknown-field", f"不认识的项目“{name}”", sh, rownum, "项目", fix=f"改为“{hint}”" if hint else "删除这一行")
                continue
            if key in S.LIST_FIELDS:
                if _text(value):
                    out[key].append(_text(value))
            else:
                out[key] = value
        for key, name in S.INFO_FIELDS[:5]:
            if _blank(out.get(key)):
                self.err("missing-field", f"缺少“{name}”", sh, None, "内容", fix=f"填写{name}")
        return out

    def layout(self, rows, inputs, derived) -> dict[str, Any]:
        sh = S.SHEET_LAYOUT
        out: dict[str, Any] = {}
        if not rows:
            return out
        labels = {i["label"]: i["id"] for i in inputs} | {d["label"]: d["id"] for d in derived}
        columns, budget, title = [], [], None
        mode = None
        for i, r in enumerate(rows):
            cells = [_text(x) for x in r] + [""] * 5
            if cells[0] == S.LAYOUT_HEADERS[0]:
                mode = "columns"
                continue
            if cells[0] == S.BUDGET_HEADERS[0]:
                mode = "budget"
                continue
            if cells[0] == "资金表标题":
                title = cells[1]
                continue
            if not any(cells):
                continue
            if mode == "columns":
                key = S.column_key(cells[0])
                if key is None:
                    hint = did_you_mean(cells[0], list(S.COLUMN_NAMES.values()) + list(S.LEVELS))
                    self.err("unknown-layout-column", f"不认识的列内容“{cells[0]}”", sh, i + 1, "列内容",
                             fix=f"改为“{hint}”" if hint else "删除这一行")
                    continue
                width = self.number(r[2], sh, i + 1, "列宽") if len(r) > 2 and not _blank(r[2]) else 10
                columns.append({"key": key, "header": cells[1] or cells[0], "width": width or 10})
            elif mode == "budget":
                row = {"label": cells[0]}
                for key, h, v in zip(S.BUDGET_KEYS[1:], S.BUDGET_HEADERS[1:], cells[1:5]):
                    if v:
                        if v not in labels:
                            self.err("unknown-source", f"资金表引用的“{v}”不是基础数据或计算指标的名称", sh, i + 1, h,
                                     fix="与基础数据、计算指标表中的名称保持一致")
                            continue
                        row[key] = labels[v]
                budget.append(row)
        if columns:
            out["columns"] = columns
        if budget:
            out["budget_block"] = {"title": title or "部门资金（万元）", "rows": budget}
        return out

    def checks(self, rows, inputs) -> list[dict]:
        sh = S.SHEET_CHECKS
        t = self.table(rows, sh, S.CHECK_HEADERS, ("核对方式", "项目", "对比项目")) if rows else None
        if t is None:
            return []
        _, cols, body = t
        by_label = {i["label"]: i["id"] for i in inputs}
        kinds = {v: k for k, v in S.CHECK_KINDS.items()}
        out = []
        for rownum, r in body:
            def c(h, r=r):
                return _cell(r, cols, h)
            kind = kinds.get(_text(c("核对方式")))
            if kind is None:
                self.err("bad-check", f"核对方式“{_text(c('核对方式'))}”应为 不大于 或 合计等于", sh, rownum, "核对方式",
                         fix="从下拉列表选择")
                continue
            items = [x for x in re.split(r"[+＋]", _text(c("项目"))) if x]
            refs = []
            for lab in items + [_text(c("对比项目"))]:
                if lab not in by_label:
                    self.err("unknown-name", f"“{lab}”不是基础数据的名称", sh, rownum, "项目", fix="与基础数据表中的名称保持一致")
                refs.append(by_label.get(lab, lab))
            if kind == "le":
                d = {"kind": "le", "left": refs[0], "right": refs[-1]}
                if not _blank(c("系数")):
                    d["factor"] = self.number(c("系数"), sh, rownum, "系数") or 1.0
            else:
                d = {"kind": "sum", "parts": refs[:-1], "total": refs[-1]}
                if not _blank(c("容差")):
                    d["tolerance"] = self.number(c("容差"), sh, rownum, "容差") or 0.01
            self.places[f"$.checks[{len(out)}]"] = (sh, rownum)
            out.append(d)
        return out


_WEIGHT_NAMES = {fold(x) for x in ("分值", "权重", "赋分值", "标准分值", "指标分值")}


def _level_weights_by_position(rows, aliases) -> list:
    """Seed tables repeat one header: 一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值. A 分值 column right after
    a level's name column is that level's weight, except after the deepest level, where it is the item's 分值."""
    level_of = {fold(name): k for k, name in enumerate(S.LEVELS, 1)}
    for k, name in enumerate(S.LEVELS, 1):
        for a in aliases.get(name, ()):
            level_of[fold(a)] = k
    for i, r in enumerate(rows[:30]):
        folded = [fold(_text(x)) for x in r]
        if sum(1 for x in folded if x in _WEIGHT_NAMES) < 2:
            continue
        levels = [(c, level_of[x]) for c, x in enumerate(folded) if x in level_of]
        if not levels:
            continue
        deepest = max(k for _, k in levels)
        out = list(r)
        for c, k in levels:
            if c + 1 < len(folded) and folded[c + 1] in _WEIGHT_NAMES and k < deepest:
                out[c + 1] = S.level_weight(k)
        return rows[:i] + [out] + rows[i + 1:]
    return rows


def read_workbook(path: Path) -> Authored:
    """Template data from an authoring workbook; raises ``AuthoringError`` with every error found."""
    r = _Reader(Path(path))
    sheets = r.sheets()
    get = lambda name: sheets.get(fold(name), [])  # noqa: E731
    info = r.info(get(S.SHEET_INFO)) if fold(S.SHEET_INFO) in sheets else {}
    inputs = r.inputs(get(S.SHEET_INPUTS))
    derived = r.derived(get(S.SHEET_DERIVED), inputs)
    indicators = r.system(get(S.SHEET_SYSTEM), inputs, derived) if fold(S.SHEET_SYSTEM) in sheets else []
    grades = r.grades(get(S.SHEET_GRADES)) if fold(S.SHEET_GRADES) in sheets else []
    layout = r.layout(get(S.SHEET_LAYOUT), inputs, derived)
    checks = r.checks(get(S.SHEET_CHECKS), inputs)
    errors = [p for p in r.problems if p.severity == "error"]
    if errors:
        raise AuthoringError(str(path), errors + [p for p in r.problems if p.severity != "error"], r.readings)
    tid = _text(info.get("id"))
    stem = Path(path).stem
    if not tid and ID_RE.match(stem):
        tid = stem  # one key: the file name is the 编号 where 基本信息 leaves it blank
    data: dict[str, Any] = {"id": tid, "title": _text(info.get("title")), "region": _text(info.get("region")),
                            "year": _year(info.get("year")), "version": _text(info.get("version")) or "1.0",
                            "indicators": indicators, "grades": grades, "inputs": inputs, "derived": derived}
    if _text(info.get("description")):
        data["description"] = _text(info["description"])
    for key in ("guide_notes", "decisions"):
        if info.get(key):
            data[key] = info[key]
    when = {v: k for k, v in S.REASON_WHEN.items()}.get(_text(info.get("reason_when")))
    if when and when != "not-achieved":
        data["reason_when"] = when
    if not _blank(info.get("reason_min_length")):
        try:
            data["reason_min_length"] = int(float(info["reason_min_length"]))
        except (TypeError, ValueError):
            pass
    if checks:
        data["checks"] = checks
    lay = dict(layout)
    if _text(info.get("layout_title")):
        lay["title"] = _text(info["layout_title"])
    if info.get("layout_notes"):
        lay["notes"] = info["layout_notes"]
    if lay:
        data["layout"] = lay
    return Authored(data, r.readings, [p for p in r.problems if p.severity != "error"], r.places)


def problem_counts(problems: list[Problem]) -> tuple[int, int]:
    """(errors, reminders): a 提醒 is never counted as an error."""
    n = sum(1 for p in problems if p.severity == "error")
    return n, len(problems) - n


def _year(v) -> Any:
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return _text(v)
