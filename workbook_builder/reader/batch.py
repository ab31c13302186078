"""Validate many files (streaming, optionally in processes) and consolidate them with pandas."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
from tqdm import tqdm

from .findings import FileReport
from .pool import validate_isolated
from .validate import validate_file


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and every file inside folders (recursively), in a stable order.

    Nothing is skipped silently: a file of another format gets its own ``unsupported-format``
    finding. Only Office's owner files (``~$name.xlsx``, left while a workbook is open) are left out.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("~$"))
        else:
            out.append(p)
    return out


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


def frames(reports: Iterable[FileReport]) -> dict[str, pd.DataFrame]:
    """汇总 (one row per file), 得分 (per-indicator score matrix of valid-template files) and 问题 (all findings)."""
    summary, scores, findings = [], [], []
    for r in reports:
        summary.append({"文件": Path(r.file).name, "部门": r.department, "年度": r.year, "模板": r.template,
                        "版本": r.version, "总分": r.total, "等级": r.grade, "表内总分": r.found_total,
                        "表内等级": r.found_grade, "错误数": len(r.errors), "警告数": len(r.warnings),
                        "结论": "通过" if r.valid else "未通过"})
        if r.scores:
            labels = _labels(r.template)
            scores.append({"文件": Path(r.file).name, "部门": r.department, "模板": r.template,
                           **{labels.get(k, k): v for k, v in r.scores.items()}})
        for f in r.findings:
            findings.append({"文件": Path(r.file).name, "部门": r.department, "严重程度": f.severity, "代码": f.code,
                             "工作表": f.sheet, "单元格": f.cell, "说明": f.message,
                             "应为": _text(f.expected), "实为": _text(f.found)})
    s = pd.DataFrame(summary, columns=["文件", "部门", "年度", "模板", "版本", "总分", "等级", "表内总分", "表内等级",
                                       "错误数", "警告数", "结论"])
    s = s.sort_values(["结论", "总分"], ascending=[True, False], na_position="last", kind="stable")
    return {"汇总": s.reset_index(drop=True), "得分": pd.DataFrame(scores),
            "问题": pd.DataFrame(findings, columns=["文件", "部门", "严重程度", "代码", "工作表", "单元格", "说明", "应为", "实为"])}


def _labels(template_id: str) -> dict[str, str]:
    """Score-matrix column names: 一级/二级/… indicator names with their id, e.g. 投入·预算配置 (allocation)."""
    from .validate import shipped_templates

    t = shipped_templates().get(template_id)
    if t is None:
        return {}
    out = {}

    def walk(n, prefix):
        name = f"{prefix}·{n.name}" if prefix else n.name
        out[n.id] = f"{name} ({n.id})"
        for c in n.children:
            walk(c, name)

    for n in t.indicators:
        walk(n, "")
    return out


def _text(v):
    return "" if v is None else v
