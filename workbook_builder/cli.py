"""The ``workbook-builder`` command."""

from __future__ import annotations

import argparse
import json
import re
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


_ARG_ERRORS = [
    (re.compile(r"argument cmd: invalid choice: (\S+)"), "没有这个命令：{0}"),
    (re.compile(r"the following arguments are required: (.+)"), "缺少参数 {0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数 {0}"),
    (re.compile(r"argument (\S+): invalid int value: (.+)"), "参数 {0} 应为整数，实际为 {1}"),
    (re.compile(r"argument (\S+): invalid choice: (\S+)"), "参数 {0} 的取值 {1} 无效"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 后面需要一个值"),
    (re.compile(r"invalid choice: (\S+)"), "没有这个命令：{0}"),
]


class _Parser(argparse.ArgumentParser):
    """argparse answering a bad command line with one Chinese line and exit status 2."""

    def error(self, message: str):
        for pat, text in _ARG_ERRORS:
            m = pat.search(message)
            if m:
                message = text.format(*m.groups())
                break
        else:
            message = "命令参数有误"
        self.exit(2, f"错误: {message}。用 {self.prog} --help 查看用法。\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="workbook-builder", description="部门整体支出绩效自评表：模板、生成、校验")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

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
    v.add_argument("paths", nargs="+", metavar="文件或文件夹")
    v.add_argument("--json", action="store_true")
    v.add_argument("--report", help="write the findings to this .xlsx")
    v.add_argument("--sign-key", help="verify signatures with this key file")
    v.add_argument("--jobs", type=int, default=1, help="processes")
    v.set_defaults(fn=cmd_validate)

    c = sub.add_parser("consolidate", help="validate a folder and write a 汇总表")
    c.add_argument("folder", metavar="文件夹")
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
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - never a traceback: one Chinese line, exit status 2
        print(f"错误: 无法完成（{_reason(e)}）", file=sys.stderr)
        return 2


def _reason(e: Exception) -> str:
    if isinstance(e, FileNotFoundError):
        return f"找不到文件 {e.filename}"
    if isinstance(e, PermissionError):
        return f"没有权限读写 {e.filename}"
    if isinstance(e, IsADirectoryError):
        return f"{e.filename} 是文件夹"
    if isinstance(e, UnicodeDecodeError):
        return "文件编码无法识别，请另存为 UTF-8"
    if isinstance(e, yaml.YAMLError):
        mark = getattr(e, "problem_mark", None)
        return f"YAML 格式错误（第 {mark.line + 1} 行第 {mark.column + 1} 列）" if mark else "YAML 格式错误"
    if isinstance(e, ValueError) and any("\u4e00" <= ch <= "\u9fff" for ch in str(e)):
        return str(e)  # our own Chinese messages
    return f"内部错误 {type(e).__name__}"


if __name__ == "__main__":
    sys.exit(main())
