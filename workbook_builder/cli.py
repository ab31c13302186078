"""The ``workbook-builder`` command."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
from pathlib import Path

import yaml

from . import atomic
from .checker import check_template, errors, place
from .engine import compute
from .loader import TemplateError, load_template, template_paths
from .paths import ENV, add_template_dirs
from .signing import read_key
from .values import ValuesError, normalise
from .workers import interrupted_line, on_signals, status


class Stop(Exception):
    """A user error: one Chinese line, then the exit status."""

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


def _yaml_error(path: str, e: yaml.YAMLError) -> str:
    mark = getattr(e, "problem_mark", None)
    where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
    return f"{path} 不是有效的 YAML 文件{('（' + where + '）') if where else ''}"


def _load(ref: str | None, build: bool = False):
    """The template ``ref``; with ``build``, refused unless the full checker finds no error."""
    t = _load_only(ref)
    if build:
        errs = errors(check_template(t))
        if errs:
            shown = "；".join(f"{i.message}（{place(i.path)}）" for i in errs[:3]) + ("…" if len(errs) > 3 else "")
            raise Stop(f"模板 {ref} 有 {len(errs)} 处错误，不能生成工作簿：{shown}。请改正后用 templates check 检查")
    return t


def _load_only(ref: str | None):
    if not ref:
        raise Stop("需要 --template（模板编号，如 qingcheng_2024，或模板 .yaml 文件路径）")
    try:
        return load_template(ref)
    except TemplateError as e:
        msg, at = e.errors[0]
        raise Stop(f"模板有错误，请先运行 templates check：{msg}{' @ ' + place(at) if at else ''}（{e.source}）") from None
    except yaml.YAMLError as e:
        raise Stop(_yaml_error(ref, e)) from None
    except FileNotFoundError as e:
        raise Stop(str(e)) from None
    except (OSError, UnicodeDecodeError):
        raise Stop(f"无法读取模板文件 {ref}") from None


def _key(path: str | None) -> bytes | None:
    try:
        return read_key(path) if path else None
    except ValueError as e:
        raise Stop(str(e)) from None


def cmd_templates(a) -> int:
    if a.action in ("export", "import"):
        return _export_import(a)
    if a.action == "check" and a.output:
        if len(a.refs) != 1 or Path(a.refs[0]).suffix.lower() != ".xlsx":
            raise Stop("templates check -o 只用于一个指标体系工作簿（.xlsx）")
        atomic.check_name(a.output, (".xlsx",), "-o")
        if Path(a.output).resolve() == Path(a.refs[0]).resolve():
            raise Stop("-o 不能是被检查的文件本身（它会被覆盖），请另起一个文件名")
    if a.action == "check":
        refs = a.refs or [str(p) for p in template_paths()]
        bad = 0
        for ref in refs:
            try:
                t = load_template(ref)
            except TemplateError as e:
                print(f"{ref}：有错误，共 {len(e.errors)} 处")
                for msg, path in e.errors:
                    print(f"  错误 {msg}" if not path else f"  错误 [schema] {msg} @ {place(path)}")
                if a.output:
                    _write_checked(Path(ref), Path(a.output))
                bad += 1
                continue
            except yaml.YAMLError as e:
                print(f"{ref}：有错误\n  错误 [yaml] {_yaml_error(ref, e)}")
                bad += 1
                continue
            except (FileNotFoundError, OSError, UnicodeDecodeError) as e:
                print(f"{ref}：有错误\n  错误 [file] {e if isinstance(e, FileNotFoundError) else '无法读取该文件'}")
                bad += 1
                continue
            issues = check_template(t)
            if Path(ref).suffix.lower() == ".xlsx":
                _print_readings(Path(ref))
                if a.output:
                    _write_checked(Path(ref), Path(a.output))
            status = "有错误" if errors(issues) else "通过"
            print(f"{t.id}（{Path(t.source_path).name}）：{status}，错误 {len(errors(issues))} 个，"
                  f"警告 {len(issues) - len(errors(issues))} 个")
            for i in issues:
                print(f"  {i}")
            bad += bool(errors(issues))
        return 1 if bad else 0
    from .loader import is_shipped
    for p in template_paths():
        try:
            t = load_template(p)
        except Exception:  # noqa: BLE001 - listed as broken, checked by `templates check`
            print(f"{p.stem:<18} （模板有错误，请运行 templates check {p}）")
            continue
        where = "" if is_shipped(p) else f"  [{p.parent}]"
        print(f"{t.id:<18} v{t.version:<5} {t.year}  {t.region:<16} {t.title}  "
              f"（{sum(1 for _ in t.leaves())} 个评分项）{where}")
    return 0


def _print_readings(path: Path) -> None:
    """What import understood of each 评分标准 it read (计分方法 left blank), for the bureau to confirm."""
    from .loader import load_authoring
    _, got = load_authoring(path)
    for w in got.warnings:
        print(f"  提醒 {w}")
    for r in got.readings:
        if r.from_text:
            print(f"  第{r.row}行 {r.name}：按评分标准识别为：{r.reading}")


def _write_checked(src: Path, out: Path) -> None:
    """A copy of the bureau's workbook with each 指标体系 row's reading, or its errors, in 解析结果."""
    from .authoring.annotate import annotate
    from .authoring.read import AuthoringError, read_workbook
    from .loader import load_authoring
    readings: dict[int, str] = {}
    problems: dict[int, list[str]] = {}
    try:
        t, got = load_authoring(src)
        from_text = {r.row for r in got.readings if r.from_text}
        from .rules import rule_for
        for leaf in t.leaves():
            m = re.search(r"第(\d+)行", leaf.path)
            if m:
                row = int(m.group(1))
                words = rule_for(leaf).describe(leaf)
                readings[row] = f"按评分标准识别为：{words}" if row in from_text else words
        warnings = got.warnings
    except TemplateError:
        try:
            read_workbook(src)
            warnings = []
        except AuthoringError as e:
            warnings = e.problems
            for r in e.readings:
                if r.reading:  # every row's reading, chosen 计分方法 or read from text, while others have errors
                    readings[r.row] = r.reading
    for p in warnings:
        if p.row and p.sheet == "指标体系":
            problems.setdefault(p.row, []).append(f"{p.message}{'；请' + p.fix if p.fix else ''}")
    from .xlsxscan import SheetTooLarge
    try:
        with atomic.atomic_path(out) as tmp:
            n = annotate(src, tmp, readings, problems)
    except SheetTooLarge as e:
        raise Stop(f"{src.name}：{e}；未写出 {out}") from None
    print(f"已写出 {out}（“解析结果”列写了 {n} 行：程序的理解，或要修改的地方）")


def _export_import(a) -> int:
    from .authoring.export import export
    if a.all and a.action == "export":
        if not a.output:
            raise Stop("templates export --all 需要 -o 文件夹")
        out = Path(a.output)
        out.mkdir(parents=True, exist_ok=True)
        for p in template_paths():
            t = _load(str(p))
            with atomic.atomic_path(out / f"{t.id}.xlsx") as tmp:
                export(t, tmp)
            print(f"已写出 {out / (t.id + '.xlsx')}")
        return 0
    if len(a.refs) != 1 or not a.output:
        raise Stop(f"用法：templates {a.action} 模板 -o 文件（{'.xlsx' if a.action == 'export' else '.yaml'}）")
    ref, out = a.refs[0], Path(a.output)
    if a.action == "export":
        atomic.check_name(out, (".xlsx",), "-o")
        t = _load(ref)
        with atomic.atomic_path(out) as tmp:
            export(t, tmp)
        print(f"已写出 {out}")
        return 0
    if Path(ref).suffix.lower() != ".xlsx":
        raise Stop(f"templates import 读入指标体系工作簿（.xlsx）：{ref}")
    atomic.check_name(out, (".yaml", ".yml"), "-o")
    from .loader import load_authoring
    try:
        t, got = load_authoring(Path(ref))
    except TemplateError as e:
        print(f"{ref}：有错误，共 {len(e.errors)} 处")
        for msg, path in e.errors:
            print(f"  错误 {msg}" + (f" @ {place(path)}" if path else ""))
        return 1
    except FileNotFoundError:
        raise Stop(f"找不到文件 {ref}") from None
    issues = check_template(t)
    for i in issues:
        print(f"  {i}")
    if errors(issues):
        return 1
    _print_readings(Path(ref))
    atomic.write_text(out, "# 由指标体系工作簿生成：workbook-builder templates import " + Path(ref).name + "\n"
                      + yaml.safe_dump(got.data, allow_unicode=True, sort_keys=False, width=1000))
    print(f"已写出 {out}（{sum(1 for _ in t.leaves())} 个评分项）")
    return 0


def cmd_rubric(a) -> int:
    from . import rubric
    try:
        if a.weight is None or a.weight <= 0:
            raise Stop("--weight 应为大于 0 的分值")
        if a.actual and a.met is not None:
            raise Stop("--actual 和 --met 只能给一个")
        met = None
        if a.met is not None:
            try:
                met = [int(x) for x in re.split(r"[,，、\s]+", a.met.strip()) if x]
            except ValueError:
                raise Stop(f"--met 应为项的序号，用逗号分隔（如 1,3）：{a.met}") from None
        out = rubric.run(a.text, a.weight, a.target, a.actual, met, a.unit or "", a.na)
    except rubric.ValueProblem as e:
        raise Stop(str(e)) from None
    if a.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"识别：{'是' if out['recognised'] else '否'}")
        if out["recognised"]:
            print(f"计分方法：{out['label']}")
            if out.get("params"):
                print(f"参数：{out['params']}")
        print(f"解读：{out['reading']}")
        for p in out["problems"]:
            print(f"提醒：{p}")
        if "score" in out:
            print(f"得分：{out['score']:g}")
        elif "score_range" in out:
            lo, hi = out["score_range"]
            print(f"得分范围：{lo:g}～{hi:g} 分（在该范围内填写自评分）")
    return 0 if out["recognised"] else 1


def read_inputs_file(path: str) -> dict:
    """An inputs file (YAML: template, department, year, values), or Stop with the reason in Chinese."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
    except FileNotFoundError:
        raise Stop(f"找不到文件 {path}") from None
    except UnicodeDecodeError:
        raise Stop(f"{path} 不是 UTF-8 编码的 YAML 文件（表格请用 --prefill 读入）") from None
    except yaml.YAMLError as e:
        raise Stop(_yaml_error(path, e)) from None
    except OSError:
        raise Stop(f"无法读取文件 {path}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("values", {}), dict):
        raise Stop(f"{path} 不是填报数据文件：应包含 template、department、year 和 values（见 examples/）")
    return doc


def _stopped_build(e: BaseException, out_dir: Path) -> int:
    """A build of many files interrupted (Ctrl-C, a signal) or unable to write: one line saying how far it got."""
    from . import manifest
    left = manifest.status(out_dir)
    if isinstance(e, KeyboardInterrupt):
        say(f"{interrupted_line(e)}；{left or '没有生成文件'}")
        return status(e)
    raise Stop(f"{e}{'；' + left if left else ''}") from None


def cmd_build(a) -> int:
    from .render import build_workbook

    key = _key(a.sign_key)
    if a.prefill:
        from .prefill import build_many
        if not a.out_dir:
            raise Stop("build --prefill 需要 --out-dir 文件夹（每个部门一份工作簿，都写在这个文件夹里）")
        if a.output:
            raise Stop("build --prefill 用 --out-dir 文件夹，不用 -o")
        t = _load(a.template, build=True)
        if a.jobs < 1:
            raise Stop("--jobs 应为 1 或更大的整数")
        out_dir = Path(a.out_dir or ".")
        try:
            return build_many(t, Path(a.prefill), out_dir, year=a.year, password=a.password,
                              sign_key=key, jobs=a.jobs, sheet=a.sheet, header_row=a.header_row)
        except (KeyboardInterrupt, atomic.OutputError) as e:
            return _stopped_build(e, out_dir)
    doc = read_inputs_file(a.inputs) if a.inputs else {}
    t = _load(a.template or doc.get("template") or "", build=True)
    dept = a.department or doc.get("department")
    if not dept or not str(dept).strip():
        raise Stop("需要 --department 部门名称（或 --inputs 文件中的 department）")
    dept = str(dept).strip()
    from .textcheck import text_problem
    if bad := text_problem(dept, "部门名称"):
        raise Stop(bad)
    year = a.year or doc.get("year") or t.year
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise Stop(f"年度 {year!r} 不是 2000～2100 之间的年份")
    out = Path(a.output or f"{dept}-{year}.{'xlsm' if a.macros else 'xlsx'}")
    atomic.check_name(out, (".xlsm",) if a.macros else (".xlsx",), "--macros 时 -o" if a.macros else "-o")
    try:
        values = normalise(t, doc.get("values") or {})
    except ValuesError as e:
        raise Stop(f"{a.inputs}：" + "；".join(e.problems)) from None
    data = build_workbook(t, dept, year, values, password=a.password, sign_key=key,
                          macros=a.macros, udf_cells=a.udf_cells)
    atomic.write_bytes(out, data)
    res = compute(t, values)
    shown = f"总分 {res.total:g}，等级 {res.grade}" if res.total is not None else "尚未填完，总分暂不计算"
    print(f"已生成 {out}（{t.title}，{shown}）")
    return 0


def cmd_score(a) -> int:
    doc = read_inputs_file(a.inputs)
    t = _load(a.template or doc.get("template") or "", build=True)
    try:
        res = compute(t, normalise(t, doc.get("values") or {}))
    except ValuesError as e:
        raise Stop(f"{a.inputs}：" + "；".join(e.problems)) from None
    if a.json:
        print(json.dumps({"template": t.id, "total": res.total, "grade": res.grade, "scores": res.scores,
                          "derived": res.derived}, ensure_ascii=False, indent=1))
        return 0
    for n in t.nodes():
        s = res.scores[n.id]
        print(f"{'  ' * (n.depth - 1)}{n.name:<24} {n.weight:>6g} {'' if s is None else f'{s:g}':>7}")
    print(f"总分 {res.total:g}  等级 {res.grade}" if res.total is not None else "总分：尚未填完（有评分项为空）")
    return 0


def cmd_prefill_template(a) -> int:
    from .prefill_template import write_prefill_template
    t = _load(a.template, build=True)
    out = Path(a.output)
    atomic.check_name(out, (".xlsx",), "-o")
    with atomic.atomic_path(out) as tmp:
        write_prefill_template(t, tmp, a.year or t.year)
    print(f"已生成 {out}：每行填一个部门，再用 build --template {a.template} --prefill {out} --out-dir 文件夹 生成工作簿")
    return 0


def cmd_serve(a) -> int:
    from .console.server import serve
    if not 0 <= a.port <= 65535:
        raise Stop(f"端口 {a.port} 无效，应为 1～65535（0 表示任选一个空闲端口）")
    return serve(a.data, a.host, a.port, a.db)


def cmd_validate(a) -> int:
    from .reader.cli import validate_main
    return validate_main(a)


def cmd_consolidate(a) -> int:
    from .reader.cli import consolidate_main
    return consolidate_main(a)


_ARG_ERRORS = [
    (re.compile(r"argument (?:cmd|命令): invalid choice: (\S+)"), "没有这个命令：{0}"),
    (re.compile(r"required: 命令"), "缺少命令（templates、rubric、build、prefill-template、score、validate、consolidate、serve）"),
    (re.compile(r"the following arguments are required: (.+)"), "缺少参数 {0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数 {0}"),
    (re.compile(r"argument (\S+): invalid int value: (.+)"), "参数 {0} 应为整数，实际为 {1}"),
    (re.compile(r"argument (\S+): invalid float value: (.+)"), "参数 {0} 应为数字，实际为 {1}"),
    (re.compile(r"argument (\S+): invalid choice: (\S+)"), "参数 {0} 的取值 {1} 无效"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 后面需要一个值"),
    (re.compile(r"argument (\S+): expected at least one argument"), "参数 {0} 后面至少需要一个值"),
    (re.compile(r"ambiguous option: (\S+) could match (.+)"), "选项 {0} 不完整，可能是 {1}，请写全"),
    (re.compile(r"invalid choice: (\S+)"), "没有这个命令：{0}"),
]


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        # argparse asks with prefix '' for a sub-command's name: only a real usage line gets 用法：
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse in Chinese: help, and a bad command line answered with one Chinese line and exit status 2."""

    def __init__(self, *args, **kw):
        kw.setdefault("formatter_class", _Formatter)
        kw["add_help"] = False
        super().__init__(*args, **kw)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def add_argument(self, *args, **kw):
        if isinstance(kw.get("help"), str):  # a literal % (≥95%) is not a format directive
            kw["help"] = re.sub(r"%(?!\()", "%%", kw["help"])
        return super().add_argument(*args, **kw)

    def error(self, message: str):
        choices = self._choices_named(message)
        for pat, text in _ARG_ERRORS:
            m = pat.search(message)
            if m:
                message = text.format(*(g.strip("'") for g in m.groups()))
                break
        else:
            message = "命令参数有误"
        if choices:
            message += f"（可选：{choices}）"
        prog = self.prog.replace("用法：", "").strip()
        self.exit(2, f"错误: {message}。用 {prog} --help 查看用法。\n")

    def _choices_named(self, message: str) -> str:
        """The choices of the argument an argparse message is about ('' if it has none)."""
        for act in self._actions:
            names = [act.metavar or act.dest, *act.option_strings]
            if act.choices and any(f"argument {n}:" in message or message.endswith(f": {n}") for n in names):
                return "、".join(map(str, act.choices))
        return ""


def cmd_projects(a) -> int:
    """项目支出绩效自评表: list the forms, or build one workbook per department from a 项目清单."""
    from .layout import safe_filename
    from .projects.form import FormError, find_form, project_forms
    from .projects.listing import ListError, read_listing
    from .projects.render import build_project_workbook
    from .tables import TableError
    if a.action == "forms":
        for f in project_forms().values():
            print(f"{f.id}\t{f.title}\t{f.region}\t版本 {f.version}")
        return 0
    if not a.list or not a.out:
        raise Stop("projects build 需要 --list 项目清单 和 -o 输出文件夹")
    year = a.year or dt.date.today().year - 1
    if not 2000 <= year <= 2100:
        raise Stop(f"年度 {year} 不是 2000～2100 之间的年份")
    key = _key(a.sign_key)
    if a.max_fund is not None and not (0 < a.max_fund <= 1e8):
        raise Stop("--max-fund 应为大于 0 的万元数（如 50000）")
    notes: list[str] = []
    try:
        form = find_form(a.form)
        listed = read_listing(form, Path(a.list), Path(a.indicators) if a.indicators else None,
                              header_row=a.header_row, option="--header-row", max_fund=a.max_fund, notes=notes)
    except (FormError, TableError) as e:
        raise Stop(str(e)) from None
    except ListError as e:
        for line in notes[:100] + e.problems:
            print(line, file=sys.stderr)
        raise Stop("项目清单有问题（见上方），未生成任何文件", 1) from None
    for line in notes[:100]:
        print(f"注意: {line}")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    from . import manifest
    for line in manifest.previous(out):
        print(line, file=sys.stderr)
    names = {dept: f"{safe_filename(dept)}-项目-{year}.xlsx" for dept in listed}
    manifest.start(out, list(names.values()))
    done = []
    try:
        for dept, got in listed.items():
            path = out / names[dept]
            atomic.write_bytes(path, build_project_workbook(form, dept, year, got.projects, got.values,
                                                            password=a.password, sign_key=key))
            done.append(path)
            print(f"{path}\t{len(got.projects)} 个项目")
    except (KeyboardInterrupt, atomic.OutputError) as e:
        return _stopped_build(e, out)
    manifest.finish(out, done)
    return 0


def _listing_options(p) -> None:
    p.add_argument("--against", metavar="预填名单", help="自评表按财政局生成时所用的预填名单核对预填的数值（如全年预算数）")
    p.add_argument("--projects", metavar="项目清单", help="项目工作簿按财政局的项目清单核对：项目、指标、分值和资金")
    p.add_argument("--indicators", metavar="绩效指标表", help="与 --projects 一起：预填指标的绩效指标表")
    p.add_argument("--form", default="national_project_2020", metavar="表样", help="与 --projects 一起：项目清单所用的表样")
    _max_fund_option(p)


def _max_fund_option(p) -> None:
    from .projects.listing import DEFAULT_MAX_FUND
    p.add_argument("--max-fund", type=float, metavar="万元",
                   help=f"一个项目资金的上限（万元，默认 {DEFAULT_MAX_FUND:g}，即 10 亿元）：清单中超过的金额多半是把元填成了万元")


def _templates_option(p) -> None:
    p.add_argument("--templates", action="append", default=[], metavar="文件夹",
                   help="自定义模板所在的文件夹（可多次给出；也可设置环境变量 WORKBOOK_BUILDER_TEMPLATES）")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="workbook-builder", description="部门整体支出绩效自评表：模板、生成、校验")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser, title="命令", metavar="命令")

    t = sub.add_parser("templates", help="列出模板，或检查模板（templates check [模板 …]）")
    t.add_argument("action", nargs="?", choices=["list", "check", "export", "import"], default="list",
                   metavar="操作", help="list（默认）、check、export 或 import")
    t.add_argument("refs", nargs="*", metavar="模板", help="模板编号、.yaml 文件或指标体系工作簿 .xlsx（check 默认：全部）")
    t.add_argument("-o", "--output", metavar="文件",
                   help="export：写出的指标体系 .xlsx（--all 时为文件夹）；import：写出的 .yaml；check：写出已填好解析结果的 .xlsx")
    t.add_argument("--all", action="store_true", help="export：导出全部模板（-o 为文件夹）")
    _templates_option(t)
    t.set_defaults(fn=cmd_templates)

    r = sub.add_parser("rubric", help="识别一条评分标准：计分方法、参数；给出实际值时计算得分")
    r.add_argument("text", metavar="评分标准")
    r.add_argument("--weight", type=float, required=True, metavar="分值")
    r.add_argument("--target", metavar="年度指标值", help="可带比较方向，如 ≥95%、≤100%")
    r.add_argument("--actual", metavar="实际值", action="append",
                   help="数字、百分比（95%）、等级名称、是/否、项数或“不适用”；几个数值写成 名称=值（可重复，或用逗号分隔：覆盖率=96%,回访次数=2；问题=2 为问题个数）")
    r.add_argument("--na", action="store_true", help="本项不适用（同 --actual 不适用）")
    r.add_argument("--met", metavar="序号", help="做到的①②③项的序号，用逗号分隔（如 1,3）")
    r.add_argument("--unit", metavar="单位", help="指标的单位（% 表示百分比指标）")
    r.add_argument("--json", action="store_true", help="以 JSON 输出")
    r.set_defaults(fn=cmd_rubric)

    b = sub.add_parser("build", help="生成自评表工作簿（一个部门，或按名单每个部门一份）")
    b.add_argument("--template", metavar="模板", help="模板编号（如 qingcheng_2024）或模板 .yaml 文件")
    b.add_argument("--department", metavar="名称", help="部门(单位)名称")
    b.add_argument("--year", type=int, metavar="年度", help="年度（默认：模板的年度）")
    b.add_argument("--inputs", metavar="文件", help="填报数据文件（YAML：template、department、year、values，见 examples/）")
    b.add_argument("-o", "--output", metavar="文件", help="生成的 .xlsx（--macros 时为 .xlsm）")
    b.add_argument("--prefill", metavar="名单", help="名单：CSV 或 Excel 表格，每行一个部门（可用 prefill-template 生成）")
    b.add_argument("--sheet", metavar="工作表", help="--prefill 名单所在的工作表（默认：找到表头的第一个工作表）")
    b.add_argument("--header-row", type=int, metavar="行号", help="--prefill 名单表头所在的行号（默认：自动查找）")
    b.add_argument("--out-dir", metavar="文件夹", help="--prefill 时生成文件的文件夹")
    b.add_argument("--password", metavar="密码", help="工作表保护密码（默认无密码）")
    b.add_argument("--sign-key", metavar="密钥文件", help="用财政局保管的密钥签名（校验时可发现伪造的部门、年度和锁定内容）")
    b.add_argument("--jobs", type=int, default=1, metavar="进程数", help="--prefill 时同时使用的进程数")
    b.add_argument("--macros", action="store_true", help="生成带 xlwings 宏的 .xlsm（仅 Windows Excel，见 macros/README.md）")
    b.add_argument("--udf-cells", action="store_true", help="与 --macros 一起：得分单元格调用 WB_* 自定义函数")
    _templates_option(b)
    b.set_defaults(fn=cmd_build)

    pt = sub.add_parser("prefill-template", help="生成名单表格（.xlsx）：中文表头、单位、示例行、下拉选项")
    pt.add_argument("--template", required=True, metavar="模板", help="模板编号或 .yaml 文件")
    pt.add_argument("--year", type=int, metavar="年度", help="年度（默认：模板的年度）")
    pt.add_argument("-o", "--output", required=True, metavar="名单.xlsx")
    _templates_option(pt)
    pt.set_defaults(fn=cmd_prefill_template)

    s = sub.add_parser("score", help="按填报数据文件计算得分、小计、总分和等级")
    s.add_argument("inputs", metavar="填报数据文件")
    s.add_argument("--template", metavar="模板", help="模板编号或 .yaml 文件（默认：文件中的 template）")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")
    _templates_option(s)
    s.set_defaults(fn=cmd_score)

    pj = sub.add_parser("projects", help="项目支出绩效自评表：projects forms 列出表样；projects build 按项目清单每个部门生成一份")
    pj.add_argument("action", choices=["forms", "build"], metavar="操作", help="forms 或 build")
    pj.add_argument("--form", default="national_project_2020", metavar="表样", help="表样编号（默认 national_project_2020）或 .yaml 文件")
    pj.add_argument("--list", metavar="项目清单", help="项目清单（.xlsx 或 .csv）：部门、项目名称、资金")
    pj.add_argument("--indicators", metavar="绩效指标表", help="可选：绩效指标表（.xlsx 或 .csv），预填各项目的三级指标")
    pj.add_argument("--year", type=int, metavar="年度", help="年度（默认上一年）")
    pj.add_argument("--password", metavar="密码", help="工作表保护密码")
    pj.add_argument("--sign-key", metavar="密钥文件", help="用财政局保管的密钥签名（校验时可发现伪造的项目、指标、部门和年度）")
    pj.add_argument("-o", "--out", metavar="文件夹", help="输出文件夹")
    pj.add_argument("--header-row", type=int, metavar="行号", help="--list 项目清单表头所在的行号（默认：自动查找）")
    _max_fund_option(pj)
    pj.set_defaults(fn=cmd_projects)
    v = sub.add_parser("validate", help="校验收回的工作簿（文件或文件夹）；退出码 0 通过，1 有问题，2 无法运行")
    v.add_argument("paths", nargs="+", metavar="文件或文件夹")
    v.add_argument("--json", action="store_true", help="以 JSON 输出每份文件的结果")
    v.add_argument("--report", metavar="报告.xlsx", help="把问题清单写入这个 .xlsx")
    v.add_argument("--sign-key", metavar="密钥文件", help="用生成时的密钥核对签名")
    v.add_argument("--jobs", type=int, default=1, metavar="进程数", help="同时使用的进程数")
    _listing_options(v)
    _templates_option(v)
    v.set_defaults(fn=cmd_validate)

    sv = sub.add_parser("serve", help="启动网页工作台（财政局和各部门在浏览器中完成整轮工作）")
    sv.add_argument("--data", default="工作台数据", metavar="文件夹", help="数据（数据库和收到的文件）所在的文件夹")
    sv.add_argument("--host", default="127.0.0.1", metavar="地址", help="监听的地址（默认只允许本机访问）")
    sv.add_argument("--port", type=int, default=8000, metavar="端口", help="端口（默认 8000）")
    sv.add_argument("--db", metavar="数据库地址", help="用 PostgreSQL 代替内置数据库，如 postgresql://用户@主机/库名")
    _templates_option(sv)
    sv.set_defaults(fn=cmd_serve)

    c = sub.add_parser("consolidate", help="校验一个文件夹并生成汇总表（汇总、得分、问题）")
    c.add_argument("folder", metavar="文件夹")
    c.add_argument("-o", "--output", required=True, metavar="汇总表.xlsx")
    c.add_argument("--sign-key", metavar="密钥文件", help="用生成时的密钥核对签名")
    c.add_argument("--jobs", type=int, default=1, metavar="进程数", help="同时使用的进程数")
    _listing_options(c)
    _templates_option(c)
    c.set_defaults(fn=cmd_consolidate)
    return p


#: options whose value may begin with "-" (a negative number or percent: --actual -10%)
SIGNED = ("--actual", "--target", "--weight")
_SIGNED_VALUE = re.compile(r"^[-−－][\d.,，０-９]")


def signed_values(argv: list[str]) -> list[str]:
    """``--actual -10%`` as ``--actual=-10%``: argparse would take a value starting with '-' for an option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in SIGNED and i + 1 < len(argv) and _SIGNED_VALUE.match(argv[i + 1]):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    a = parser().parse_args(signed_values(sys.argv[1:] if argv is None else list(argv)))
    with on_signals():  # SIGTERM, SIGHUP: stopped like Ctrl-C (workers stopped, valid output, exit 128 + signal)
        return _run(a)


def _run(a) -> int:
    try:
        for d in getattr(a, "templates", []) or []:
            if not (Path(d).is_dir() or Path(d).suffix.lower() in (".yaml", ".yml", ".xlsx") and Path(d).is_file()):
                raise Stop(f"--templates {d} 不是文件夹，也不是模板文件（.yaml 或指标体系 .xlsx）")
        if getattr(a, "templates", None):
            add_template_dirs(a.templates)
        if hasattr(a, "templates") and os.environ.get(ENV, "").strip():
            from .loader import overrides
            for tid, path in overrides():
                print(f"使用 {path.parent} 中的模板 {tid}（{path.name}，与内置模板同编号，以此为准）", file=sys.stderr)
        return a.fn(a)
    except Stop as e:
        say(f"错误: {e}")
        return e.status
    except atomic.OutputError as e:
        say(f"错误: {e}")
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    except KeyboardInterrupt as e:
        say(interrupted_line(e))
        return status(e)
    except Exception as e:  # noqa: BLE001 - never a traceback: one Chinese line, exit status 2
        say(f"错误: 无法完成（{_reason(e)}）")
        return 2


def say(line: str) -> None:
    """A last line on stderr, on a line of its own: progress bars still open are ended first."""
    from tqdm import tqdm
    for bar in list(getattr(tqdm, "_instances", ())):
        bar.close()
    print(line, file=sys.stderr)


def _reason(e: Exception) -> str:
    if isinstance(e, FileNotFoundError):
        return f"找不到文件 {e.filename}"
    if isinstance(e, PermissionError):
        return f"没有权限读写 {e.filename}"
    if isinstance(e, IsADirectoryError):
        return f"{e.filename} 是文件夹"
    if isinstance(e, UnicodeDecodeError):
        return "文件编码无法识别，请另存为 UTF-8"
    if isinstance(e, OSError) and e.errno:
        return f"{atomic.reason(e)}：{e.filename}" if e.filename else atomic.reason(e)
    if isinstance(e, yaml.YAMLError):
        mark = getattr(e, "problem_mark", None)
        return f"YAML 格式错误（第 {mark.line + 1} 行第 {mark.column + 1} 列）" if mark else "YAML 格式错误"
    if isinstance(e, ValueError) and any("\u4e00" <= ch <= "\u9fff" for ch in str(e)):
        return str(e)  # our own Chinese messages
    return f"内部错误 {type(e).__name__}"


if __name__ == "__main__":
    sys.exit(main())
