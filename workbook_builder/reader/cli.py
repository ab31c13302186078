"""``workbook-builder validate`` and ``consolidate``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .batch import collect, frames, validate_many
from .report import write_frames


def _key(a) -> bytes | None:
    return Path(a.sign_key).read_bytes().strip() if getattr(a, "sign_key", None) else None


def validate_main(a) -> int:
    missing = [p for p in a.paths if not Path(p).exists()]
    if missing:
        print(f"错误: 找不到 {', '.join(missing)}", file=sys.stderr)
        return 2
    files = collect(a.paths)
    if not files:
        print("错误: 没有找到要校验的文件", file=sys.stderr)
        return 2
    all_valid = True
    summaries = []  # only what --report needs, never the workbooks
    if a.json:
        print("[")
    for i, r in enumerate(validate_many(files, _key(a), jobs=getattr(a, "jobs", 1), progress=not a.json)):
        all_valid &= r.valid
        if a.report:
            summaries.append(r)
        if a.json:
            print(("," if i else "") + json.dumps(r.to_dict(), ensure_ascii=False, default=str))
            continue
        head = f"{r.file}: {'通过' if r.valid else '未通过'}"
        if r.template and r.total is not None:
            head += f"  [{r.template} v{r.version}] {r.department} {r.year}  重算总分 {r.total:g} {r.grade}"
        print(head)
        for f in r.findings:
            where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
            print(f"  {f.severity:<7} {f.code:<24} {where:<14} {f.message}")
    if a.json:
        print("]")
    if a.report:
        write_frames(frames(summaries), Path(a.report))
    return 0 if all_valid else 1


def consolidate_main(a) -> int:
    folder = Path(a.folder)
    if not folder.is_dir():
        print(f"错误: {folder} 不是文件夹", file=sys.stderr)
        return 2
    reports = list(validate_many(collect([folder]), _key(a), jobs=getattr(a, "jobs", 1)))
    fr = frames(reports)
    write_frames(fr, Path(a.output))
    ok = sum(r.valid for r in reports)
    print(f"已汇总 {len(reports)} 份（通过 {ok}，未通过 {len(reports) - ok}）到 {a.output}")
    return 0
