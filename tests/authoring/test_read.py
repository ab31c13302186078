"""XLSForm-style: small 指标体系 tables in, the exact template or the exact Chinese errors out."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook_builder.authoring.read import AuthoringError, read_workbook
from workbook_builder.loader import load_authoring

from .helpers import workbook

HEAD = ["一级指标", "一级分值", "二级指标", "分值", "评分标准", "计分方法", "参数", "年度指标值", "单位"]


def errors(tmp_path, system, **sheets) -> list[str]:
    with pytest.raises(AuthoringError) as e:
        read_workbook(workbook(tmp_path / "t.xlsx", system, **sheets))
    return [str(p) for p in e.value.problems]


def test_a_small_system_reads_into_the_template(tmp_path):
    got = read_workbook(workbook(tmp_path / "t.xlsx", [
        HEAD,
        ["产出", 60, "完成率", 60, "", "完成比例", "", "≥95%", "%"],
        ["满意度", 40, "满意度", 40, "以100%为标准，每低于1个百分点扣0.5分，扣完为止", "", "", "", "%"],
    ]))
    out = got.data["indicators"]
    assert out == [
        {"name": "产出", "children": [{"name": "完成率", "weight": 60.0, "unit": "%", "target": {"value": 0.95, "op": ">="},
                                       "value_type": "percent", "rule": {"kind": "ratio"}, "id": "i1_1"}],
         "id": "i1", "weight": 60.0},
        {"name": "满意度", "children": [{"name": "满意度", "weight": 40.0,
                                        "criteria": "以100%为标准，每低于1个百分点扣0.5分，扣完为止", "unit": "%",
                                        "value_type": "percent",
                                        "rule": {"kind": "deduct", "direction": "below", "per": 0.01, "points": 0.5,
                                                 "threshold": 1.0}, "id": "i2_1"}],
         "id": "i2", "weight": 40.0},
    ]
    assert [(r.row, r.from_text, r.reading) for r in got.readings] == [
        (2, False, "正向指标：实际完成值达到年度指标值（≥95%）得满分；未达到的按实际完成值/年度指标值×分值计分"), (3, True, "达到100%得满分；低于100%后每低于1个百分点扣0.5分，扣完为止")]


def test_parent_names_blank_below_mean_the_same_group_and_their_weight_is_checked(tmp_path):
    assert errors(tmp_path, [
        HEAD,
        ["产出", 50, "甲", 30, "", "是否判断", "", "", ""],
        ["", "", "乙", 30, "", "是否判断", "", "", ""],
        ["效益", 50, "丙", 50, "", "是否判断", "", "", ""],
    ]) == ["[指标体系 第2行 一级分值] “产出”的分值50与下级合计60不符；请调整分值，使上级分值等于下级分值之和（weight-mismatch）"]


def test_every_error_in_one_run_with_row_column_and_fix(tmp_path):
    assert errors(tmp_path, [
        HEAD,
        ["产出", 60, "完成率", "六十", "", "完成比列", "", "", ""],
        ["", "", "合格率", 40, "", "超限扣分", "标准=100%；每超过=1%", "", "%"],
        ["", "", "", 5, "", "", "", "", ""],
        ["效益", 0, "满意度", 0, "领导满意酌情打分", "", "", "", ""],
    ]) == [
        "[指标体系 第2行 分值] “六十”不是数字；请填写数字，如 10 或 2.5（not-a-number）",
        "[指标体系 第2行 计分方法] 不认识的计分方法“完成比列”；请改为“完成比例”（unknown-rule）",
        "[指标体系 第3行 参数] 超限扣分需要参数 扣（如 标准=100%；每超过=1%；扣=0.5）；请按“使用说明”表中的示例填写参数（bad-params）",
        "[指标体系 第4行 二级指标] 这一行没有指标名称；请填写指标名称，或删除这一行（no-name）",
        "[指标体系 第5行 评分标准] 评分标准中“领导满意酌情打分”未能识别，无法识别，请选择计分方法；请在“计分方法”中选择计分方法并填写参数，或改写评分标准（rubric-unreadable）",
        "[指标体系 第2行 一级分值] “产出”的分值60与下级合计40不符；请调整分值，使上级分值等于下级分值之和（weight-mismatch）",
        "[指标体系] 一级指标分值合计60，不是100；请调整分值，使总分为100（total-not-100）",
    ]


def test_misspelt_sheet_and_column_get_a_did_you_mean(tmp_path):
    bad_head = ["一级指标", "二级指标", "分值", "评分标谁"]
    got = errors(tmp_path, [bad_head, ["产出", "甲", 100, "是否"]], 评价等级=None, 评价登记=[["等级", "最低分"], ["优", 90]])
    assert got == [
        "[评价等级] 缺少工作表“评价等级”；请把工作表“评价登记”改名为“评价等级”（missing-sheet）",
        "[指标体系 第1行] 缺少“评分标准”列；请把列“评分标谁”改名为“评分标准”（missing-column）",
    ]


def test_a_leaf_cannot_have_children_and_a_new_group_needs_its_parent(tmp_path):
    head = ["一级指标", "一级分值", "二级指标", "二级分值", "三级指标", "分值", "评分标准", "计分方法"]
    assert errors(tmp_path, [
        head,
        ["产出", 100, "数量", "", "", 50, "", "是否判断"],
        ["", "", "", "", "子项", 10, "", "是否判断"],
        ["", "", "", "", "", "", "", ""],
        ["效益", "", "", "", "满意度", 50, "", "是否判断"],
    ]) == [
        "[指标体系 第3行 三级指标] “数量”已是计分项，不能再有下级；请把它的计分内容移到下级，或删除下级（leaf-with-children）",
        "[指标体系 第5行 二级指标] “满意度”上面没有二级指标；请填写二级指标名称（同一组的第一行要写上级名称）（missing-parent）",
        "[指标体系 第2行 一级分值] “产出”的分值100与下级合计50不符；请调整分值，使上级分值等于下级分值之和（weight-mismatch）",
    ]


def test_derived_quantities_are_written_with_chinese_names(tmp_path):
    path = workbook(tmp_path / "t.xlsx", [
        ["一级指标", "二级指标", "分值", "评分标准", "计分方法", "参数", "年度指标值", "单位", "实际值来源"],
        ["投入", "在职人员控制率", 100, "", "超限扣分", "标准=100%；每超过=1%；扣=0.5", "≤100%", "%", "在职人员控制率"],
    ], 基础数据=[["名称", "类型", "单位"], ["编制数", "整数", "人"], ["在职人员数", "整数", "人"]],
        计算指标=[["名称", "计算式"], ["在职人员控制率", "在职人员数／编制数×100%"]])
    t, _ = load_authoring(path)
    assert [(d.id, d.expr) for d in t.derived] == [("calc1", "in2 / in1 *(100/100)")]
    leaf = next(t.leaves())
    assert (leaf.actual.source, leaf.actual.ref, leaf.actual.type) == ("derived", "calc1", "percent")
    assert errors(tmp_path, [
        ["一级指标", "二级指标", "分值", "评分标准", "计分方法", "实际值来源"],
        ["投入", "控制率", 100, "", "是否判断", "在职人员控制律"],
    ], 基础数据=[["名称"], ["编制数"]], 计算指标=[["名称", "计算式"], ["在职人员控制率", "【在职人数】/编制数"]]) == [
        "[计算指标 第2行 计算式] 计算式中的“在职人数”不是基础数据或计算指标的名称；请先在基础数据表中添加它（unknown-name）",
        "[指标体系 第2行 实际值来源] 找不到实际值来源“在职人员控制律”；请改为“在职人员控制率”（unknown-source）",
    ]


def test_rubric_defects_are_warnings_and_the_rule_is_still_read(tmp_path):
    got = read_workbook(workbook(tmp_path / "t.xlsx", [
        HEAD,
        ["投入", 100, "预算调整率", 100, "预算调整率=0，计100分；0-10%(含)，计80分；20%-30%（含），计50分，大于30%不得分", "", "", "", "%"],
    ]))
    assert [str(w) for w in got.warnings] == [
        "[指标体系 第2行 评分标准] （提醒）第 2 个与第 3 个分段之间（0.1～0.2）没有分段，按 0 分计；请核对评分标准（rubric-defect）",
        "[指标体系 第2行 评分标准] （提醒）低于0%的情况没有写得分，按0分计；请核对评分标准（rubric-defect）"]
    assert got.data["indicators"][0]["children"][0]["rule"]["kind"] == "bands"


def test_every_error_code_is_documented_for_the_bureau():
    import re
    from pathlib import Path
    src = Path("workbook_builder/authoring/read.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'(?:self\.err|_Reader\.err|err)\(\s*"([a-z-]+)"', src)) | set(re.findall(r'Problem\("([a-z-]+)"', src))
    table = Path("docs/authoring.md").read_text(encoding="utf-8").split("| 代码 | 含义 |")[1]
    documented = set(re.findall(r"[a-z]+(?:-[a-z0-9]+)+|(?<=\| )[a-z]+(?= )", table))
    assert codes and codes <= documented, codes - documented


CELLS = st.one_of(st.none(), st.sampled_from(["产出", "效益", "甲", "乙", "", "≥95%", "%", "完成比例", "超限扣分", "是否判断",
                                             "标准=100%；每超过=1%；扣=0.5", "每超过1个百分点扣0.5分", "合计", "=1+1", "①②"]),
                  st.floats(-1e3, 1e3, allow_nan=False), st.integers(-5, 200), st.booleans(),
                  st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8))


DEEP = ["一级指标", "一级分值", "二级指标", "二级分值", "三级指标", "三级分值", "评分要点", "分值", "评分标准", "计分方法", "参数",
        "年度指标值", "单位", "实际值来源"]


@settings(max_examples=40)
@given(st.sampled_from([HEAD, DEEP]).flatmap(
    lambda head: st.tuples(st.just(head), st.lists(st.lists(CELLS, min_size=len(head), max_size=len(head)), max_size=8))))
def test_any_table_is_read_or_refused_in_chinese(tmp_path_factory, table):
    head, rows = table
    path = workbook(tmp_path_factory.mktemp("f") / "t.xlsx", [head] + rows)
    try:
        read_workbook(path)
    except AuthoringError as e:
        assert e.problems and all(re.search(r"[\u4e00-\u9fff]", str(p)) for p in e.problems)


def test_a_seed_table_pasted_as_it_is(tmp_path):
    """Title rows above the header, 序号, the seeds' repeated 分值 headers, merged parent cells (blank below),
    weights typed as “5分”, spaced headers, a 合计 row: read as the bureau meant."""
    import openpyxl
    path = workbook(tmp_path / "t.xlsx", [
        ["子洲县自然资源和规划局2024年度部门整体支出绩效自评表"],
        [],
        ["序号", "一级指标", "分值", "二级指标", "分值", "三级指标", "分 值", "评分标准", "年度指标值", "单位"],
        [1, "投入", "10分", "预算编制", 10, "在职人员控制率", "5分", "以100%为标准。在职人员控制率≤100%，计5分；每超过一个百分点扣0.5分，扣完为止。", "≤100%", "%"],
        [2, None, None, None, None, "重点支出安排率", 5, "重点支出安排率≥90%，计5分；80%（含）-90%，计4分；低于80%不得分。", "≥90%", "%"],
        [3, "产出", 90, "产出数量", 90, "完成情况", 90, "是否按期完成？是得满分，否不得分", "", ""],
        ["合计", None, 100, None, None, None, 100, None, None, None],
    ])
    wb = openpyxl.load_workbook(path)
    ws = wb["指标体系"]
    ws.merge_cells("B4:B5")
    ws.merge_cells("D4:D5")
    wb.save(path)
    t, _ = load_authoring(path)
    assert [(n.name, n.weight, n.depth) for n in t.nodes()] == [
        ("投入", 10, 1), ("预算编制", 10, 2), ("在职人员控制率", 5, 3), ("重点支出安排率", 5, 3),
        ("产出", 90, 1), ("产出数量", 90, 2), ("完成情况", 90, 3)]
    assert [n.kind for n in t.leaves()] == ["deduct", "bands", "yes_no"]


def test_a_target_typed_as_a_percent_number_takes_the_readings_direction(tmp_path):
    t, got = load_authoring(workbook(tmp_path / "t.xlsx", [
        HEAD, ["产出", 100, "完成率", 100, "完成年度指标值得满分；未完成的按实际完成值/年度指标值×分值计分。", "", "", 0.95, "%"]]))
    leaf = next(t.leaves())
    assert (leaf.target.op, leaf.target.value, leaf.kind) == (">=", 0.95, "ratio")
    assert got.readings[0].reading.startswith("正向指标：实际完成值达到年度指标值（≥95%）得满分")


def test_text_that_looks_like_a_formula_stays_text_in_the_built_workbook(tmp_path):
    from workbook_builder.reader.container import open_container
    from workbook_builder.reader.xlsx import read_book
    from workbook_builder.render import build_workbook
    evil = "=HYPERLINK(\"http://x\",\"点我\")"
    t, _ = load_authoring(workbook(tmp_path / "t.xlsx", [
        HEAD, ["=1+1", 100, "=cmd|' /C calc'!A0", 100, evil, "是否判断", "", "", ""]]))
    out = tmp_path / "b.xlsx"
    out.write_bytes(build_workbook(t, "=甲局", 2025, {}))
    book = read_book(open_container(out))
    formulas = [c.formula for s in book.sheets.values() for c in s.cells.values() if c.formula]
    assert not any("HYPERLINK" in f or "cmd" in f or f == "1+1" for f in formulas)
    texts = [c.value for s in book.sheets.values() for c in s.cells.values() if isinstance(c.value, str)]
    assert evil in texts and "=1+1" in texts
