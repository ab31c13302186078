import openpyxl

from workbook_builder.cli import main
from workbook_builder.loader import load_template
from workbook_builder.prefill import parse_rows, read_table


def test_prefill_reports_bad_cells_and_writes_good_rows(tmp_path, capsys):
    csv = tmp_path / "部门.csv"
    csv.write_text("部门名称,年度,编制数,staff_actual,公务卡刷卡率,surplus.actual,颜色\n"
                   "甲局,2024,11,8,,无结余,\n"
                   "乙局,2024,十一,8,,无结余,\n"
                   "丙/局,2024,11,8,,多得很,\n", encoding="utf-8")
    rc = main(["build", "--template", "zizhou_2024", "--prefill", str(csv), "--out-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 1
    assert "第1行 [颜色]: 未知的列" in err and "第1行 [公务卡刷卡率]" in err
    assert "第3行 [编制数]: “十一” 不是数值" in err and "第4行 [surplus.actual]" in err
    files = sorted(p.name for p in (tmp_path / "out").glob("*.xlsx"))
    assert files == ["甲局-2024.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "out" / "甲局-2024.xlsx")
    assert wb["基础数据"]["D4"].value == 11


def test_percent_text_and_labels(tmp_path):
    t = load_template("zizhou_2024")
    p = tmp_path / "a.csv"
    p.write_text("department,在职人员数,card_spend\n甲,8,\"1,234.5\"\n", encoding="utf-8")
    rows, problems = parse_rows(t, read_table(p))
    assert problems == [] and rows[0]["values"] == {"staff_actual": 8.0, "card_spend": 1234.5}


def test_build_command_from_inputs_file(tmp_path, capsys):
    out = tmp_path / "q.xlsx"
    assert main(["build", "--inputs", "examples/qingcheng_2024.inputs.yaml", "-o", str(out)]) == 0
    assert "总分 94.26" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out, data_only=True)
    assert wb.defined_names["TOTAL_SCORE"] is not None


def test_prefill_with_processes(tmp_path):
    csv = tmp_path / "部门.csv"
    csv.write_text("部门名称,编制数\n" + "".join(f"局{i},{10 + i}\n" for i in range(6)), encoding="utf-8")
    assert main(["build", "--template", "zizhou_2024", "--prefill", str(csv), "--out-dir", str(tmp_path / "o"), "--jobs", "2"]) == 0
    assert sorted(p.name for p in (tmp_path / "o").glob("*.xlsx")) == [f"局{i}-2024.xlsx" for i in range(6)]
    assert openpyxl.load_workbook(tmp_path / "o" / "局3-2024.xlsx")["基础数据"]["D4"].value == 13


# --- issue 10: a bureau's real files ------------------------------------------------------------

import pytest  # noqa: E402

from workbook_builder.tables import read  # noqa: E402
from workbook_builder.prefill import is_header  # noqa: E402


def _build(tmp_path, table, *extra):
    return main(["build", "--template", "qingcheng_2024", "--prefill", str(table), "--out-dir", str(tmp_path / "out"), *extra])


def test_duplicate_departments_stop_the_run_before_any_file_is_written(tmp_path, capsys):
    csv = tmp_path / "名单.csv"
    csv.write_text("部门名称,年度\n甲局,2024\n乙局,2024\n甲局 ,2024\n", encoding="utf-8")
    assert _build(tmp_path, csv) == 2
    err = capsys.readouterr().err
    assert "第4行" in err and "第2行" in err and "甲局-2024.xlsx" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize("header,value,message", [
    ("基本支出·全年执行数", "95%", "是百分数"),  # a percent typed into a money input
    ("职工满意度", "95", "请填写 95% 或 0.95"),  # 95 meaning 95 %
    ("职工满意度", "-500%", "小于下限 -100%"),
])
def test_units_are_enforced(tmp_path, capsys, header, value, message):
    csv = tmp_path / "名单.csv"
    csv.write_text(f"部门名称,{header}\n甲局,{value}\n", encoding="utf-8")
    assert _build(tmp_path, csv) == 1
    assert message in capsys.readouterr().err and not list((tmp_path / "out").iterdir())


def test_wan_yuan_mixed_with_yuan_is_caught_by_the_templates_cross_check(tmp_path, capsys):
    csv = tmp_path / "名单.csv"
    csv.write_text("部门名称,年度资金总额·全年预算数,基本支出·全年预算数\n甲局,2830.9,11598174.5\n", encoding="utf-8")
    assert _build(tmp_path, csv) == 1
    assert "不应大于" in capsys.readouterr().err


def test_header_units_in_wan_yuan_are_converted(tmp_path):
    csv = tmp_path / "名单.csv"
    csv.write_text("部门名称,基本支出·全年预算数（万元）\n甲局,1159.81745\n", encoding="utf-8")
    rows, problems = parse_rows(load_template("qingcheng_2024"), read_table(csv))
    assert problems == [] and rows[0]["values"]["basic_budget_year"] == pytest.approx(11598174.5)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16", "utf-8"])
def test_csv_encodings_of_chinese_excel_are_read_without_options(tmp_path, encoding):
    p = tmp_path / "a.csv"
    p.write_text("部门（单位）名称,年度,职工满意度\n甲局,2024,95%\n\n,,\n", encoding=encoding)
    rows, problems = parse_rows(load_template("qingcheng_2024"), read_table(p))
    assert problems == [] and rows == [{"row": 2, "department": "甲局", "year": 2024,
                                        "values": {"staff_satisfaction.actual": 0.95}}]


def test_xlsx_with_a_title_row_on_its_second_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "请在“名单”表填写"
    ws = wb.create_sheet("名单")
    ws.append(["2024年部门名单（财政局导出）"])
    ws.append([])
    ws.append(["序号", "部门(单位)名称", "职工满意度", "在职人员控制率·实际完成值"])
    ws.append([1, "甲局", 0.95, 1])
    ws.append([None, None, None, None])
    p = tmp_path / "导出.xlsx"
    wb.save(p)
    tab = read(p, is_header)
    assert tab.header_row == 3 and tab.source.endswith("［名单］")
    rows, problems = parse_rows(load_template("qingcheng_2024"), tab)
    assert problems == [] and [(r["row"], r["department"]) for r in rows] == [(4, "甲局")]  # 序号 is ignored
    ws["E3"] = "颜色"
    wb.save(p)
    rows, problems = parse_rows(load_template("qingcheng_2024"), read(p, is_header, sheet="名单", header_row=3))
    assert [(x.row, x.column) for x in problems] == [(3, "颜色")]  # an unknown column is named, never dropped silently


def test_chinese_item_names_and_trailing_blank_rows(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("部门名称,职工满意度,在职人员控制率·实际完成值,提升股室协作\n甲局,96%,1,达成年度指标\n,,,\n\n", encoding="utf-8")
    rows, problems = parse_rows(load_template("qingcheng_2024"), read_table(p))
    assert problems == []
    assert rows[0]["values"] == {"staff_satisfaction.actual": 0.96, "staff_control.actual": 1.0,
                                 "cooperation.actual": "达成年度指标"}


def test_prefill_template_round_trip(tmp_path):
    out = tmp_path / "名单.xlsx"
    assert main(["prefill-template", "--template", "qingcheng_2024", "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["名单"]
    heads = [c.value for c in ws[3]]
    assert heads[:2] == ["部门名称", "年度"] and "职工满意度·实际完成值（%）" in heads
    assert ws.data_validations.dataValidation  # choices, numbers and percents are checked where typed
    ws.cell(5, 1, "甲局")
    ws.cell(5, heads.index("职工满意度·实际完成值（%）") + 1, 0.96)
    wb.save(out)
    rows, problems = parse_rows(load_template("qingcheng_2024"), read_table(out))
    assert problems == [] and [r["department"] for r in rows] == ["甲局"]  # the 示例 row is skipped


def test_a_workbook_built_from_a_template_file_validates_with_templates_dir(tmp_path, capsys, monkeypatch):
    import shutil

    from workbook_builder.paths import ENV
    monkeypatch.setenv(ENV, "")  # --templates changes the variable for this process; put it back afterwards
    d = tmp_path / "我的模板"
    d.mkdir()
    src = open("templates/zizhou_2024.yaml", encoding="utf-8").read().replace("id: zizhou_2024", "id: my_county_2025", 1)
    (d / "my.yaml").write_text(src, encoding="utf-8")
    out = tmp_path / "甲局-2025.xlsx"
    assert main(["build", "--template", str(d / "my.yaml"), "--department", "甲局", "--year", "2025", "-o", str(out)]) == 0
    capsys.readouterr()
    main(["validate", "--json", str(out)])
    assert "template-unknown" in capsys.readouterr().out
    main(["validate", "--json", "--templates", str(d), str(out)])
    assert "template-unknown" not in capsys.readouterr().out
    assert main(["templates", "--templates", str(d)]) == 0 and "my_county_2025" in capsys.readouterr().out
    shutil.rmtree(d)
