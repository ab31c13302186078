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
    got = capsys.readouterr()
    err = got.err
    assert rc == 1
    assert "以下列与填报项无关，已忽略：公务卡刷卡率、颜色" in got.out  # empty unknown columns lose nothing
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

from workbook_builder.prefill import is_header  # noqa: E402
from workbook_builder.tables import read  # noqa: E402


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
    ws["E3"], ws["E4"] = "颜色", 3
    wb.save(p)
    rows, problems = parse_rows(load_template("qingcheng_2024"), read(p, is_header, sheet="名单", header_row=3))
    assert [(x.row, x.column) for x in problems] == [(3, "颜色")]  # an unknown column of data is named, never dropped


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
    ws.cell(5, heads.index("职工满意度·实际完成值（%）") + 1, 0.96).number_format = "0.00%"  # as Excel types it there
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


# --- issue 19/24: a bureau's honest mistakes never become silently wrong workbooks ---------------

def _csv(tmp_path, text, encoding="utf-8"):
    p = tmp_path / "名单.csv"
    p.write_bytes(text.encode(encoding))
    return p


def _parse(tmp_path, text, template="qingcheng_2024"):
    notes = []
    rows, problems = parse_rows(load_template(template), read_table(_csv(tmp_path, text)), notes)
    return rows, [str(p) for p in problems], notes


@pytest.mark.parametrize("header,value,want", [
    ("职工满意度（%）", "95", 0.95), ("职工满意度（%）", "9.5", 0.095), ("职工满意度(%)", "5", 0.05),
    ("职工满意度（%）", "95%", 0.95), ("职工满意度", "0.95", 0.95), ("职工满意度", "95%", 0.95),
    ("职工满意度·实际完成值（%）", "100", 1.0), ("职工满意度（％）", "0", 0.0), ("职工满意度（%）", "0.5", 0.005),
    ("职工满意度%", "96", 0.96), ("职工满意度（百分比）", "80", 0.8),
])
def test_a_percent_header_says_how_to_read_numbers(tmp_path, header, value, want):
    rows, problems, _ = _parse(tmp_path, f"部门名称,{header}\n甲局,{value}\n")
    assert problems == [] and rows[0]["values"]["staff_satisfaction.actual"] == pytest.approx(want)


@pytest.mark.parametrize("header,value,fix", [
    ("职工满意度", "9.5", "请填写 9.5% 或 0.095"), ("职工满意度", "5", "请填写 5% 或 0.05"),
    ("项目支出预算执行率·实际完成值", "1.5", "请填写 1.5% 或 0.015"),
])
def test_an_ambiguous_percent_is_refused_with_the_way_to_type_it(tmp_path, capsys, header, value, fix):
    rows, problems, _ = _parse(tmp_path, f"部门名称,{header}\n甲局,{value}\n")
    assert rows == [] and len(problems) == 1 and fix in problems[0] and "第2行" in problems[0]
    assert _build(tmp_path, _csv(tmp_path, f"部门名称,{header}\n甲局,{value}\n")) == 1


def test_a_percent_formatted_cell_is_read_as_shown(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["部门名称", "职工满意度（%）", "项目支出预算执行率"])
    ws.append(["甲局", 0.95, 1.02])
    ws["B2"].number_format = ws["C2"].number_format = "0.00%"
    p = tmp_path / "名单.xlsx"
    wb.save(p)
    rows, problems = parse_rows(load_template("qingcheng_2024"), read_table(p))
    assert problems == [] and rows[0]["values"] == {"staff_satisfaction.actual": 0.95, "project_exec.actual": 1.02}


@pytest.mark.parametrize("label", ["合计", "合  计", "总计", "小计", "合　计", "全县合计", "合计："])
def test_total_rows_of_a_department_list_are_skipped_and_said_so(tmp_path, capsys, label):
    text = f"序号,部门名称,基本支出·全年预算数\n1,甲局,100\n2,乙局,200\n,{label},300\n"
    rows, problems, notes = _parse(tmp_path, text)
    assert [r["department"] for r in rows] == ["甲局", "乙局"] and problems == []
    assert notes == ["名单.csv 以下列与填报项无关，已忽略：序号", "名单.csv 第4行是合计行，已跳过"]
    text = f"序号,部门名称,基本支出·全年预算数\n1,甲局,100\n{label},,100\n"
    rows, problems, notes = _parse(tmp_path, text)
    assert [r["department"] for r in rows] == ["甲局"] and problems == [] and "第3行是合计行" in notes[-1]
    assert _build(tmp_path, _csv(tmp_path, text)) == 0
    assert sorted(p.name for p in (tmp_path / "out").glob("*.xlsx")) == ["甲局-2024.xlsx"]
    assert "合计行，已跳过" in capsys.readouterr().out  # a note, not an error


