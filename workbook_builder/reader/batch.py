"""Validate many files (streaming, optionally in processes) and consolidate them with pandas."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from ..manifest import MANIFEST, MARKER
from .findings import FileReport
from .pool import validate_isolated
from .validate import validate_file

#: in a folder, files that are never a department's return (notes, scripts, settings): listed, not read
NOT_RETURNS = {".yaml", ".yml", ".py", ".md", ".json", ".toml", ".ini", ".log", ".key"}
#: a bulk build's own record in its folder (workbook_builder.manifest)
BUILD_RECORDS = {MARKER, MANIFEST}


def collect(paths: Iterable[str | Path], with_others: bool = False):
    """Files named, and every file inside folders (recursively), in a stable order.

    Nothing is skipped silently: a file of another format (.ods, .xlsb, a PDF, no extension) gets its own
    ``unsupported-format`` finding. Inside folders, Office's owner files (``~$name.xlsx``) are left out
    and files that are never returns (``NOT_RETURNS``: .yaml, .py, .md …) are set aside; with
    ``with_others`` they come back as a second list, so the caller can say which were not read.
    """
    out: list[Path] = []
    others: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("~$")):
                (others if f.suffix.lower() in NOT_RETURNS or f.name in BUILD_RECORDS else out).append(f)
        else:
            out.append(p)
    return (out, others) if with_others else out


def validate_many(files: list[Path], sign_key: bytes | None = None, jobs: int = 1,
                  progress: bool = True, isolate: bool = True) -> Iterator[FileReport]:
    """Reports one by one, in order; never holds more than the reports themselves.

    With ``isolate`` (the default) files are read in ``jobs`` worker processes with a memory cap,
    so a file that exhausts memory or kills its worker costs that file only.
    """
    bar = dict(total=len(files), desc="校验", unit="份", disable=not progress)
    if isolate:
        yield from tqdm(validate_isolated(files, sign_key, jobs), **bar)
    else:
        yield from tqdm((validate_file(f, sign_key) for f in files), **bar)


SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def _rel(path: str, root: Path | None) -> str:
    p = Path(path)
    if root is not None:
        try:
            return str(p.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return p.name


def frames(reports: Iterable[FileReport], root: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """汇总 (one row per file, with 备注 for a department returned twice or another template or year),
    得分 (one score matrix per template and year: 得分, or 得分-… when a folder mixes them) and 问题 (every finding).
    File names are shown relative to ``root`` (subfolders included)."""
    root = Path(root) if root is not None else None
    reports = list(reports)
    summary, findings, projects = [], [], []
    groups: dict[tuple[str, str], list[FileReport]] = {}
    for r in reports:
        name = _rel(r.file, root)
        summary.append({"文件": name, "部门": r.department, "年度": r.year, "模板": _short(r.template),
                        "版本": r.version, "重算总分": r.total, "等级": r.grade, "表内总分": r.found_total,
                        "表内等级": r.found_grade, "错误数": len(r.errors), "警告数": len(r.warnings),
                        "结论": "通过" if r.valid else ("无法读取" if r.unreadable else "未通过"), "备注": ""})
        if r.scores and not r.projects:
            groups.setdefault((r.template, r.year), []).append(r)
        for i, p in enumerate(r.projects, start=1):
            projects.append({"文件": name, "部门": r.department, "年度": r.year, "序号": i, "项目名称": p["name"],
                             "全年预算数（万元）": p["budget"], "全年执行数（万元）": p["executed"], "执行率": p["rate"],
                             "重算得分": p["total"], "等级": p["grade"], "表内得分": p["found_total"]})
        for f in r.findings:
            findings.append({"文件": name, "部门": r.department, "严重程度": SEVERITY.get(f.severity, f.severity),
                             "工作表": f.sheet, "单元格": f.cell, "说明": f.message, "应为": _text(f.expected),
                             "实为": _text(f.found), "代码": f.code})
    _remarks(reports, summary)
    s = pd.DataFrame(summary, columns=["文件", "部门", "年度", "模板", "版本", "重算总分", "等级", "表内总分",
                                       "表内等级", "错误数", "警告数", "结论", "备注"])
    s = s.sort_values(["结论", "重算总分"], ascending=[True, False], na_position="last", kind="stable")
    out = {"汇总": s.reset_index(drop=True)}
    many = len(groups) > 1
    for (tid, year), rs in sorted(groups.items()):
        labels = _labels(tid)
        rows = [{"文件": _rel(r.file, root), "部门": r.department,
                 **{labels.get(k, k): v for k, v in r.scores.items()}} for r in rs]
        key = f"得分-{_short(tid)}{year}"[:31] if many else "得分"
        out[key] = pd.DataFrame(rows)
    if not groups:
        out["得分"] = pd.DataFrame(columns=["文件", "部门"])
    if projects:
        out["项目"] = pd.DataFrame(projects)
    out["问题"] = pd.DataFrame(findings, columns=["文件", "部门", "严重程度", "工作表", "单元格", "说明", "应为", "实为",
                                               "代码"])
    return out


def _remarks(reports: list[FileReport], summary: list[dict]) -> None:
    """Flag a department returned twice, and files of another template or year than most of the folder."""
    from collections import Counter
    read = [(i, r) for i, r in enumerate(reports) if r.template]
    common = Counter((r.template, r.year) for _, r in read).most_common(1)
    by_dept: dict[tuple[str, str], list[int]] = {}
    for i, r in read:
        by_dept.setdefault((r.department, r.year), []).append(i)
        if common and (r.template, r.year) != common[0][0]:
            summary[i]["备注"] += f"模板或年度与其他文件不同（{_short(r.template)}，{r.year} 年度）；"
    for (dept, _), idx in by_dept.items():
        if len(idx) > 1:
            for i in idx:
                others = "、".join(summary[j]["文件"] for j in idx if j != i)
                summary[i]["备注"] += f"同一部门重复提交（另见 {others}）；"


def _title(template_id: str) -> str:
    from .validate import shipped_templates
    t = shipped_templates().get(template_id) or _form(template_id)
    return f"{t.region}·{t.title}" if t is not None else template_id


def _form(template_id: str):
    """The project form of that id, if it is one (项目支出绩效自评表)."""
    from ..projects.form import FormError, project_forms
    try:
        return project_forms().get(template_id)
    except FormError:
        return None


def _short(template_id: str) -> str:
    """A template's short name for columns and sheet names: its county (庆城县), or its title."""
    from .validate import shipped_templates
    t = shipped_templates().get(template_id)
    if t is None:
        f = _form(template_id)
        return "项目自评" if f is not None else template_id[:12]
    return (t.region.split("省")[-1].split("市")[-1] or t.title)[:10]


def _labels(template_id: str) -> dict[str, str]:
    """Score-matrix column names: 一级·二级·… indicator names (numbered where two would read alike)."""
    from .validate import shipped_templates

    t = shipped_templates().get(template_id)
    if t is None:
        return {}
    out: dict[str, str] = {}

    def walk(n, prefix):
        name = f"{prefix}·{n.name}" if prefix else n.name
        label, k = name, 2
        while label in out.values():
            label, k = f"{name}（{k}）", k + 1
        out[n.id] = label
        for c in n.children:
            walk(c, name)

    for n in t.indicators:
        walk(n, "")
    return out


def _text(v):
    return "" if v is None else v
