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
    assert "第4行是合计行，已跳过" in err and "第4行：" not in err  # the 合计 row is not a project, and it is said


# --- issue 19/24: the bureau's honest mistakes in a 项目清单 -------------------------------------

import openpyxl  # noqa: E402
import pytest  # noqa: E402

from workbook_builder.projects.form import find_form  # noqa: E402
from workbook_builder.projects.listing import DEFAULT_MAX_FUND, ListError, read_listing  # noqa: E402


def _read(tmp_path, text, **kw):
    notes = []
    got = read_listing(find_form("national_project_2020"), _write(tmp_path / "清单.csv", text), notes=notes, **kw)
    return got, notes


def _problems(tmp_path, text, **kw):
    with pytest.raises(ListError) as e:
        _read(tmp_path, text, **kw)
    return e.value.problems


def _build(tmp_path, text, *extra):
    lst = _write(tmp_path / "清单.csv", text)
    return main(["projects", "build", "--list", str(lst), "--year", "2024", "-o", str(tmp_path / "out"), *extra])


def test_the_fund_breakdown_columns_are_read_and_must_add_up(tmp_path, capsys):
    text = "部门,项目名称,全年预算数,本年财政拨款,上年结转资金,其他资金\n县水利局,饮水工程,620,400,100,50\n"
    problems = _problems(tmp_path, text)
    assert problems == [("清单.csv 第2行：“本年财政拨款·全年预算数”＋“上年结转资金·全年预算数”＋“其他资金·全年预算数”"
                         "应等于“年度资金总额·全年预算数”（是否把万元与元填混了？）")]
    got, _ = _read(tmp_path, text.replace("620", "550"))
    assert got["县水利局"].values[0] == {"fund_total_year": 550, "fund_fiscal_year": 400, "fund_carryover_year": 100,
                                       "fund_other_year": 50}
    assert _build(tmp_path, text.replace("620", "550")) == 0
    rep = validate_file(tmp_path / "out" / "县水利局-项目-2024.xlsx")
    assert rep.projects[0]["funds"]["fund_fiscal_year"] == 400 and rep.projects[0]["funds"]["fund_other_year"] == 50


def test_breakdown_columns_of_another_fund_column(tmp_path):
    text = "部门,项目名称,全年执行数,本年财政拨款·全年执行数,上年结转资金·全年执行数,其他资金·全年执行数\n甲,乙,5,3,1,1\n"
    got, _ = _read(tmp_path, text)
    assert got["甲"].values[0] == {"fund_total_executed": 5, "fund_fiscal_executed": 3, "fund_carryover_executed": 1,
                                 "fund_other_executed": 1}


def test_a_two_row_header_of_a_project_list(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["部门", "项目名称", "全年预算数", None, None, None])
    ws.append([None, None, "合计", "本年财政拨款", "上年结转资金", "其他资金"])
    ws.append(["县水利局", "饮水工程", 550, 400, 100, 50])
    p = tmp_path / "清单.xlsx"
    wb.save(p)
    got = read_listing(find_form("national_project_2020"), p)
    assert got["县水利局"].values[0] == {"fund_total_year": 550, "fund_fiscal_year": 400, "fund_carryover_year": 100,
                                       "fund_other_year": 50}


@pytest.mark.parametrize("title,want", [("单位：元", 50.0), ("金额单位：万元", 500_000.0), ("", 500_000.0)])
def test_a_unit_in_the_title_line_applies(tmp_path, title, want):
    text = f"{title}\n部门,项目名称,全年预算数\n县水利局,饮水工程,500000\n"
    if want > DEFAULT_MAX_FUND:
        assert "超过一个项目的上限" in _problems(tmp_path, text)[0]
    else:
        assert _read(tmp_path, text)[0]["县水利局"].values[0] == {"fund_total_year": want}


def test_yuan_under_a_wan_header_and_funds_above_the_ceiling_or_budget_are_refused(tmp_path, capsys):
    text = "部门,项目名称,全年预算数（万元）\n县水利局,饮水工程,1500000\n县水利局,灌溉工程,150\n"
    [p] = _problems(tmp_path, text)
    assert p.startswith("清单.csv 第2行 [全年预算数（万元）]") and "超过一个项目的上限 100000 万元" in p and "--max-fund" in p
    assert _build(tmp_path, text) == 1 and not (tmp_path / "out").exists()
    assert _read(tmp_path, text, max_fund=2_000_000)[0]["县水利局"].values[0] == {"fund_total_year": 1_500_000}
    assert _build(tmp_path, text, "--max-fund", "2000000") == 0
    budget = "部门,项目名称,部门预算总额,全年预算数\n县水利局,饮水工程,800,900\n县水利局,灌溉工程,,150\n"
    [p] = _problems(tmp_path, budget)
    assert "第2行" in p and "超过本部门的预算总额 800 万元" in p
    got, _ = _read(tmp_path, budget.replace("900", "700"))
    assert [x.max_fund for x in got["县水利局"].projects] == [800, 800]