@pytest.mark.parametrize("title,unit", [("单位：万元", 10_000), ("金额单位：元", 1), ("（单位:万元）", 10_000),
                                        ("单位： 亿元", 100_000_000)])
def test_a_unit_stated_in_a_title_line_applies_to_money_columns(tmp_path, title, unit):
    text = f"2024年部门预算表,,\n{title},,\n部门名称,基本支出·全年预算数,职工满意度\n甲局,300,0.9\n"
    rows, problems, _ = _parse(tmp_path, text)
    assert problems == [] and rows[0]["values"] == {"basic_budget_year": 300 * unit, "staff_satisfaction.actual": 0.9}
    text = f"{title},,\n部门名称,基本支出·全年预算数（元）\n甲局,300\n"  # the header's own unit wins
    assert _parse(tmp_path, text)[0][0]["values"] == {"basic_budget_year": 300}


def test_title_lines_with_two_units_refuse_the_run(tmp_path, capsys):
    text = "单位：万元\n金额单位：元\n部门名称,基本支出·全年预算数\n甲局,300\n"
    rows, problems, _ = _parse(tmp_path, text)
    assert rows == [] and "无法确定金额的单位" in problems[0]
    assert _build(tmp_path, _csv(tmp_path, text)) == 2 and not (tmp_path / "out").exists()
    assert "无法确定金额的单位" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["庆城县人民政府办公室（外事办）", "县农业农村局【乡村振兴局】", "县委办 ", "ＡＢＣ局"])
def test_department_names_are_written_as_typed(tmp_path, name):
    from workbook_builder.reader.validate import validate_file
    text = f"部门名称,职工满意度\n{name},0.9\n"
    rows, problems, _ = _parse(tmp_path, text)
    assert problems == [] and rows[0]["department"] == name.strip()
    assert _build(tmp_path, _csv(tmp_path, text)) == 0
    [f] = list((tmp_path / "out").glob("*.xlsx"))
    assert f.name == f"{name.strip()}-2024.xlsx"
    assert validate_file(f).department == name.strip()


def test_names_folding_alike_are_one_department(tmp_path, capsys):
    text = "部门名称\n县政府办（外事办）\n县政府办(外事办)\n"
    assert _build(tmp_path, _csv(tmp_path, text)) == 2
    assert "第3行" in capsys.readouterr().err


def test_two_row_merged_headers_are_read(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2024年部门预算（单位：万元）"])
    ws.append(["部门名称", "年初预算数", None, "全年预算数", None, "联系人"])
    ws.append([None, "基本支出", "项目支出", "基本支出", "项目支出", None])
    ws.append(["甲局", 100, 50, 110, 60, "张三"])
    for rng in ("A2:A3", "B2:C2", "D2:E2", "F2:F3"):
        ws.merge_cells(rng)
    p = tmp_path / "名单.xlsx"
    wb.save(p)
    tab = read_table(p)
    assert tab.header_row == 3 and tab.headers[1:5] == ["年初预算数·基本支出", "年初预算数·项目支出",
                                                        "全年预算数·基本支出", "全年预算数·项目支出"]
    notes = []
    rows, problems = parse_rows(load_template("qingcheng_2024"), tab, notes)
    assert problems == [] and [r["row"] for r in rows] == [4]
    assert rows[0]["values"] == {"basic_budget_initial": 1e6, "project_budget_initial": 5e5,
                                 "basic_budget_year": 1.1e6, "project_budget_year": 6e5}
    assert notes == ["名单.xlsx 以下列与填报项无关，已忽略：联系人"]


def test_a_two_row_header_not_understood_refuses_the_whole_run(tmp_path, capsys):
    text = "部门名称,年初预算数,,全年预算数,\n,基本,项目,基本,项目\n甲局,100,50,110,60\n"
    _, problems, _ = _parse(tmp_path, text)
    assert len(problems) == 4 and all("第2行" in p and "未知的列" in p for p in problems)
    assert "[年初预算数·基本]" in problems[0]
    assert _build(tmp_path, _csv(tmp_path, text)) == 2
    assert not (tmp_path / "out").exists()  # never workbooks with the money missing


def test_extra_columns_a_bureau_always_has_are_ignored_once(tmp_path, capsys):
    text = ("序号,部门名称,联系人,联系电话,手机,邮箱,地址,备注,单位编码,职工满意度\n"
            "1,甲局,张三,0934-1234567,13800000000,a@b.cn,庆城县,无,101001,0.9\n"
            "2,乙局,李四,0934-7654321,13900000000,c@d.cn,庆城县,,101002,0.8\n")
    assert _build(tmp_path, _csv(tmp_path, text)) == 0
    got = capsys.readouterr()
    assert got.out.count("已忽略") == 1 and "联系人、联系电话、手机、邮箱、地址、备注、单位编码" in got.out
    assert got.err.count("\n") <= 1  # nothing on stderr but the progress bar
    assert sorted(p.name for p in (tmp_path / "out").glob("*.xlsx")) == ["乙局-2024.xlsx", "甲局-2024.xlsx"]


@pytest.mark.parametrize("header,value", [("职工满意率", "0.9"), ("基本支出全年数", "100"), ("颜色", "12"),
                                          ("协作", "达成年度指标")])
def test_unknown_columns_that_hold_data_refuse_the_run(tmp_path, capsys, header, value):
    text = f"部门名称,{header}\n甲局,{value}\n"
    assert _build(tmp_path, _csv(tmp_path, text)) == 2
    assert f"第1行 [{header}]: 未知的列" in capsys.readouterr().err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["1e308", "1e13", "-2e12", "1e400", "inf", "nan", "-inf"])
