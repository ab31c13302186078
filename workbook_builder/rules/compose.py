"""`compose`: a rule built from parts (rules/parts/): the values it reads, a main score, deductions
with their own caps and a 不适用 choice. See rules/parts/__init__.py for the model.

Slots: the first value is ``actual`` (so it may come from 基础数据 like any rule's), the others
``value2``, ``value3``…; ``na`` is the 适用/不适用 choice; ``score`` the 自评分 typed where an outcome
is a range. The 参数 text is ``键=值`` items separated by ``；``::

    数值=覆盖率(%)、回访次数；条件=覆盖率≥95%且回访次数≥2:满分，覆盖率≥80%或回访次数≥1:50%，其他:0分
    数值=完成率(%)、问题(项)；按差扣分=完成率低于100%每1%扣1分；计数扣分=问题每项扣0.5分，最多扣3分
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..model import Input
from ..numeric import SCORE_DECIMALS, VALUE_DECIMALS, as_text, as_value, fmt_num, valid_number_excel, xl_round
from . import parts as P
from .base import Problem, Rule, Slot, xl_text
from .parts import na as NA
from .parts.bands import Bands
from .parts.base import Base
from .parts.conditions import Conditions
from .parts.count import Count
from .parts.formula import Formula
from .parts.levels import Levels
from .parts.steps import Steps
from .text import ParamError, fold, parse_num, split_items

#: the UDF WB_COMPOSE's value arguments: value1…value4, then 不适用, then 自评分
MAX_UDF_VALUES = 4
PARTS: dict[str, P.Part] = {p.key: p for p in (Base(), Bands(), Conditions(), Levels(), Formula(), Steps(), Count())}
BY_PARAM = {p.param_key: p for p in PARTS.values()}
TYPES = {"percent": "%", "number": "", "integer": "项", "level": "等级", "flag": "是否"}
YES_NO = ("是", "否")
TYPE_WORDS = {"%": "percent", "百分比": "percent", "项": "integer", "个": "integer", "次": "integer", "整数": "integer",
              "等级": "level", "数值": "number", "是否": "flag"}
VALUE_SCHEMA = {"type": "object", "required": ["name"], "additionalProperties": False,
                "properties": {"name": {"type": "string", "minLength": 1}, "type": {"enum": list(TYPES)},
                               "unit": {"type": "string"}}}


class Comp:
    """A composition dict with the look-ups its parts need (names, types, numbers as typed)."""

    def __init__(self, rule: Mapping[str, Any] | None, percent_default: bool = False):
        self.rule = dict(rule or {})
        self.values: list[dict] = [dict(v) for v in self.rule.get("values", [])]
        self.percent_default = percent_default
        self.strict = "values" in self.rule

    @property
    def names(self) -> list[str]:
        return [v["name"] for v in self.values]

    def type(self, name: str) -> str:
        return next((v.get("type", "number") for v in self.values if v["name"] == name), "number")

    def percent(self, name: str) -> bool:
        return self.type(name) == "percent"

    def is_level(self, name: str) -> bool:
        return self.type(name) == "level"

    def name(self, text: str, type_: str | None = None) -> str:
        n = fold(text)
        if n not in self.names:
            if self.strict:
                raise ParamError(f"“{n}”不是本项的数值（可用：{'、'.join(self.names) or '无'}）")
            self.values.append({"name": n, "type": type_ or ("percent" if self.percent_default else "number")})
        return n

    def value_of(self, name: str, text: str) -> float:
        s = fold(text)
        if s.endswith("%"):
            if not self.strict and not self.percent(name) and self.type(name) == "number":
                next(v for v in self.values if v["name"] == name)["type"] = "percent"
            return parse_num(s, True, name)
        return parse_num(s, False, name)


def parts_of(rule: Mapping[str, Any]) -> list[tuple[P.Part, dict]]:
    out = [(PARTS[rule["score"]["part"]], rule["score"])] if rule.get("score") else []
    return out + [(PARTS[d["part"]], d) for d in rule.get("deduct", [])]


def slot_names(rule: Mapping[str, Any]) -> dict[str, str]:
    """value name → slot name."""
    return {v["name"]: ("actual" if i == 0 else f"value{i + 1}") for i, v in enumerate(rule.get("values", []))}


def level_choices(rule: Mapping[str, Any], name: str) -> tuple[str, ...]:
    for part, p in parts_of(rule):
        if isinstance(part, Levels) and p["value"] == name:
            return tuple(part.names(p))
    return ()


def has_ranges(rule: Mapping[str, Any]) -> bool:
    return any(part.ranges(p) for part, p in parts_of(rule))


class Compose(Rule):
    kind = "compose"
    label = "组合计分"
    udf_name = "WB_COMPOSE"
    udf_help = "组合计分：按评分标准的各部分（条件、分档、等级、计算式、扣分、不适用）计分"

    def rule(self, leaf) -> dict:
        return self.params(leaf)

    # --- slots and entry cells ----------------------------------------------------------------
    def slots(self, leaf):
        q = self.rule(leaf)
        names = slot_names(q)
        out = []
        for v in q.get("values", []):
            t = v.get("type", "number")
            if t == "level":
                out.append(Slot(names[v["name"]], "choice", choices=level_choices(q, v["name"])))
            elif t == "flag":
                out.append(Slot(names[v["name"]], "choice", choices=YES_NO))
            else:
                out.append(Slot(names[v["name"]], t))
        if q.get("na"):
            out.append(Slot("na", "choice", required=False, choices=NA.CHOICES))
        if has_ranges(q):
            out.append(Slot("score", "number", required=False))
        return out

    def extra_columns(self, leaf) -> list[tuple[str, str]]:
        q = self.rule(leaf)
        out = [(f"value{i + 1}", f"数值{i + 1}") for i in range(1, len(q.get("values", [])))]
        return out + ([("na", "是否适用")] if q.get("na") else [])

    def needs_entry_score(self, leaf) -> bool:
        return has_ranges(self.rule(leaf))

    def entry_inputs(self, leaf):
        q = self.rule(leaf)
        names = slot_names(q)
        out = []
        for v in q.get("values", []):
            slot = names[v["name"]]
            if slot == "actual" and leaf.actual and leaf.actual.source != "entry":
                continue
            t = v.get("type", "number")
            choices = list(level_choices(q, v["name"])) if t == "level" else list(YES_NO) if t == "flag" else []
            unit = "%" if t == "percent" else v.get("unit", "项" if t == "integer" else leaf.unit if slot == "actual" else "")
            prompt = {"percent": f"填写{v['name']}（百分比，如 95%）", "integer": f"填写{v['name']}的个数（整数，没有填 0）",
                      "level": f"选择{v['name']}：{'、'.join(choices)}",
                      "flag": f"是否{v['name']}：选“是”或“否”"}.get(t, f"填写{v['name']}（数值）")
            out.append(Input(id=f"{leaf.id}.{slot}", label=f"{leaf.name}·{v['name']}", type="choice" if t in ("level", "flag") else t,
                             unit=unit, min=0 if t == "integer" else None, choices=choices,
                             required=not q.get("na"),  # with a 不适用 choice the values may stay blank
                             help=prompt, leaf=leaf.id, slot=slot))
        if q.get("na"):
            out.append(Input(id=f"{leaf.id}.na", label=f"{leaf.name}·是否适用", type="choice", choices=list(NA.CHOICES),
                             required=False, leaf=leaf.id, slot="na",
                             help="本项不适用（如未安排该项任务）时选“不适用”，按评分标准计分；否则留空或选“适用”"))
        if has_ranges(q):
            out.append(Input(id=f"{leaf.id}.score", label=f"{leaf.name}·自评分", type="number", unit="分", min=0,
                             max=leaf.weight, required=False, leaf=leaf.id, slot="score",
                             help="评分标准给的是分数范围时，在该范围内填写自评分"))
        return out

    # --- checks -----------------------------------------------------------------------------------
    def check(self, leaf):
        q = self.rule(leaf)
        comp = Comp(q)
        out: list[Problem] = []
        if not q.get("score"):
            return [Problem("error", "组合计分需要主计分部分（score：基础分、分档、条件、等级或计算式）")]
        for part, p in parts_of(q):
            if part.role != ("score" if p is q["score"] else "deduct"):
                out.append(Problem("error", f"“{part.label}”不能用在这里"))
                continue
            for n in part.slots(p):
                if n not in comp.names:
                    out.append(Problem("error", f"“{part.label}”用到的“{n}”不在数值（values）里"))
            out += [Problem("error", m) for m in part.check(p, comp, leaf.weight)]
        if q.get("na"):
            out += [Problem("error", m) for m in NA.check(q["na"], leaf.weight)]
        used = {n for part, p in parts_of(q) for n in part.slots(p)}
        for n in comp.names:
            if n not in used:
                out.append(Problem("error", f"数值“{n}”没有用在计分里"))
        return out

    # --- Python face ------------------------------------------------------------------------------
    def values(self, leaf, values):
        q = self.rule(leaf)
        if q.get("na") and as_text(values.get("na")) == NA.NOT_APPLICABLE:
            return {"__na__": True}
        names = slot_names(q)
        env: dict[str, Any] = {}
        for v in q.get("values", []):
            raw = values.get(names[v["name"]])
            if v.get("type") == "level":
                x = as_text(raw)
                if x not in level_choices(q, v["name"]):
                    return None
            elif v.get("type") == "flag":
                x = {"是": 1.0, "否": 0.0}.get(as_text(raw))
                if x is None:
                    return None
            else:
                x = as_value(raw)
                if x is None:
                    return None
                x = xl_round(x, VALUE_DECIMALS)
            env[v["name"]] = x
        s = as_value(values.get("score")) if has_ranges(q) else None
        env["__score__"] = None if s is None else xl_round(s, VALUE_DECIMALS)
        if s is None and has_ranges(q) and PARTS[q["score"]["part"]].py(q["score"], env, leaf.weight) is None:
            return None  # the chosen outcome is a range and no 自评分 is typed yet: blank, as in the workbook
        return env

    def pending_range(self, leaf, values) -> bool:
        """The values choose a range outcome and the 自评分 is still blank (the score is blank until it is typed)."""
        return self.values(leaf, {**values, "score": None}) is None and self.values(leaf, {**values, "score": 0}) is not None

    def score(self, leaf, values):
        v = self.values(leaf, values)
        return None if v is None else self.score_values(leaf, v)

    def score_values(self, leaf, v):
        q, w = self.rule(leaf), leaf.weight
        if v.get("__na__"):
            return xl_round(min(w, max(0.0, NA.py(q["na"], w))), SCORE_DECIMALS)
        main = PARTS[q["score"]["part"]].py(q["score"], v, w)
        for d in q.get("deduct", []):
            main = main - PARTS[d["part"]].py(d, v, w)
        return xl_round(min(w, max(0.0, main)), SCORE_DECIMALS)

    def raw(self, leaf, v):  # the base class's contract; compose scores in score_values
        s = self.score_values(leaf, v)
        return 0.0 if s is None else s

    def score_range(self, leaf, values) -> tuple[float, float] | None:
        """Where the chosen outcome is a range: the final score's range (deductions applied)."""
        q, w = self.rule(leaf), leaf.weight
        v = self.values(leaf, {**values, "score": values.get("score", 0) if values.get("score") is not None else 0})
        if v is None or v.get("__na__"):
            return None
        b = PARTS[q["score"]["part"]].bounds(q["score"], v, w)
        if b is None:
            return None
        d = sum(PARTS[x["part"]].py(x, v, w) for x in q.get("deduct", []))
        return tuple(xl_round(min(w, max(0.0, x - d)), SCORE_DECIMALS) for x in b)

    def score_bounds(self, leaf, sv):
        q, w = self.rule(leaf), leaf.weight
        v = self.values(leaf, sv)
        if v is None or v.get("__na__"):
            return None
        return PARTS[q["score"]["part"]].bounds(q["score"], v, w)

    # --- formula face -----------------------------------------------------------------------------
    def _refs(self, leaf, refs):
        q = self.rule(leaf)
        names = slot_names(q)
        r: dict[str, str] = {}
        blank = []
        for v in q.get("values", []):
            ref = refs[names[v["name"]]]
            if v.get("type") == "level":
                r[v["name"]] = ref
                blank.append(f'NOT(OR({",".join(f"{ref}={xl_text(c)}" for c in level_choices(q, v["name"]))}))')
            elif v.get("type") == "flag":
                r[v["name"]] = f'IF({ref}="是",1,0)'
                blank.append(f'NOT(OR({ref}="是",{ref}="否"))')
            else:
                r[v["name"]] = f"ROUND({ref},{VALUE_DECIMALS})"
                blank.append(f"NOT({valid_number_excel(ref)})")
        if has_ranges(q):
            r["score"] = f"ROUND({refs['score']},{VALUE_DECIMALS})"
            r["score?"] = valid_number_excel(refs["score"])
        return r, blank

    def formula(self, leaf, refs):
        q, w = self.rule(leaf), fmt_num(leaf.weight)
        r, blank = self._refs(leaf, refs)
        raw = PARTS[q["score"]["part"]].xl(q["score"], r, w)
        main = raw + "".join(f"-{PARTS[d['part']].xl(d, r, w)}" for d in q.get("deduct", []))
        body = f"ROUND(MIN({w},MAX(0,{main})),{SCORE_DECIMALS})"
        if has_ranges(q):
            body = f'IF(ISNUMBER({raw}),{body},"")'
        if blank:
            body = f'IF({blank[0] if len(blank) == 1 else "OR(" + ",".join(blank) + ")"},"",{body})'
        if q.get("na"):
            na = f"ROUND(MIN({w},MAX(0,{NA.xl(q['na'], w)})),{SCORE_DECIMALS})"
            body = f'IF({refs["na"]}="{NA.NOT_APPLICABLE}",{na},{body})'
        return body

    # --- Chinese faces ----------------------------------------------------------------------------
    def describe(self, leaf):
        q, w = self.rule(leaf), leaf.weight
        comp = Comp(q)
        out = [PARTS[q["score"]["part"]].describe(q["score"], comp, w)]
        out += [PARTS[d["part"]].describe(d, comp, w) for d in q.get("deduct", [])]
        if q.get("deduct"):
            out[-1] += "，扣完为止"
        if q.get("na"):
            out.append(NA.describe(q["na"], w))
        return "；".join(out)

    def params_text(self, leaf):
        return params_text(self.rule(leaf))

    def parse_params(self, text, percent, weight: float | None = None):
        return parse_params(text, percent, weight)

    def udf_args(self, leaf, refs):
        q = self.rule(leaf)
        args = [xl_text(params_text(q)), fmt_num(leaf.weight)]
        values = [refs[s] for s in slot_names(q).values()]
        if len(values) > MAX_UDF_VALUES:
            raise ValueError(f"WB_COMPOSE takes at most {MAX_UDF_VALUES} values")
        return args + values + ['""'] * (MAX_UDF_VALUES - len(values)) + [refs.get("na", '""'), refs.get("score", '""')]


