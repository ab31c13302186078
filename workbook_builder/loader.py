"""Load a template YAML file into the model; every error names its path (``@ $.indicators[3].weight``)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .model import INPUT_TYPES, Actual, Check, Column, Derived, GradeBand, Input, Layout, Node, Target, Template
from .paths import shipped_templates_dir, template_dirs

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "template.schema.json"
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

LEVEL_HEADERS = {1: "一级指标", 2: "二级指标", 3: "三级指标", 4: "评分要点"}
DEFAULT_COLUMNS = [
    ("criteria", "评分标准", 36), ("target", "年度指标值", 12), ("actual", "实际完成值", 12),
    ("unit", "单位", 6), ("weight", "分值", 7), ("score", "得分", 8), ("reason", "扣分原因", 20),
]


class TemplateError(ValueError):
    """A template that cannot be loaded; ``errors`` holds ``(message, path)`` pairs."""

    def __init__(self, source: str, errors: list[tuple[str, str]]):
        self.source = source
        self.errors = errors
        super().__init__("\n".join(f"{source}: {m} @ {p}" for m, p in errors))


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _path(parts) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


AUTHORING_SUFFIXES = (".xlsx",)


def template_paths() -> list[Path]:
    """Every template file on the search path (one per file name: an earlier folder wins).

    A folder may hold YAML templates and authoring workbooks (指标体系.xlsx) alike.
    """
    seen: dict[str, Path] = {}
    for d in template_dirs():
        if d.is_file():
            seen.setdefault(d.stem, d)
            continue
        files = list(d.glob("*.yaml")) + list(d.glob("*.yml")) + [p for p in d.glob("*.xlsx") if not p.name.startswith("~$")]
        for p in sorted(files):
            seen.setdefault(p.stem, p)
    return sorted(seen.values(), key=lambda p: (p.parent != shipped_templates_dir(), p.stem))


def is_shipped(path: Path) -> bool:
    return path.resolve().parent == shipped_templates_dir().resolve()


def _id_of(path: Path) -> str | None:
    """The 编号 inside a template file (None if it does not load)."""
    try:
        return load_template(path).id
    except Exception:  # noqa: BLE001 - a broken file is reported by templates check, not here
        return None


def bureau_templates() -> dict[str, Path]:
    """The bureau's own templates by their 编号 (an earlier folder, then an earlier file name, wins)."""
    out: dict[str, Path] = {}
    for path in template_paths():
        if not is_shipped(path):
            tid = _id_of(path)
            if tid is not None:
                out.setdefault(tid, path)
    return out


def overrides() -> list[tuple[str, Path]]:
    """Bureau templates that keep a shipped template's 编号 (as ``templates export`` writes them): they win."""
    shipped = {p.stem for p in shipped_templates_dir().iterdir() if p.suffix.lower() in (".yaml", ".yml")}
    return sorted((tid, p) for tid, p in bureau_templates().items() if tid in shipped)


def find_template(ref: str) -> Path:
    """A template by id (``qingcheng_2024``) or by path. The bureau's folders win over the shipped templates,
    by file name or by the 编号 inside the file."""
    p = Path(ref)
    if p.suffix.lower() in (".yaml", ".yml") + AUTHORING_SUFFIXES and p.exists():
        return p
    paths = template_paths()
    for path in paths:
        if path.stem == ref and not is_shipped(path):
            return path
    mine = bureau_templates() if any(not is_shipped(x) for x in paths) else {}
    if ref in mine:
        return mine[ref]
    for path in paths:
        if path.stem == ref:
            return path
    known = "、".join(p.stem for p in template_paths())
    raise FileNotFoundError(f"找不到模板“{ref}”（可用：{known}；自定义模板请给出 .yaml 文件路径或用 --templates 指定文件夹）")


