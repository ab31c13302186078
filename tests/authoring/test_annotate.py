"""`templates check 指标体系.xlsx -o 核对.xlsx`: a copy with each row's reading or errors; the bureau's file untouched."""

import hashlib

import openpyxl

from workbook_builder.cli import main

from .helpers import workbook

HEAD = ["一级指标", "一级分值", "二级指标", "分值", "评分标准", "计分方法", "参数", "年度指标值", "单位"]
TEXT = "以100%为标准，每低于1个百分点扣0.5分，扣完为止"


def _results(path):
    ws = openpyxl.load_workbook(path)["指标体系"]
    col = [c.value for c in ws[1]].index("解析结果")
    return [r[col].value for r in ws.iter_rows(min_row=2)]


def test_checked_copy_says_what_was_understood_and_what_to_fix(tmp_path, capsys):
    ok = workbook(tmp_path / "ok.xlsx", [HEAD, ["产出", 60, "完成率", 60, "", "完成比例", "", "≥95%", "%"],
                                         ["满意度", 40, "满意度", 40, TEXT, "", "", "", "%"]])
    before = hashlib.sha256(ok.read_bytes()).hexdigest()
    assert main(["templates", "check", str(ok), "-o", str(tmp_path / "ok-核对.xlsx")]) == 0
    assert hashlib.sha256(ok.read_bytes()).hexdigest() == before
    assert _results(tmp_path / "ok-核对.xlsx") == [
        "正向指标：实际完成值达到年度指标值（≥95%）得满分；未达到的按实际完成值/年度指标值×分值计分",
        "按评分标准识别为：达到100%得满分；低于100%后每低于1个百分点扣0.5分，扣完为止"]
    bad = workbook(tmp_path / "bad.xlsx", [HEAD, ["产出", 60, "完成率", 60, "酌情扣分", "", "", "≥95%", "%"],
                                           ["满意度", 40, "满意度", 40, TEXT, "", "", "", "%"]])
    assert main(["templates", "check", str(bad), "-o", str(tmp_path / "bad-核对.xlsx")]) == 1
    assert _results(tmp_path / "bad-核对.xlsx") == [
        "错误：评分标准只写了怎样得分，没有写在什么情况下，无法识别，请选择计分方法；请在“计分方法”中选择计分方法并填写参数，或改写评分标准",
        "达到100%得满分；低于100%后每低于1个百分点扣0.5分，扣完为止"]
    assert main(["templates", "check", str(bad), "-o", str(bad)]) == 2
    assert "-o 不能是被检查的文件本身" in capsys.readouterr().err