def value_text(v: Mapping[str, Any]) -> str:
    suffix = {"percent": "(%)", "integer": "(项)", "level": "(等级)", "flag": "(是否)"}.get(v.get("type", "number"), "")
    return v["name"] + suffix


def params_text(q: Mapping[str, Any]) -> str:
    comp = Comp(q)
    items = [f"数值={'、'.join(value_text(v) for v in q.get('values', []))}"] if q.get("values") else []
    main = PARTS[q["score"]["part"]]
    items.append(f"{main.param_key}={main.text(q['score'], comp)}")
    for d in q.get("deduct", []):
        items.append(f"{PARTS[d['part']].param_key}={PARTS[d['part']].text(d, comp)}")
    if q.get("na"):
        items.append(f"{NA.PARAM_KEY}={NA.text(q['na'])}")
    return "；".join(items)


_VALUE = re.compile(r"^(.+?)(?:\((%|百分比|项|个|次|整数|等级|数值|是否)\))?$")


def parse_params(text: str, percent: bool = False, weight: float | None = None) -> dict[str, Any]:
    """The composition a 参数 text states (``数值=…；条件=…；按差扣分=…``); ParamError in Chinese."""
    q: dict[str, Any] = {"kind": "compose"}
    items = []
    for item in split_items(text):
        key, eq, value = fold(item).partition("=")
        if not eq or not value:
            raise ParamError(f"“{item}”应写成 键=值（组合计分可用：数值、{'、'.join(BY_PARAM)}、不适用）")
        items.append((key, value))
    comp = Comp({})
    for key, value in items:
        if key == "数值":
            for name in filter(None, value.split("、")):
                m = _VALUE.match(name)
                comp.values.append({"name": m.group(1), "type": TYPE_WORDS.get(m.group(2) or "数值", "number")})
    comp.strict = bool(comp.values)
    for key, value in items:
        if key == "数值":
            continue
        if key == NA.PARAM_KEY:
            q["na"] = NA.parse(value, weight)
            continue
        part = BY_PARAM.get(key)
        if part is None:
            raise ParamError(f"组合计分没有参数“{key}”（可用：数值、{'、'.join(BY_PARAM)}、不适用）")
        p = part.parse(value, comp, weight)
        if part.role == "score":
            if "score" in q:
                raise ParamError("组合计分只能有一个主计分部分（基础分、分档、条件、等级或计算式）")
            q["score"] = p
        else:
            q.setdefault("deduct", []).append(p)
    if "score" not in q:
        if not q.get("deduct"):
            raise ParamError("组合计分要写主计分部分（如 条件=…）或扣分部分（如 按差扣分=…）")
        q["score"] = {"part": "base"}
    for part, p in parts_of(q):
        if isinstance(part, Levels) and p["value"] not in comp.names:
            comp.values.append({"name": p["value"], "type": "level"})
    used = [n for part, p in parts_of(q) for n in part.slots(p)]
    q["values"] = [v for v in comp.values if v["name"] in used] if not comp.strict else comp.values
    return {"kind": "compose", "values": q.pop("values"), **{k: v for k, v in q.items() if k != "kind"}}


def json_schema() -> dict[str, Any]:
    """The properties a composed rule adds to template.schema.json's ``rule``, from the parts' SCHEMA faces
    (tests/rules/test_compose.py checks the schema file holds exactly these)."""
    main = [p.SCHEMA for p in PARTS.values() if p.role == "score"]
    deduct = [p.SCHEMA for p in PARTS.values() if p.role == "deduct"]
    return {"values": {"type": "array", "items": VALUE_SCHEMA}, "score": {"oneOf": main},
            "deduct": {"type": "array", "items": {"oneOf": deduct}}, "na": NA.SCHEMA}


def canonical(rule: Mapping[str, Any]) -> dict[str, Any]:
    """``rule`` with defaults written out and numbers as floats, to compare two compositions."""
    def norm(x):
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items() if not (k == "else" and v in ({"points": 0}, {"points": 0.0}))}
        if isinstance(x, list):
            return [norm(v) for v in x]
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            return float(x)
        return x
    out = norm(dict(rule))
    out["values"] = [{"type": "number", **v} for v in out.get("values", [])]
    if out.get("na") == {"score": {"share": 1.0}}:
        out["na"] = True
    return out
