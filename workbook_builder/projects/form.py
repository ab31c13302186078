"""A project form (项目支出绩效自评表): allotments, 二级 groups, scoring options and grades, from YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..model import GradeBand
from ..paths import shipped_templates_dir

FORMS_DIR = "projects"


class FormError(ValueError):
    """A project form that cannot be loaded: Chinese messages with where they apply."""


@dataclass
class Allotment:
    """An 一级指标 with its 分值 and the 二级指标 under it."""

    name: str
    weight: float
    groups: list[str]


@dataclass
class ProjectForm:
    id: str
    title: str
    region: str
    version: str
    fund_weight: float
    allotments: list[Allotment]
    levels: list[dict[str, Any]]
    grades: list[GradeBand]
    #: a reason is needed for the 预算执行率 only below this rate (四川 0.9); None: below full marks
    reason_below: float | None = None
    reverse: str | None = None
    tolerance: float = 0.0
    open_rows: int = 2
    description: str = ""
    source_path: str = ""
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def level_names(self) -> tuple[str, ...]:
        return tuple(x["name"] for x in self.levels)

    def allotment(self, name: str) -> Allotment | None:
        return next((a for a in self.allotments if a.name == name), None)


def _num(d: dict, key: str, where: str, default: Any = None) -> Any:
    v = d.get(key, default)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise FormError(f"{where}.{key} 应为数字")
    return float(v)


def parse_form(data: Any, source: str = "<form>") -> ProjectForm:
    if not isinstance(data, dict):
        raise FormError(f"{source}：项目表样应为键值表")
    try:
        funds = data.get("funds") or {}
        allot = [Allotment(str(a["name"]), _num(a, "weight", f"indicators[{i}]"), [str(g) for g in a.get("groups", [])])
                 for i, a in enumerate(data["indicators"])]
        levels = [dict(x) for x in data["levels"]]
        form = ProjectForm(
            id=str(data["id"]), title=str(data.get("title", "项目支出绩效自评表")), region=str(data.get("region", "")),
            version=str(data["version"]), fund_weight=_num(funds, "weight", "funds", 10.0), allotments=allot,
            levels=levels, grades=[GradeBand(str(g["name"]), float(g["min"])) for g in data["grades"]],
            reason_below=_num(funds, "reason_below", "funds"), reverse=data.get("reverse"),
            tolerance=_num(data, "tolerance", "$", 0.0), open_rows=int(data.get("open_rows", 2)),
            description=str(data.get("description", "")), source_path=source)
    except KeyError as e:
        raise FormError(f"{source}：缺少 {e.args[0]}") from None
    except (TypeError, ValueError) as e:
        raise FormError(f"{source}：{e}") from None
    problems = []
    total = form.fund_weight + sum(a.weight for a in form.allotments)
    if abs(total - 100) > 1e-9:
        problems.append(f"预算执行率与各一级指标分值合计为 {total:g}，应为 100")
    if not form.allotments or any(not a.groups for a in form.allotments):
        problems.append("每个一级指标都要列出其二级指标（groups）")
    for i, x in enumerate(form.levels):
        if not all(k in x for k in ("name", "min", "max", "default")) or not 0 <= x["min"] <= x["default"] <= x["max"] <= 1:
            problems.append(f"定性等级第 {i + 1} 个需要 name 和 0 ≤ min ≤ default ≤ max ≤ 1")
    if form.reverse not in (None, "inverse"):
        problems.append("reverse 只能是 inverse（指标值/实际值）")
    if not 0 <= form.tolerance < 1 or not 1 <= form.open_rows <= 20:
        problems.append("tolerance 应在 0 至 1 之间，open_rows 应在 1 至 20 之间")
    if problems:
        raise FormError(f"{source}：" + "；".join(problems))
    return form


def forms_dir() -> Path:
    return shipped_templates_dir() / FORMS_DIR


@lru_cache(maxsize=16)
def _load(path: str, mtime: float) -> ProjectForm:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise FormError(f"{Path(path).name}：无法读取（{type(e).__name__}）") from None
    return parse_form(data, Path(path).name)


def load_form(path: str | Path) -> ProjectForm:
    p = Path(path)
    return _load(str(p), p.stat().st_mtime)


def project_forms() -> dict[str, ProjectForm]:
    """The shipped project forms by id."""
    out = {}
    for p in sorted(forms_dir().glob("*.yaml")):
        f = load_form(p)
        out[f.id] = f
    return out


def find_form(ref: str) -> ProjectForm:
    """A form by id or by file path; FormError in Chinese if there is none."""
    forms = project_forms()
    if ref in forms:
        return forms[ref]
    p = Path(ref)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return load_form(p)
    raise FormError(f"没有名为“{ref}”的项目表样（可用：{'、'.join(forms)}）")
