"""The ``workbook-builder`` command."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from .checker import check_template, errors
from .engine import compute
from .loader import TemplateError, load_template, template_paths
from .values import ValuesError, normalise


def _load(ref: str):
    try:
        return load_template(ref)
    except TemplateError as e:
        print(e, file=sys.stderr)
        sys.exit(1)
    except FileNotFoundError as e:
        print(f"错误: {e}", file=sys.stderr)
        sys.exit(2)


def cmd_templates(a) -> int:
    if a.action == "check":
        refs = a.refs or [str(p) for p in template_paths()]
        bad = 0
        for ref in refs:
            try:
                t = load_template(ref)
            except (TemplateError, FileNotFoundError) as e:
                print(f"{ref}: FAILED\n{e}")
                bad += 1
                continue
            issues = check_template(t)
            status = "FAILED" if errors(issues) else "ok"
            print(f"{t.id} ({Path(t.source_path).name}): {status}, {len(errors(issues))} errors, "
                  f"{len(issues) - len(errors(issues))} warnings")
            for i in issues:
                print(f"  {i}")
            bad += bool(errors(issues))
        return 1 if bad else 0
    for p in template_paths():
        t = load_template(p)
        print(f"{t.id:<18} v{t.version:<5} {t.year}  {t.region:<16} {t.title}  "
              f"({sum(1 for _ in t.leaves())} 个评分项)")
    return 0


def read_inputs_file(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def cmd_build(a) -> int:
    from .render import build_workbook

    key = Path(a.sign_key).read_bytes().strip() if a.sign_key else None
    if a.prefill:
        from .prefill import build_many
        t = _load(a.template)
        return build_many(t, Path(a.prefill), Path(a.out_dir or "."), year=a.year, password=a.password,
                          sign_key=key, jobs=a.jobs)
    doc = read_inputs_file(a.inputs) if a.inputs else {}
    t = _load(a.template or doc.get("template") or "")
    dept = a.department or doc.get("department")
    if not dept:
        print("错误: 需要 --department（或 --inputs 文件中的 department）", file=sys.stderr)
        return 2
    year = a.year or doc.get("year") or t.year
    out = Path(a.output or f"{dept}-{year}.{'xlsm' if a.macros else 'xlsx'}")
    if a.macros and out.suffix.lower() != ".xlsm":
        print("错误: --macros 生成的文件必须以 .xlsm 结尾", file=sys.stderr)
        return 2
    try:
        values = normalise(t, doc.get("values") or {})
    except ValuesError as e:
        for p in e.problems:
            print(f"错误: {a.inputs}: {p}", file=sys.stderr)
        return 2
    data = build_workbook(t, dept, year, values, password=a.password, sign_key=key,
                          macros=a.macros, udf_cells=a.udf_cells)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    res = compute(t, values)
    print(f"已生成 {out}（模板 {t.id} v{t.version}，总分 {res.total:g}，等级 {res.grade}）")
    return 0


def cmd_score(a) -> int:
    doc = read_inputs_file(a.inputs)
    t = _load(a.template or doc.get("template") or "")
    try:
        res = compute(t, normalise(t, doc.get("values") or {}))
    except ValuesError as e:
        for p in e.problems:
            print(f"错误: {a.inputs}: {p}", file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps({"template": t.id, "total": res.total, "grade": res.grade, "scores": res.scores,
                          "derived": res.derived}, ensure_ascii=False, indent=1))
        return 0
    for n in t.nodes():
        s = res.scores[n.id]
        print(f"{'  ' * (n.depth - 1)}{n.name:<24} {n.weight:>6g} {'' if s is None else f'{s:g}':>7}")
    print(f"总分 {res.total:g}  等级 {res.grade}")
    return 0


def cmd_validate(a) -> int:
    from .reader.cli import validate_main
    return validate_main(a)


def cmd_consolidate(a) -> int:
    from .reader.cli import consolidate_main
    return consolidate_main(a)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="workbook-builder", description="部门整体支出绩效自评表：模板、生成、校验")
    sub = p.add_subparsers(dest="cmd", required=True)

    t = sub.add_parser("templates", help="list shipped templates, or check templates")
    t.add_argument("action", nargs="?", choices=["list", "check"], default="list")
    t.add_argument("refs", nargs="*", help="template ids or YAML paths (default: all shipped)")
    t.set_defaults(fn=cmd_templates)

    b = sub.add_parser("build", help="generate a 自评表 workbook")
    b.add_argument("--template", help="template id or YAML path")
    b.add_argument("--department", help="部门(单位)名称")
    b.add_argument("--year", type=int)
    b.add_argument("--inputs", help="YAML file with template, department, year and values (see examples/)")
    b.add_argument("-o", "--output", help="output .xlsx")
    b.add_argument("--prefill", help="CSV or XLSX, one row per department")
    b.add_argument("--out-dir", help="output folder for --prefill")
    b.add_argument("--password", help="sheet protection password (none by default)")
    b.add_argument("--sign-key", help="file holding an HMAC key; embeds a signature of the locked content")
    b.add_argument("--jobs", type=int, default=1, help="processes for --prefill")
    b.add_argument("--macros", action="store_true", help="an .xlsm with the xlwings VBA module and UDF settings")
    b.add_argument("--udf-cells", action="store_true", help="with --macros: leaf scores call the WB_* UDFs")
    b.set_defaults(fn=cmd_build)

    s = sub.add_parser("score", help="compute scores with the Python engine from an inputs YAML")
    s.add_argument("inputs")
    s.add_argument("--template")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_score)

    v = sub.add_parser("validate", help="validate returned workbooks (files and folders)")
    v.add_argument("paths", nargs="+")
    v.add_argument("--json", action="store_true")
    v.add_argument("--report", help="write the findings to this .xlsx")
    v.add_argument("--sign-key", help="verify signatures with this key file")
    v.add_argument("--jobs", type=int, default=1, help="processes")
    v.set_defaults(fn=cmd_validate)

    c = sub.add_parser("consolidate", help="validate a folder and write a 汇总表")
    c.add_argument("folder")
    c.add_argument("-o", "--output", required=True)
    c.add_argument("--sign-key")
    c.add_argument("--jobs", type=int, default=1)
    c.set_defaults(fn=cmd_consolidate)
    return p


def main(argv: list[str] | None = None) -> int:
    a = parser().parse_args(argv)
    try:
        return a.fn(a)
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
