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
