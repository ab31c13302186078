"""``workbook-builder validate`` and ``consolidate``."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from ..signing import read_key
from .batch import collect, frames, validate_many
from .report import write_frames


class UsageError(Exception):
    """A bad argument: one Chinese line, exit status 2."""


def _key(a) -> bytes | None:
    try:
        return read_key(a.sign_key) if getattr(a, "sign_key", None) else None
    except ValueError as e:
        raise UsageError(str(e)) from None


def json_safe(v: Any) -> Any:
    """Plain JSON values: NaN and infinities become their text, so strict parsers accept the output."""
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, dict):
        return {str(k): json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def _shown(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:g}"
    text = str(v)
    return text if len(text) <= 60 else text[:57] + "…"


def validate_main(a) -> int:
    """Exit status 0: every file passed; 1: some file has an error-level finding; 2: could not run."""
    try:
        return _validate_main(a)
    except UsageError as e:
        print(f"错误: {e}", file=sys.stderr)
        return 2


def _validate_main(a) -> int:
    missing = [p for p in a.paths if not Path(p).exists()]
    if missing:
        print(f"错误: 找不到 {', '.join(missing)}", file=sys.stderr)
        return 2
    key = _key(a)
    files, others = collect(a.paths, with_others=True)
    if not files:
        print("错误: 没有找到要校验的文件", file=sys.stderr)
        return 2
    all_valid = True
    counts = {"通过": 0, "未通过": 0, "无法读取": 0}
    summaries = []  # only what --report needs, never the workbooks
    if a.json:
        print("[")
    for i, r in enumerate(validate_many(files, key, jobs=getattr(a, "jobs", 1), progress=not a.json)):
        all_valid &= r.valid
        counts["通过" if r.valid else "无法读取" if r.unreadable else "未通过"] += 1
        if a.report:
            summaries.append(r)
        if a.json:
            print(("," if i else "") + json.dumps(json_safe(r.to_dict()), ensure_ascii=False, allow_nan=False))
            continue
        head = f"{r.file}: {'通过' if r.valid else '无法读取' if r.unreadable else '未通过'}"
        if r.template and r.total is not None:
            head += f"  [{r.template} v{r.version}] {r.department} {r.year}  重算总分 {r.total:g} {r.grade}"
        print(head)
        for f in r.findings:
            where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
            sev = "错误" if f.severity == "error" else "警告"
            parts = ([f"应为 {_shown(f.expected)}"] if f.expected not in (None, "") else []) + \
                    ([f"实为 {_shown(f.found)}"] if f.found not in (None, "") else [])
            vals = f"（{'，'.join(parts)}）" if parts else ""
            print(f"  {sev} {f.code:<24} {where:<14} {f.message}{vals}")
    if a.json:
        print("]")
    else:
        print(f"共 {len(files)} 份：通过 {counts['通过']}，未通过 {counts['未通过']}，无法读取 {counts['无法读取']}")
        if others:
            names = "、".join(p.name for p in others[:8]) + ("…" if len(others) > 8 else "")
            print(f"另有 {len(others)} 个说明或脚本文件未校验（{names}）")
    if a.report:
        root = Path(a.paths[0]) if len(a.paths) == 1 and Path(a.paths[0]).is_dir() else None
        write_frames(frames(summaries, root=root), Path(a.report))
    return 0 if all_valid else 1


def consolidate_main(a) -> int:
    folder = Path(a.folder)
    if not folder.is_dir():
        print(f"错误: {folder} 不是文件夹", file=sys.stderr)
        return 2
    try:
        key = _key(a)
    except UsageError as e:
        print(f"错误: {e}", file=sys.stderr)
        return 2
    files, others = collect([folder], with_others=True)
    reports = list(validate_many(files, key, jobs=getattr(a, "jobs", 1)))
    fr = frames(reports, root=folder)
    write_frames(fr, Path(a.output))
    ok = sum(r.valid for r in reports)
    print(f"已汇总 {len(reports)} 份（通过 {ok}，未通过 {len(reports) - ok}）到 {a.output}"
          + (f"；另有 {len(others)} 个说明或脚本文件未校验" if others else ""))
    return 0
