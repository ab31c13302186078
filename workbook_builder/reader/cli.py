"""``workbook-builder validate`` and ``consolidate``."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from ..atomic import atomic_path, check_name
from ..signing import read_key
from ..workers import interrupted_line, status
from .batch import collect, frames, validate_many
from .listing import check_listing
from .report import prefill_note, write_frames


class UsageError(Exception):
    """A bad argument: one Chinese line, exit status 2."""


def _listing(a):
    """The bureau's 项目清单 (``--projects``) as (departments, form id), or None; UsageError in Chinese."""
    if not getattr(a, "projects", None):
        if getattr(a, "indicators", None):
            raise UsageError("--indicators 需要与 --projects 项目清单 一起使用")
        return None
    from ..projects.form import FormError, find_form
    from ..projects.listing import ListError, read_listing
    from ..tables import TableError
    try:
        form = find_form(a.form)
        return read_listing(form, Path(a.projects), Path(a.indicators) if a.indicators else None,
                            max_fund=getattr(a, "max_fund", None)), form.id
    except ListError as e:
        more = f"（共 {len(e.problems)} 处）" if len(e.problems) > 1 else ""
        raise UsageError(f"项目清单有问题{more}：{e.problems[0]}") from None
    except (FormError, TableError) as e:
        raise UsageError(str(e)) from None


def _against(a):
    """The bureau's prefill list (``--against``), or None; UsageError in Chinese."""
    if not getattr(a, "against", None):
        return None
    from ..tables import TableError
    from .against import read_against
    if not Path(a.against).is_file():
        raise UsageError(f"找不到预填名单 {a.against}")
    try:
        return read_against(a.against)
    except TableError as e:
        raise UsageError(f"预填名单无法读取：{e}") from None


def _reports(files, key, a, listing, against=None):
    """Each file's report, checked against the 项目清单 and the prefill list when they are given."""
    from .against import check_against
    for r in validate_many(files, key, jobs=getattr(a, "jobs", 1), progress=not getattr(a, "json", False)):
        if listing is not None:
            check_listing(r, *listing)
        if against is not None:
            check_against(r, against)
        yield r


def _not_returned(listing, reports_departments: set[str]) -> str:
    """The line naming listed departments whose project workbook is not among the files ('' if none)."""
    if listing is None:
        return ""
    missing = [d for d in listing[0] if d not in reports_departments]
    if not missing:
        return ""
    return f"项目清单中有 {len(missing)} 个部门没有交回项目工作簿：{'、'.join(missing[:8])}{'…' if len(missing) > 8 else ''}"


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


def _nothing(paths) -> str:
    """The one line for a run with no workbook to read (validate and consolidate alike)."""
    return f"文件夹中没有工作簿：{'、'.join(str(p) for p in paths)}（应为部门交回的 .xlsx 文件）"


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
    listing = _listing(a)
    against = _against(a)
    if a.report:
        check_name(a.report, (".xlsx",), "--report")
    files, others = collect(a.paths, with_others=True)
    if not files:
        print(f"错误: {_nothing(a.paths)}", file=sys.stderr)
        return 2
    returned: set[str] = set()
    all_valid = True
    counts = {"通过": 0, "未通过": 0, "无法读取": 0}
    summaries = []  # only what --report needs, never the workbooks
    if a.json:
        print("[")
    done = 0
    try:
        for r in _reports(files, key, a, listing, against):
            all_valid &= _show_report(a, r, done, listing, returned, counts, summaries)
            done += 1
    except KeyboardInterrupt as e:  # Ctrl-C, SIGTERM: what was read stays valid output, then one Chinese line
        if a.json:
            print("]", flush=True)
        report = f"，未写出 {a.report}" if a.report else ""
        print(f"{interrupted_line(e)}：已校验 {done} 份（共 {len(files)} 份），结果不完整{report}", file=sys.stderr)
        return status(e)
    if a.json:
        print("]")
    else:
        print(f"共 {len(files)} 份：通过 {counts['通过']}，未通过 {counts['未通过']}，无法读取 {counts['无法读取']}")
        if others:
            names = "、".join(p.name for p in others[:8]) + ("…" if len(others) > 8 else "")
            print(f"另有 {len(others)} 个说明或脚本文件未校验（{names}）")
        if _not_returned(listing, returned):
            print(_not_returned(listing, returned))
    if a.report:
        root = Path(a.paths[0]) if len(a.paths) == 1 and Path(a.paths[0]).is_dir() else None
        with atomic_path(a.report) as tmp:
            write_frames(frames(summaries, root=root), tmp, notes={"汇总": prefill_note(summaries)})
    return 0 if all_valid else 1


def _show_report(a, r, i: int, listing, returned: set, counts: dict, summaries: list) -> bool:
    """Print one file's result (text or a JSON array item) and count it; whether it passed."""
    if listing is not None and (r.projects or r.template == listing[1]):
        returned.add(r.department.strip())
    counts["通过" if r.valid else "无法读取" if r.unreadable else "未通过"] += 1
    if a.report:
        summaries.append(r)
    if a.json:
        print(("," if i else "") + json.dumps(json_safe(r.to_dict()), ensure_ascii=False, allow_nan=False),
              flush=True)
        return r.valid
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
    return r.valid


def consolidate_main(a) -> int:
    folder = Path(a.folder)
    if not folder.is_dir():
        print(f"错误: {folder} 不是文件夹", file=sys.stderr)
        return 2
    try:
        key = _key(a)
        listing = _listing(a)
        against = _against(a)
    except UsageError as e:
        print(f"错误: {e}", file=sys.stderr)
        return 2
    check_name(a.output, (".xlsx",), "-o")
    files, others = collect([folder], with_others=True)
    if not files:  # one rule with validate: nothing to read is not a result
        print(f"错误: {_nothing([folder])}", file=sys.stderr)
        return 2
    reports = []
    try:
        for r in _reports(files, key, a, listing, against):
            reports.append(r)  # noqa: PERF402 - one by one: an interruption keeps the count so far
    except KeyboardInterrupt as e:
        print(f"{interrupted_line(e)}：已校验 {len(reports)} 份（共 {len(files)} 份），未写出 {a.output}"
              + ("；原有文件未改动" if Path(a.output).exists() else ""), file=sys.stderr)
        return status(e)
    fr = frames(reports, root=folder)
    with atomic_path(a.output) as tmp:
        write_frames(fr, tmp, notes={"汇总": prefill_note(reports)})
    ok = sum(r.valid for r in reports)
    print(f"已汇总 {len(reports)} 份（通过 {ok}，未通过 {len(reports) - ok}）到 {a.output}"
          + (f"；另有 {len(others)} 个说明或脚本文件未校验" if others else ""))
    missing = _not_returned(listing, {r.department.strip() for r in reports
                                      if listing is not None and (r.projects or r.template == listing[1])})
    if missing:
        print(missing)
    return 0
