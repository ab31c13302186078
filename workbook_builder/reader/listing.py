"""Returned project workbooks against the bureau's own 项目清单 (``validate --projects``).

Without a signing key a department could rebuild its workbook with other projects, easier targets or
other budget figures, and the fingerprint would agree. The bureau's list settles it: every listed
project must be in the department's workbook with the listed indicators, targets and 分值, and every
fund figure the list gives must still be the one typed into the sheet.
"""

from __future__ import annotations

import math
from dataclasses import asdict

from ..layout import cell
from ..projects.layout import fund_cell
from ..projects.listing import Listed
from ..projects.project import FUND_COLS, FUND_ROWS, Project, ProjectError, fund_id
from .findings import FileReport

_FUNDS = [(r, c) for r, _ in FUND_ROWS for c, _ in FUND_COLS]
_FUND_LABELS = {fund_id(r, c): f"{rl.replace('其中：', '')}·{cl}" for r, rl in FUND_ROWS for c, cl in FUND_COLS}
_SPEC_LABELS = {"owner": "主管部门", "unit": "实施单位", "goal": "预期目标"}
_ROW_LABELS = {"level1": "一级指标", "level2": "二级指标", "nature": "指标性质", "weight": "分值",
               "target": "年度指标值", "target_text": "年度指标值", "unit": "计量单位"}


def check_listing(rep: FileReport, listing: dict[str, Listed], form_id: str) -> None:
    """Add to ``rep`` (a project workbook's report) what differs from the department's listed projects."""
    if not rep.projects or rep.unreadable:
        return
    if rep.template != form_id:
        rep.add("listing-form-differs", detail=f"工作簿为 {rep.template}，清单按 {form_id} 读取")
        return
    listed = listing.get(rep.department.strip())
    if listed is None:
        rep.add("listing-department-unknown", detail=rep.department)
        return
    found = {p["name"]: p for p in rep.projects}
    for project, values in zip(listed.projects, listed.values):
        got = found.pop(project.name, None)
        if got is None:
            rep.add("listing-project-missing", detail=project.name)
            continue
        for what in _differences(project, got.get("spec")):
            rep.add("listing-project-changed", sheet=got["sheet"], detail=f"{project.name}：{what}")
        for r, c in _FUNDS:
            want, have = values.get(fund_id(r, c)), got.get("funds", {}).get(fund_id(r, c))
            if want is not None and not _same(want, have):
                rep.add("listing-fund-changed", sheet=got["sheet"], cell=cell(*fund_cell(r, c)),
                        detail=f"{project.name}·{_FUND_LABELS[fund_id(r, c)]}", expected=want, found=have)
    for name in found:
        rep.add("listing-project-extra", sheet=found[name]["sheet"], detail=name)


def _same(want: float, have) -> bool:
    return isinstance(have, (int, float)) and not isinstance(have, bool) and \
        math.isclose(have, want, rel_tol=1e-12, abs_tol=1e-9)


def _differences(project: Project, spec) -> list[str]:
    """What the workbook's project says otherwise than the list, in Chinese (empty when they agree)."""
    try:
        got = Project.from_spec(spec)
    except ProjectError:
        return ["项目信息无法读取"]
    if got == project:
        return []
    out = [f"{label}不同" for k, label in _SPEC_LABELS.items() if getattr(got, k) != getattr(project, k)]
    mine = {(r.level1, r.name): r for r in got.rows}
    for r in project.rows:
        g = mine.pop((r.level1, r.name), None)
        if g is None:
            out.append(f"缺少指标“{r.name}”")
            continue
        changed = dict.fromkeys(label for k, label in _ROW_LABELS.items() if asdict(g)[k] != asdict(r)[k])
        if changed:
            out.append(f"指标“{r.name}”的{'、'.join(changed)}不同")
    out += [f"多出指标“{r.name}”" for r in mine.values()]
    if not out:  # same rows in another order
        out.append("指标的顺序不同")
    return out
