"""Every command answers a bad invocation with one Chinese line and a non-zero exit: never a traceback."""

import re
from pathlib import Path

import pytest

from workbook_builder.cli import main

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "broken.yaml").write_text("template: qingcheng_2024\ndepartment: 甲局\nvalues: {a: [1, 2}\n", encoding="utf-8")
    (tmp_path / "x.csv").write_text("部门名称,年度\n甲局,2024\n", encoding="gbk")
    (tmp_path / "bad_template.yaml").write_text("id: x\n  bad: [\n", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    (tmp_path / "typo.yaml").write_text("template: qingcheng_2024\ndepartment: 甲局\nvalues: {total_exectued: 1}\n", encoding="utf-8")
    (tmp_path / "empty.key").write_bytes(b"")
    (tmp_path / "dir").mkdir()
    (tmp_path / "not.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return tmp_path


BAD = [
    [], ["frob"], ["build"], ["build", "--year", "abc"], ["build", "--template", "nope"],
    ["build", "--template", "qingcheng_2024"],  # no department
    ["build", "--inputs", "{d}/missing.yaml"], ["build", "--inputs", "{d}/broken.yaml"], ["build", "--inputs", "{d}/x.csv"],
    ["build", "--inputs", "{d}/list.yaml"], ["build", "--inputs", "{d}/typo.yaml", "-o", "{d}/o.xlsx"],
    ["build", "--inputs", "examples/qingcheng_2024.inputs.yaml", "--sign-key", "{d}/missing.txt", "-o", "{d}/o.xlsx"],
    ["build", "--inputs", "examples/qingcheng_2024.inputs.yaml", "--sign-key", "{d}/empty.key", "-o", "{d}/o.xlsx"],
    ["build", "--prefill", "{d}/x.csv"], ["build", "--template", "qingcheng_2024", "--prefill", "{d}/missing.csv"],
    ["build", "--template", "qingcheng_2024", "--prefill", "{d}/x.csv", "--sheet", "没有", "--out-dir", "{d}/o"],
    ["build", "--template", "qingcheng_2024", "--prefill", "{d}/x.csv", "--jobs", "0", "--out-dir", "{d}/o"],
    ["build", "--template", "{d}/bad_template.yaml", "--department", "甲"],
    ["build", "--inputs", "examples/qingcheng_2024.inputs.yaml", "--macros", "-o", "{d}/o.xlsx"],
    ["templates", "check", "{d}/bad_template.yaml"], ["templates", "check", "{d}/missing.yaml"], ["templates", "frob"],
    ["templates", "--templates", "{d}/missing-dir"],
    ["score"], ["score", "{d}/missing.yaml"], ["score", "{d}/broken.yaml"], ["score", "{d}/typo.yaml"],
    ["validate"], ["validate", "{d}/missing.xlsx"], ["validate", "{d}/dir"], ["validate", "--jobs", "x", "{d}"],
    ["validate", "--sign-key", "{d}/missing.key", "examples"],
    ["consolidate", "{d}/dir"], ["consolidate", "{d}/missing", "-o", "{d}/r.xlsx"], ["consolidate", "{d}"],
    ["prefill-template"], ["prefill-template", "--template", "nope", "-o", "{d}/m.xlsx"],
    ["prefill-template", "--template", "qingcheng_2024", "-o", "{d}/m.csv"],
    ["templates", "export"], ["templates", "export", "national_2020"], ["templates", "export", "nope", "-o", "{d}/a.xlsx"],
    ["templates", "export", "national_2020", "-o", "{d}/a.csv"], ["templates", "export", "--all"],
    ["templates", "import", "{d}/missing.xlsx", "-o", "{d}/a.yaml"], ["templates", "import", "{d}/x.csv", "-o", "{d}/a.yaml"],
    ["templates", "import", "{d}/not.xlsx", "-o", "{d}/a.yaml"], ["templates", "check", "{d}/not.xlsx"],
    ["build", "--template", "{d}/not.xlsx", "--department", "甲"],
    ["rubric"], ["rubric", "每超过1个百分点扣1分"], ["rubric", "x", "--weight", "abc"], ["rubric", "x", "--weight", "-1"],
    ["rubric", "以100%为标准，每超过1个百分点扣0.5分", "--weight", "5", "--actual", "abc"],
    ["rubric", "以100%为标准，每超过1个百分点扣0.5分", "--weight", "5", "--actual", "1", "--met", "1"],
    ["rubric", "以100%为标准，每超过1个百分点扣0.5分", "--weight", "5", "--target", "很高"],
    ["rubric", "酌情扣分", "--weight", "5"],
    ["validate", "--templates", "{d}/x.csv", "{d}"],
]


@pytest.mark.parametrize("argv", BAD, ids=lambda a: " ".join(a) or "(none)")
def test_bad_invocation_is_one_chinese_line_and_a_non_zero_exit(files, argv, capsys):
    argv = [a.format(d=files) for a in argv]
    try:
        status = main(argv)
    except SystemExit as e:  # argparse: usage errors
        status = e.code
    out, err = capsys.readouterr()
    assert status not in (0, None), (argv, out, err)
    assert "Traceback" not in err + out
    lines = [ln for ln in err.splitlines() if ln.strip() and "%|" not in ln]
    if lines:
        assert len(lines) <= 3 and all(CHINESE.search(ln) for ln in lines), lines
    else:
        assert CHINESE.search(out), out  # templates check and validate answer on standard output


@pytest.fixture()
def circular(tmp_path):
    """zizhou_2024 with two 计算指标 that use each other (templates check reports it)."""
    text = Path("templates/zizhou_2024.yaml").read_text(encoding="utf-8")
    text = text.replace("expr: staff_actual / staff_quota", "expr: staff_actual / procurement_rate")
    text = text.replace("expr: procurement_actual_items / procurement_budget_items",
                        "expr: procurement_actual_items / staff_control_rate")
    p = tmp_path / "circular.yaml"
    p.write_text(text, encoding="utf-8")
    assert main(["templates", "check", str(p)]) == 1
    return p


@pytest.mark.parametrize("argv", [
    ["build", "--template", "{t}", "--department", "甲局", "-o", "{d}/甲局.xlsx"],
    ["build", "--template", "{t}", "--prefill", "{d}/名单.csv", "--out-dir", "{d}/out"],
    ["prefill-template", "--template", "{t}", "-o", "{d}/名单.xlsx"],
    ["score", "{d}/inputs.yaml", "--template", "{t}"],
], ids=["build", "prefill", "prefill-template", "score"])
def test_a_template_with_errors_never_builds(circular, tmp_path, argv, capsys):
    d = tmp_path / "w"
    d.mkdir()
    (d / "名单.csv").write_text("部门名称,编制数\n甲局,10\n", encoding="utf-8")
    (d / "inputs.yaml").write_text("department: 甲局\nvalues: {}\n", encoding="utf-8")
    capsys.readouterr()
    assert main([a.format(t=circular, d=d) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "有 1 处错误，不能生成工作簿" in err and "procurement_rate" in err and err.count("\n") == 1
    assert sorted(p.name for p in d.rglob("*")) == ["inputs.yaml", "名单.csv"]


def _commands() -> list[list[str]]:
    """Every command and sub-command of the parser, as an argv prefix."""
    import argparse

    from workbook_builder.cli import parser
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    out = [[]] + [[name] for name in sub.choices]
    out += [["templates", x] for x in ("check", "export", "import")] + [["projects", x] for x in ("forms", "build")]
    return out


ASCII_PLACEHOLDER = re.compile(r"(?<![\w-])[A-Z][A-Z_]*(?![\w-])")


@pytest.mark.parametrize("argv", _commands(), ids=lambda a: " ".join(a) or "(top)")
def test_every_help_is_chinese_with_one_usage_and_no_traceback(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main([*argv, "--help"])
    out, err = capsys.readouterr()
    assert e.value.code == 0 and "Traceback" not in out + err
    assert out.startswith("用法：") and out.count("用法：") == 1 and "用法：用法" not in out
    usage = out.split("\n\n")[0]
    assert not ASCII_PLACEHOLDER.findall(usage.replace("[-h]", "")), usage  # --year 年度, -o 文件, 名单, 工作表 …
    options = [ln for ln in out.splitlines() if ln.strip().startswith("-")]
    for ln in options:
        assert not ASCII_PLACEHOLDER.findall(ln.split("  ")[0].strip()), ln


@pytest.mark.parametrize("argv,named", [
    (["projects"], "forms、build"),
    (["projects", "frobnicate"], "forms、build"),
    (["templates", "frobnicate"], "list、check、export、import"),
    (["rubric", "x", "--weight", "5", "--actual"], "--actual"),
    (["build", "--jobs", "x"], "--jobs"),
    (["build", "--te", "x"], "--template, --templates"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else a)
def test_argparse_leftovers_are_chinese_and_name_the_choices(argv, named, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.count("\n") == 1 and named in err
    assert not re.search(r"\baction\b|invalid|argument|choose", err), err


def test_negative_values_are_values_not_options(capsys):
    text = "以100%为标准，每超过1个百分点扣0.5分"
    assert main(["rubric", text, "--weight", "5", "--actual", "-10%"]) == 0
    assert "得分：5" in capsys.readouterr().out
    assert main(["rubric", "与上年相比，每下降1个百分点扣0.5分", "--weight", "5", "--target", "≥0%", "--actual", "-10%"]) == 0
    assert "得分：0" in capsys.readouterr().out
    assert main(["rubric", text, "--weight", "-1"]) == 2
    assert "--weight 应为大于 0 的分值" in capsys.readouterr().err
    assert main(["rubric", "以-5%为标准，每超过1个百分点扣0.5分", "--weight", "5", "--target", "-5%"]) in (0, 1)
    assert "Traceback" not in capsys.readouterr().err


def test_empty_folders_follow_one_rule(tmp_path, capsys):
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    (empty / "说明.md").write_text("只有说明", encoding="utf-8")
    assert main(["consolidate", str(empty), "-o", str(tmp_path / "汇总表.xlsx")]) == 2
    c = capsys.readouterr().err
    assert main(["validate", str(empty)]) == 2
    v = capsys.readouterr().err
    assert c == v == f"错误: 文件夹中没有工作簿：{empty}（应为部门交回的 .xlsx 文件）\n"
    assert not (tmp_path / "汇总表.xlsx").exists()


@pytest.mark.parametrize("argv,wrong", [
    (["build", "--inputs", "{r}/examples/qingcheng_2024.inputs.yaml", "-o", "{d}/a.docx"], "-o 应为 .xlsx 文件"),
    (["validate", "{r}/examples/庆城县自然资源局-2024.xlsx", "--report", "{d}/报告.docx"], "--report 应为 .xlsx 文件"),
    (["consolidate", "{r}/examples", "-o", "{d}/汇总表.pdf"], "-o 应为 .xlsx 文件"),
    (["build", "--template", "zizhou_2024", "--prefill", "{d}/名单.csv"], "build --prefill 需要 --out-dir 文件夹"),
], ids=["build", "report", "consolidate", "prefill-no-out-dir"])
def test_output_names_say_what_is_written(tmp_path, monkeypatch, argv, wrong, capsys):
    (tmp_path / "名单.csv").write_text("部门名称,编制数\n甲局,10\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = [a.format(d=tmp_path, r=Path.cwd()) for a in argv]
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert wrong in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, nothing scattered into the cwd


def test_a_file_that_is_not_a_workbook_is_explained_in_chinese(tmp_path, capsys):
    fake = tmp_path / "名单.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["build", "--template", "zizhou_2024", "--prefill", str(fake), "--out-dir", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "无法读取工作簿 名单.xlsx（文件已损坏或不完整）" in err and "Error" not in err


def test_an_authoring_workbooks_locations_are_chinese(tmp_path, capsys):
    from workbook_builder.checker import place
    assert place("指标体系 第5行.rule") == "指标体系 第5行 计分方法"
    assert place("$.indicators[0].weight") == "$.indicators[0].weight"
    book = tmp_path / "庆城.xlsx"
    assert main(["templates", "export", "qingcheng_2024", "-o", str(book)]) == 0
    capsys.readouterr()
    main(["templates", "check", str(book)])
    out = capsys.readouterr().out
    assert "@ 指标体系 第" in out and " 计分方法" in out and ".rule" not in out