def test_numbers_beyond_the_workbooks_own_bounds_are_refused(tmp_path, capsys, value):
    text = f"部门名称,基本支出·全年预算数\n甲局,100\n乙局,{value}\n"
    rows, problems, _ = _parse(tmp_path, text)
    assert [r["department"] for r in rows] == ["甲局"] and len(problems) == 1 and "第3行" in problems[0]
    assert _build(tmp_path, _csv(tmp_path, text)) == 1
    assert [p.name for p in (tmp_path / "out").glob("*.xlsx")] == ["甲局-2024.xlsx"]


@pytest.mark.parametrize("bad", ["\x01", "\x0b", "\x00", "\uffff", "\ufdd0", "\x7f", "\ud800"])
def test_control_characters_in_names_are_refused_at_their_row(tmp_path, capsys, bad):
    p = tmp_path / "名单.csv"
    p.write_bytes(f"部门名称,职工满意度\n甲局,0.9\n乙{bad}局,0.9\n".encode("utf-8", "surrogatepass"))
    if bad == "\ud800":  # a lone surrogate is not UTF-8: the file is refused as unreadable, never built
        assert _build(tmp_path, p) == 2
        return
    rows, problems = parse_rows(load_template("qingcheng_2024"), read_table(p))
    assert [r["department"] for r in rows] == ["甲局"] and len(problems) == 1
    assert "第3行" in str(problems[0]) and "Excel 无法保存的字符" in str(problems[0])
    assert _build(tmp_path, p) == 1 and [f.name for f in (tmp_path / "out").glob("*.xlsx")] == ["甲局-2024.xlsx"]


def test_control_characters_in_department_option_and_inputs_file_are_refused(tmp_path, capsys):
    out = tmp_path / "a.xlsx"
    assert main(["build", "--template", "qingcheng_2024", "--department", "甲\x01局", "-o", str(out)]) == 2
    assert "Excel 无法保存的字符" in capsys.readouterr().err and not out.exists()
    inputs = tmp_path / "in.yaml"
    inputs.write_text('template: qingcheng_2024\ndepartment: "甲局"\nyear: 2024\nvalues:\n  cooperation.reason: "a\\x0bb"\n',
                      encoding="utf-8")
    assert main(["build", "--inputs", str(inputs), "-o", str(out)]) == 2
    assert "Excel 无法保存的字符" in capsys.readouterr().err and not out.exists()