def load_template(ref: str | Path) -> Template:
    path = find_template(str(ref))
    return _load_cached(str(path.resolve()), path.stat().st_mtime)


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime: float) -> Template:
    if Path(path).suffix.lower() in AUTHORING_SUFFIXES:
        return load_authoring(Path(path))[0]
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    return parse_template(data, source=path)


def load_authoring(path: Path):
    """A template from an authoring workbook, and what import understood (``authoring.read.Authored``).

    Errors of the workbook, and errors the template checks find later, name the sheet and row. Read once per
    version of the file (``templates check`` asks for the template, its readings and its rows)."""
    p = Path(path).resolve()
    return _authoring_cached(str(p), p.stat().st_mtime)


@lru_cache(maxsize=8)
def _authoring_cached(path: str, mtime: float):
    from .authoring.read import AuthoringError, read_workbook
    try:
        got = read_workbook(Path(path))
    except AuthoringError as e:
        raise TemplateError(str(path), [(str(p), "") for p in e.problems]) from None
    try:
        t = parse_template(got.data, source=str(path))
    except TemplateError as e:
        raise TemplateError(str(path), [(m, _place(got.places, p)) for m, p in e.errors]) from None
    for n in t.nodes():
        n.path = _place(got.places, n.path)
    for i, c in enumerate(t.checks):
        c.path = _place(got.places, c.path)
    return t, got


def _place(places: dict, path: str) -> str:
    """``$.indicators[0].children[1].weight`` → ``指标体系 第5行``."""
    best = max((p for p in places if path == p or path.startswith(p + ".") or path.startswith(p + "[")), key=len,
               default=None)
    if best is None:
        return path
    sheet, row = places[best]
    return f"{sheet} 第{row}行"


_TYPES = {"string": "文字", "number": "数字", "integer": "整数", "object": "键值表", "array": "列表",
          "boolean": "是/否（true/false）", "null": "空"}


def schema_message(e: jsonschema.ValidationError) -> str:
    """A JSON Schema error in Chinese (the field names stay as the template writes them)."""
    v, val = e.validator, e.validator_value
    if v == "required":
        missing = [k for k in val if not isinstance(e.instance, dict) or k not in e.instance]
        return f"缺少必填项 {'、'.join(missing)}"
    if v == "type":
        want = "或".join(_TYPES.get(t, t) for t in (val if isinstance(val, list) else [val]))
        return f"应为{want}，实际为 {e.instance!r}"[:200]
    if v in ("enum", "const"):
        options = val if isinstance(val, list) else [val]
        return f"取值应为 {'、'.join(map(str, options))} 之一，实际为 {e.instance!r}"[:200]
    if v == "additionalProperties":
        extra = sorted(set(e.instance) - set(e.schema.get("properties", {}))) if isinstance(e.instance, dict) else []
        return f"不认识的项 {'、'.join(map(str, extra))}（拼写错误？）"
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        word = {"minimum": "不能小于", "exclusiveMinimum": "应大于", "maximum": "不能大于", "exclusiveMaximum": "应小于"}[v]
        return f"{e.instance!r} {word} {val}"
    if v in ("minItems", "minLength"):
        return f"不能为空（至少 {val} 项）"
    if v == "pattern":
        return f"{e.instance!r} 的写法不对：编号只能用英文字母、数字和下划线，并以字母开头"
    if v in ("oneOf", "anyOf"):
        return f"写法不符合任何一种允许的格式：{str(e.instance)[:80]}"
    return f"格式不对（{v}）"