def test_the_reader_flags_a_fund_above_the_projects_ceiling(tmp_path):
    text = "部门,项目名称,全年预算数\n县水利局,饮水工程,50\n"
    assert _build(tmp_path, text, "--max-fund", "1000") == 0
    f = tmp_path / "out" / "县水利局-项目-2024.xlsx"
    rep = validate_file(f)
    assert "cross-check-failed" not in {x.code for x in rep.findings}
    from workbook_builder.projects.cells import parts_for
    from workbook_builder.projects.form import find_form as ff
    from workbook_builder.projects.project import Project, fund_id
    [part] = parts_for(ff("national_project_2020"), [Project("饮水工程", max_fund=1000)])
    sheet, r, c = part.layout.input_cells[fund_id("total", "executed")]
    wb = openpyxl.load_workbook(f)
    wb[sheet].cell(r + 1, c + 1).value = 450000
    wb.save(f)
    found = [x for x in validate_file(f).findings if x.code == "cross-check-failed"]
    assert any("不应超过 1000 万元" in (x.message or "") + (x.detail or "") for x in found), found


@pytest.mark.parametrize("name", ["庆城县人民政府办公室（外事办）", "县水利局（防汛办）"])
def test_names_and_goals_are_written_as_typed(tmp_path, name):
    goal = "完成饮水工程，惠及 1，200 户；确保水质达标。"
    text = f"部门,项目名称,主管部门,预期目标,全年预算数\n{name},饮水工程（一期）,县水务局（本级）,\"{goal}\",50\n"
    got, _ = _read(tmp_path, text)
    [p] = got[name].projects
    assert (p.name, p.owner, p.goal) == ("饮水工程（一期）", "县水务局（本级）", goal)
    assert _build(tmp_path, text) == 0
    [f] = list((tmp_path / "out").glob("*.xlsx"))
    assert f.name == f"{name}-项目-2024.xlsx"
    rep = validate_file(f)
    assert rep.department == name and rep.projects[0]["spec"]["goal"] == goal


def test_extra_columns_are_ignored_once_and_unknown_data_columns_refuse(tmp_path, capsys):
    text = ("序号,部门,项目名称,联系人,联系电话,备注,项目编码,全年预算数\n"
            "1,县水利局,饮水工程,张三,13800000000,无,2024001,50\n2,县水利局,灌溉工程,张三,13800000000,,2024002,20\n")
    got, notes = _read(tmp_path, text)
    assert len(got["县水利局"].projects) == 2 and notes == ["清单.csv 以下列与项目无关，已忽略：序号、联系人、联系电话、备注、项目编码"]
    assert _build(tmp_path, text) == 0 and capsys.readouterr().out.count("已忽略") == 1
    text = "部门,项目名称,全年预算,调整预算数（万元）\n县水利局,饮水工程,50,60\n"
    [p] = _problems(tmp_path, text)
    assert "[调整预算数（万元）]：未知的列" in p


def test_a_missing_project_name_column_is_named_and_header_row_is_an_option(tmp_path, capsys):
    text = "部门,项目,全年预算数\n县水利局,饮水工程,50\n"
    assert _build(tmp_path, text) == 2
    err = capsys.readouterr().err
    assert "清单.csv 第1行的表头缺少“项目名称”列" in err and "--header-row" in err and "部门名称" not in err
    text = "说明：部门,项目名称 两列必填\n部门,项目名称,全年预算数\n县水利局,饮水工程,50\n"
    assert _build(tmp_path, text, "--header-row", "2") == 0
    assert main(["validate", "--projects", str(tmp_path / "清单.csv"), str(tmp_path / "out")]) in (0, 1)
    _write(tmp_path / "清单.csv", "部门,项目,全年预算数\n县水利局,饮水工程,50\n")
    capsys.readouterr()
    assert main(["validate", "--projects", str(tmp_path / "清单.csv"), str(tmp_path / "out")]) == 2
    assert "--header-row" not in capsys.readouterr().err  # validate has no such option


