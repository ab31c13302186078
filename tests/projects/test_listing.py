"""projects build: the bureau's 项目清单 (and 绩效指标) into one workbook per department."""

from pathlib import Path

from workbook_builder.cli import main
from workbook_builder.reader.validate import validate_file

EX = Path("examples/projects")
SEED_BUDGETS = [9.1168, 1.735, 3.616, 405.378599, 23.83, 90, 210, 20, 144, 73.17, 30, 2.712759]


def test_qingcheng_twelve_projects_build_and_validate(tmp_path, capsys):
    assert main(["projects", "build", "--list", str(EX / "庆城县项目清单.csv"), "--indicators",
                 str(EX / "庆城县绩效指标.csv"), "--year", "2024", "-o", str(tmp_path)]) == 0
    [f] = list(tmp_path.glob("*.xlsx"))
    assert f.name == "庆城县自然资源局-项目-2024.xlsx"
    rep = validate_file(f)
    assert len(rep.projects) == 12
    assert rep.projects[1]["name"] == "2024年集体建设用地两费（第一批次和第三批次耕地开垦费）"
    assert [p["budget"] for p in rep.projects] == SEED_BUDGETS
    assert [p["rate"] for p in rep.projects] == [1.0] * 12
    # not yet filled: only missing entries, never a tampering or computation finding
    assert {x.code for x in rep.findings} == {"required-missing"}


def _write(path: Path, text: str, encoding="utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_gbk_list_with_yuan_header_title_rows_and_duplicates(tmp_path, capsys):
    lst = _write(tmp_path / "清单.csv", "某县项目清单\n\n部门名称,项目名称,全年预算数（元）,全年执行数(元)\n"
                 "县水利局,饮水工程,500000,450000\n县水利局,饮水工程,1,1\n", "gbk")
    assert main(["projects", "build", "--list", str(lst), "--year", "2024", "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "清单.csv 第5行：县水利局的项目“饮水工程”与第4行重复" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    lst = _write(tmp_path / "清单.csv", "部门名称,项目名称,全年预算数（元）,全年执行数(元)\n县水利局,饮水工程,500000,450000\n", "gbk")
    assert main(["projects", "build", "--list", str(lst), "--year", "2024", "-o", str(tmp_path / "out")]) == 0
    rep = validate_file(tmp_path / "out" / "县水利局-项目-2024.xlsx")
    assert (rep.projects[0]["budget"], rep.projects[0]["executed"]) == (50.0, 45.0)  # 元 → 万元


def test_indicator_problems_are_reported_with_rows(tmp_path, capsys):
    lst = _write(tmp_path / "清单.csv", "部门,项目名称,全年预算数\n县水利局,饮水工程,50\n")
    ind = _write(tmp_path / "指标.csv", "部门,项目名称,一级指标,二级指标,三级指标,指标性质,年度指标值,分值\n"
                 "县水利局,饮水工程,产出指标,数量指标,工程数,大于,3,50\n"
                 "县水利局,灌溉工程,产出指标,数量指标,工程数,≥,3,50\n"
                 "县水利局,饮水工程,效益指标,社会效益,供水保障,定性,提升,30\n")
    assert main(["projects", "build", "--list", str(lst), "--indicators", str(ind), "-o", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "指标.csv 第2行：指标性质“大于”应为 ≥、≤、=、定性 之一" in err
    assert "指标.csv 第3行：项目清单中没有县水利局的项目“灌溉工程”" in err
    assert "二级指标“社会效益”不属于效益指标" in err
    assert "满意度指标没有指标" in err


def test_forms_are_listed_and_bad_arguments_get_one_chinese_line(capsys):
    assert main(["projects", "forms"]) == 0
    out = capsys.readouterr().out
    assert "national_project_2020" in out and "四川省" in out
    assert main(["projects", "build", "--form", "nope", "--list", "x.csv", "-o", "y"]) == 2
    assert capsys.readouterr().err.startswith("错误: 没有名为“nope”的项目表样")


def test_signed_build_validates_with_the_same_key_only(tmp_path, capsys):
    key = tmp_path / "密钥.txt"
    key.write_text("bureau-secret\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["projects", "build", "--list", str(EX / "庆城县项目清单.csv"), "--year", "2024",
                 "--sign-key", str(key), "-o", str(out)]) == 0
    [f] = list(out.glob("*.xlsx"))
    codes = lambda k: {x.code for x in validate_file(f, sign_key=k).findings}  # noqa: E731
    assert "signature-invalid" not in codes(b"bureau-secret") and "signature-missing" not in codes(b"bureau-secret")
    assert "signature-invalid" in codes(b"another key")


def test_bad_year_and_key_are_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["projects", "build", "--list", str(EX / "庆城县项目清单.csv"), "--year", "1899", "-o", str(out)]) == 2
    assert "年度 1899" in capsys.readouterr().err
    assert main(["projects", "build", "--list", str(EX / "庆城县项目清单.csv"), "--sign-key",
                 str(tmp_path / "none.key"), "-o", str(out)]) == 2
    assert "无法读取签名密钥文件" in capsys.readouterr().err
    assert not out.exists()


def test_an_amount_in_yuan_under_a_wan_header_is_refused_and_total_rows_are_skipped(tmp_path, capsys):
    """全年执行数 typed in 元 under a 万元 header exceeds 全年预算数: the fund cross-check refuses the row."""
    lst = _write(tmp_path / "清单.csv", "部门,项目名称,全年预算数（万元）,全年执行数（万元）\n"
                 "县水利局,饮水工程,50,450000\n县水利局,灌溉工程,20,18\n合计,,70,450018\n")
    assert main(["projects", "build", "--list", str(lst), "--year", "2024", "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "清单.csv 第2行：“年度资金总额·全年执行数”不应大于“年度资金总额·全年预算数”（是否把万元与元填混了？）" in err
    assert "第4行" not in err  # the 合计 row is not a project