def parse_template(data: Any, source: str = "<template>") -> Template:
    errors: list[tuple[str, str]] = []
    v = jsonschema.Draft202012Validator(schema())
    for e in sorted(v.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        errors.append((schema_message(e), _path(e.absolute_path)))
    if errors:
        raise TemplateError(source, errors)

    inputs = [Input(id=i["id"], label=i["label"], type=i.get("type", "number"), unit=i.get("unit", ""),
                    min=i.get("min"), max=i.get("max"), choices=i.get("choices", []),
                    required=i.get("required", True), help=i.get("help", ""))
              for i in data.get("inputs", [])]
    derived = [Derived(id=d["id"], label=d["label"], expr=d["expr"], unit=d.get("unit", ""),
                       type=d.get("type", "percent"), help=d.get("help", ""))
               for d in data.get("derived", [])]

    def node(d: dict, depth: int, parts: list) -> Node:
        t = d.get("target")
        target = None
        if t is not None:
            target = Target(op=t.get("op"), value=t.get("value"), entry=t.get("entry", False),
                            text=t.get("text", ""), unit=t.get("unit", d.get("unit", "")))
        a = d.get("actual")
        actual = None
        if d.get("rule"):
            if a is None or a == "entry":
                actual = Actual("entry", type=d.get("value_type", "number"))
            elif "input" in a:
                actual = Actual("input", a["input"], type=_type_of(a["input"], inputs, derived))
            elif "derived" in a:
                actual = Actual("derived", a["derived"], type=_type_of(a["derived"], inputs, derived))
        n = Node(id=d["id"], name=d["name"], weight=float(d["weight"]), criteria=d.get("criteria", ""),
                 explanation=d.get("explanation", ""), unit=d.get("unit", ""), target=target,
                 actual=actual, rule=d.get("rule"), note=d.get("note", ""), depth=depth, path=_path(parts),
                 reason_when=data.get("reason_when", "not-achieved"))
        n.children = [node(c, depth + 1, parts + ["children", i]) for i, c in enumerate(d.get("children", []))]
        if not n.children and not n.rule:
            errors.append(("最末级指标需要计分方法（rule）", _path(parts)))
        if n.children and n.rule:
            errors.append(("有下级指标的指标不能再有自己的计分方法（rule）", _path(parts + ["rule"])))
        return n

    indicators = [node(d, 1, ["indicators", i]) for i, d in enumerate(data["indicators"])]
    grades = [GradeBand(g["name"], float(g["min"])) for g in data["grades"]]
    lay = data.get("layout", {})
    cols = lay.get("columns")
    if cols:
        columns = [Column(c["key"], c["header"], c.get("width", 10)) for c in cols]
    else:
        depth = max(n.depth for t in indicators for n in t.walk())
        columns = [Column(f"level{i}", LEVEL_HEADERS.get(i, f"{i}级指标"), 14) for i in range(1, depth + 1)]
        columns += [Column(k, h, w) for k, h, w in DEFAULT_COLUMNS]
    layout = Layout(title=lay.get("title", "部门整体支出绩效自评表"), columns=columns,
                    budget_block=lay.get("budget_block"), notes=lay.get("notes", []))
    if errors:
        raise TemplateError(source, errors)
    return Template(id=data["id"], title=data["title"], region=data["region"], year=int(data["year"]),
                    version=str(data["version"]), inputs=inputs, derived=derived, indicators=indicators,
                    grades=grades, layout=layout, description=data.get("description", ""),
                    decisions=data.get("decisions", []), source_path=source,
                    guide_notes=data.get("guide_notes", []),
                    reason_min_length=data.get("reason_min_length", 4),
                    checks=[Check(kind=c["kind"], left=c.get("left", ""), right=c.get("right", ""),
                                  factor=float(c.get("factor", 1.0)), parts=list(c.get("parts", [])),
                                  total=c.get("total", ""), tolerance=float(c.get("tolerance", 0.01)),
                                  path=f"$.checks[{i}]") for i, c in enumerate(data.get("checks", []))])


def _type_of(ref: str, inputs: list[Input], derived: list[Derived]) -> str:
    for i in inputs:
        if i.id == ref:
            return i.type if i.type in ("number", "percent", "money", "integer") else "number"
    for d in derived:
        if d.id == ref:
            return d.type
    return "number"  # undeclared: reported by the checker


__all__ = ["TemplateError", "load_template", "parse_template", "template_paths", "find_template",
           "INPUT_TYPES", "ID_RE"]