@pytest.mark.parametrize("bad", ["\x01", "\x0b", "\uffff", "\x00"])
def test_control_characters_in_project_lists_are_refused_at_their_row(tmp_path, bad):
    text = f"部门,项目名称,全年预算数\n县水利局,饮水工程,50\n县水利局,灌溉{bad}工程,20\n"
    [p] = _problems(tmp_path, text)
    assert p.startswith("清单.csv 第3行") and "Excel 无法保存的字符" in p


@pytest.mark.parametrize("value", ["1e308", "1e400", "inf", "nan"])
def test_huge_numbers_in_a_project_list_are_refused(tmp_path, capsys, value):
    text = f"部门,项目名称,全年预算数\n县水利局,饮水工程,{value}\n"
    [p] = _problems(tmp_path, text, max_fund=1e8)
    assert "第2行" in p
    assert _build(tmp_path, text) == 1 and not (tmp_path / "out").exists()


def test_many_bad_rows_are_reported_in_bounded_memory(tmp_path):
    text = "部门,项目名称,全年预算数\n" + "".join(f"县水利局,项目{i},十\n" for i in range(100_000))
    problems = _problems(tmp_path, text)
    assert len(problems) == 101 and problems[-1] == "另有 99900 处问题未列出（先改正上面的问题后再运行）"


def test_utf32_and_cr_only_project_lists_are_read(tmp_path):
    text = "部门,项目名称,全年预算数\r县水利局,饮水工程,50\r"
    for enc in ("utf-32", "utf-8"):
        _write(tmp_path / "清单.csv", text, enc)
        got = read_listing(find_form("national_project_2020"), tmp_path / "清单.csv")
        assert got["县水利局"].values[0] == {"fund_total_year": 50}


def test_indicator_texts_are_kept_as_typed(tmp_path):
    lst = _write(tmp_path / "清单.csv", "部门,项目名称,全年预算数\n县水利局,饮水工程,50\n")
    ind = _write(tmp_path / "指标.csv", "部门,项目名称,一级指标,二级指标,三级指标,指标性质,年度指标值,分值\n"
                 "县水利局,饮水工程,产出指标,数量指标,改造面积（一期）,,≥１２００㎡,50\n"
                 "县水利局,饮水工程,效益指标,社会效益指标,供水保障,定性,\"稳步提升，群众受益\",30\n"
                 "县水利局,饮水工程,满意度指标,服务对象满意度指标,满意度,,≥95％,10\n")
    got = read_listing(find_form("national_project_2020"), lst, ind)
    rows = got["县水利局"].projects[0].rows
    assert (rows[0].name, rows[0].nature, rows[0].target, rows[0].unit) == ("改造面积（一期）", "≥", 1200.0, "㎡")
    assert rows[1].target_text == "稳步提升，群众受益" and rows[2].target == 0.95 and rows[2].unit == "%"


def test_a_fund_source_group_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目清单（单位：元）"])
    ws.append(["部门", "项目名称", "全年预算数", "资金来源", None, None])
    ws.append([None, None, None, "本年财政拨款", "上年结转资金", "其他资金"])
    ws.append(["县水利局", "饮水工程", 5_500_000, 4_000_000, 1_000_000, 500_000])
    p = tmp_path / "清单.xlsx"
    wb.save(p)
    got = read_listing(find_form("national_project_2020"), p)
    assert got["县水利局"].values[0] == {"fund_total_year": 550, "fund_fiscal_year": 400, "fund_carryover_year": 100,
                                       "fund_other_year": 50}


def test_a_fund_header_in_a_unit_that_is_not_money_refuses(tmp_path):
    [p] = _problems(tmp_path, "部门,项目名称,全年预算数（万美元）\n县水利局,饮水工程,50\n县水利局,灌溉,20\n")
    assert p.startswith("清单.csv 第1行 [全年预算数（万美元）]：表头的单位“万美元”不是金额单位")


def test_a_finance_system_export_of_projects(tmp_path):
    text = ("预算单位编码,预算单位名称,项目名称,资金性质,项目类别,调整后预算数,预算执行数\n"
            "101001,县水利局,饮水工程,一般公共预算,民生类,50,45\n")
    got, notes = _read(tmp_path, text)
    assert got["县水利局"].values[0] == {"fund_total_year": 50, "fund_total_executed": 45}
    assert notes == ["清单.csv 以下列与项目无关，已忽略：预算单位编码、资金性质、项目类别"]