def test_a_list_of_100000_bad_rows_reports_the_first_hundred_and_counts_the_rest(tmp_path, capsys):
    import tracemalloc
    p = tmp_path / "名单.csv"
    p.write_text("部门名称,编制数\n" + "".join(f"局{i},十一\n" for i in range(100_000)), encoding="utf-8")
    tracemalloc.start()
    rows, problems = parse_rows(load_template("zizhou_2024"), read_table(p))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert rows == [] and len(problems) == 100 and problems.total == 100_000 and problems.more == 99_900
    assert str(problems[0]).startswith("第2行 [编制数]")
    assert peak < 200 * 1024 * 1024  # the table itself, not one record per problem
    assert main(["build", "--template", "zizhou_2024", "--prefill", str(p), "--out-dir", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.count("不是数值") == 100 and "另有 99900 处问题未列出" in err


@pytest.mark.parametrize("tid", ["qingcheng_2024", "zizhou_2024", "hengyang_2022", "longxian_2023", "national_2020"])
def test_the_prefill_templates_example_row_is_a_valid_department(tmp_path, capsys, tid):
    """A bureau that copies the example row gets a workbook without a single wrong value."""
    from workbook_builder.reader.validate import validate_file
    out = tmp_path / "名单.xlsx"
    assert main(["prefill-template", "--template", tid, "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["名单"]
    assert str(ws["A4"].value).startswith("示例")
    ws["A4"] = "甲局"
    wb.save(out)
    rows, problems = parse_rows(load_template(tid), read_table(out))
    assert problems == [] and [r["department"] for r in rows] == ["甲局"]
    assert main(["build", "--template", tid, "--prefill", str(out), "--out-dir", str(tmp_path / "o")]) == 0
    [f] = list((tmp_path / "o").glob("*.xlsx"))
    wrong = {"cross-check-failed", "score-outside-level", "value-out-of-range", "value-not-in-list", "not-a-number"}
    assert not [x for x in validate_file(f).findings if x.code in wrong]


@pytest.mark.parametrize("text", [
    "部门名称,基本支出·全年预算数,单位：万元\n甲局,300,\n",  # the unit in the header row's last cell
    "部门名称,基本支出·全年预算数\n甲局,300\n注：金额单位为万元\n",  # a note under the table
    "单位：人、万元\n部门名称,基本支出·全年预算数\n甲局,300\n",
])
def test_a_unit_stated_beside_or_under_the_table_applies_too(tmp_path, text):
    rows, problems, _ = _parse(tmp_path, text)
    assert problems == [] and [r["department"] for r in rows] == ["甲局"]
    assert rows[0]["values"] == {"basic_budget_year": 3_000_000}


def test_code_columns_of_a_finance_system_export_are_ignored(tmp_path):
    text = "预算单位编码,预算单位名称,单位类型,基本支出·全年预算数\n101001,甲局,行政单位,100\n"
    rows, problems, notes = _parse(tmp_path, text)
    assert problems == [] and rows[0]["department"] == "甲局" and "预算单位编码、单位类型" in notes[0]


@pytest.mark.parametrize("header", ["职工满意度（元）", "基本支出·全年预算数（万美元）", "基本支出·全年预算数（%）",
                                    "基本支出·全年预算数（人）"])
def test_a_header_unit_that_cannot_be_read_refuses_the_run(tmp_path, capsys, header):
    text = f"部门名称,{header}\n甲局,95\n乙局,96\n"
    _, problems, _ = _parse(tmp_path, text)
    assert len(problems) == 1 and problems[0].startswith(f"第1行 [{header}]: 表头的单位")
    assert _build(tmp_path, _csv(tmp_path, text)) == 2 and not (tmp_path / "out").exists()


def test_a_department_column_with_a_note_in_brackets(tmp_path):
    rows, problems, _ = _parse(tmp_path, "部门名称（全称）,职工满意度\n甲局,0.9\n")
    assert problems == [] and rows[0]["department"] == "甲局"


def test_prefill_templates_percent_columns_hold_fractions_and_refuse_points(tmp_path):
    """A cell of the template's percent-formatted column: 0.95 is 95% (as Excel stores it); 9.5 pasted
    without the format is refused (it would show as 950%), never read as 950%."""
    out = tmp_path / "名单.xlsx"
    assert main(["prefill-template", "--template", "qingcheng_2024", "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["名单"]
    col = [c.value for c in ws[3]].index("职工满意度·实际完成值（%）") + 1
    ws.cell(5, 1, "甲局")
    ws.cell(5, col, 0.95)
    ws.cell(6, 1, "乙局")
    ws.cell(6, col, 9.5)
    wb.save(out)
    rows, problems = parse_rows(load_template("qingcheng_2024"), read_table(out))
    assert [(r["department"], r["values"]["staff_satisfaction.actual"]) for r in rows] == [("甲局", 0.95)]
    assert len(problems) == 1 and "第6行" in str(problems[0]) and "请填写 9.5%" in str(problems[0])
