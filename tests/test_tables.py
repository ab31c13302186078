"""tables.read: the encodings, line endings and hostile cells of a bureau's CSV and workbooks."""

import pytest

from workbook_builder.loader import load_template
from workbook_builder.prefill import is_header, parse_rows
from workbook_builder.tables import MAX_CELL_CHARS, TableError, read, two_row


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_csv_with_bom_is_read(tmp_path, encoding):
    p = tmp_path / "a.csv"
    data = "部门名称,职工满意度\n甲局,95%\n乙局,0.9\n".encode(encoding)
    if encoding != "utf-32":
        data = ("\ufeff".encode(encoding)) + data
    p.write_bytes(data)
    t = read(p, is_header)
    assert t.headers == ["部门名称", "职工满意度"] and [r for _, r in t.rows] == [["甲局", "95%"], ["乙局", "0.9"]]


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_any_line_ending_is_read(tmp_path, newline):
    p = tmp_path / "a.csv"
    p.write_bytes(newline.join(["某县名单", "部门名称,职工满意度", "甲局,95%", '"乙局",0.9', ""]).encode("gbk"))
    t = read(p, is_header)
    assert t.header_row == 2 and [(n, r[0]) for n, r in t.rows] == [(3, "甲局"), (4, "乙局")]


def test_a_cell_over_excels_limit_is_refused_with_row_column_and_limit(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("部门名称,备注\n甲局,短\n乙局," + "长" * (10 * 1024 * 1024) + "\n", encoding="utf-8")
    with pytest.raises(TableError) as e:
        read(p, is_header)
    assert "第3行第2列" in str(e.value) and f"{MAX_CELL_CHARS:,}" in str(e.value)
    p.write_text("部门名称,备注\n甲局," + "长" * MAX_CELL_CHARS + "\n", encoding="utf-8")
    assert len(read(p, is_header).rows) == 1  # at the limit is fine


def test_a_long_cell_in_a_workbook_is_refused(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(["部门名称", "备注"])
    wb.active.append(["甲局", "x" * (MAX_CELL_CHARS + 1)])
    p = tmp_path / "a.xlsx"
    wb.save(p)
    with pytest.raises(TableError, match="第2行第2列"):
        read(p, is_header)


@pytest.mark.parametrize("text,line", [
    ('部门名称,职工满意度\n甲局,0.9\n"乙局,0.8\n丙局,0.7\n丁局,0.6\n', 3),
    ('部门名称,职工满意度\n"甲局,0.9\n乙局,0.8\n丙局,"0.7"\n', 2),
    ('部门名称,职工满意度\n甲局,"0.9\n乙局,0.8\n', 2),
])
def test_an_unbalanced_quote_is_refused_at_its_line(tmp_path, capsys, text, line):
    from workbook_builder.cli import main
    p = tmp_path / "a.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(TableError, match=f"第{line}行：引号"):
        read(p, is_header)
    assert main(["build", "--template", "qingcheng_2024", "--prefill", str(p), "--out-dir", str(tmp_path / "o")]) == 2
    assert f"第{line}行：引号" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_quoted_cells_with_commas_and_line_breaks_in_texts_are_fine(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text('部门名称,职工满意度,备注\n"甲局",0.9,"第一行\n第二行"\n乙局,"95%",""\n', encoding="utf-8")
    t = read(p, is_header)
    assert [r[0] for _, r in t.rows] == ["甲局", "乙局"]


def test_two_row_rules():
    assert two_row(["部门名称", "年初预算数", None], [None, "基本支出", "项目支出"]) == [
        "部门名称", "年初预算数·基本支出", "年初预算数·项目支出"]
    assert two_row(["部门名称", "年初预算数", None], ["甲局", 1, 2]) is None  # a data row
    assert two_row(["部门名称", "职工满意度"], ["甲局", "达成"]) is None
    assert two_row(["某县名单", None, None], ["部门名称", "基本支出", "项目支出"]) is None  # a title


def test_a_group_row_above_the_row_with_the_department_column(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("单位：万元,,\n,全年预算数,\n部门名称,基本支出,项目支出\n甲局,1,2\n", encoding="utf-8")
    t = read(p, is_header)
    assert t.headers == ["部门名称", "全年预算数·基本支出", "全年预算数·项目支出"] and t.titles == ["单位：万元"]
    rows, problems = parse_rows(load_template("qingcheng_2024"), t)
    assert problems == [] and rows[0]["values"] == {"basic_budget_year": 10_000, "project_budget_year": 20_000}
