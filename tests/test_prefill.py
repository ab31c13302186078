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
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
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
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [f"局{i}-2024.xlsx" for i in range(6)]
    assert openpyxl.load_workbook(tmp_path / "o" / "局3-2024.xlsx")["基础数据"]["D4"].value == 13
