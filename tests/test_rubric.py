"""Reading 评分标准 text: the seeds' texts, the common national phrasings, and never a confident guess."""

import json
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbook_builder.loader import is_shipped, load_template, template_paths
from workbook_builder.rubric import read, score
from workbook_builder.rules.base import is_percent

# Where the seed's text and its template's rule part company, and why (everything else must read the same).
TEMPLATE_GOES_FURTHER = {
    # the text states the plain national rule; 庆城's 三.4 adds the overshoot deduction and the reason rule
    ("qingcheng_2024", "office_supply"), ("qingcheng_2024", "staff_satisfaction"),
    # the text has no 10%–20% band (a rubric defect, reported); the template fills it by decision
    ("zizhou_2024", "budget_adjust"),
}
UNREADABLE = {
    ("zizhou_2024", "farmland"),  # three different rules in one text
    ("zizhou_2024", "geo_hazard"),  # “发生地质人员死亡事故，扣全部分值”: a veto the rule library has no kind for
    ("zizhou_2024", "relocation"),  # no scoring rule in the text at all
}


def _read_leaf(leaf):
    tg = leaf.target
    return read(leaf.criteria, leaf.weight, tg.op if tg else None, tg.value if tg else None, is_percent(leaf), leaf.unit)


def _without_items(rule):
    return {k: v for k, v in (rule or {}).items() if k != "items"}


def test_each_seed_text_reads_into_its_templates_rule_or_is_flagged():
    counts, odd = Counter(), {}
    for p in filter(is_shipped, template_paths()):
        t = load_template(p)
        for leaf in t.leaves():
            r = _read_leaf(leaf)
            key = (t.id, leaf.id)
            if not r.recognised:
                counts["unreadable"] += 1
                odd[key] = "unreadable"
            elif _without_items(r.rule) == _without_items(leaf.rule):
                counts["same"] += 1
            else:
                counts["differs"] += 1
                odd[key] = "differs"
    assert counts == Counter(same=158, unreadable=3, differs=3)
    assert {k for k, v in odd.items() if v == "unreadable"} == UNREADABLE
    assert {k for k, v in odd.items() if v == "differs"} == TEMPLATE_GOES_FURTHER


def test_the_missing_band_of_zizhou_is_reported():
    leaf = load_template("zizhou_2024").node("budget_adjust")
    assert "第 2 个与第 3 个分段之间（0.1～0.2）没有分段，按 0 分计" in _read_leaf(leaf).problems


PHRASINGS = [
    # (text, weight, target op, target value, percent) -> rule
    ("以100%为标准，每超过1个百分点扣0.5分，扣完为止", 5, None, None, True,
     {"kind": "deduct", "direction": "above", "per": 0.01, "points": 0.5, "threshold": 1}),
    ("≦100%得满分；每超过1％扣1分，扣满为止", 5, None, None, True,
     {"kind": "deduct", "direction": "above", "per": 0.01, "points": 1, "threshold": 1}),
    ("每减少一个百分点扣0.2分，最低0分", 3, ">=", 1, True,
     {"kind": "deduct", "direction": "below", "per": 0.01, "points": 0.2, "threshold": 1}),
    ("达到95%得满分，每下降5个百分点扣1分，扣完为止", 4, None, None, True,
     {"kind": "deduct", "direction": "below", "per": 0.05, "points": 1, "threshold": 0.95, "step": "floor"}),
    ("每超过1天扣0.5分，扣完为止", 3, "<=", 30, False,
     {"kind": "deduct", "direction": "above", "per": 1, "points": 0.5, "threshold": 30}),
    ("90%（含）以上计5分；80%（含）-90%，计4分；低于80%不得分", 5, None, None, True,
     {"kind": "bands", "bands": [{"min": 0.9, "score": 5}, {"min": 0.8, "max": 0.9, "score": 4}, {"max": 0.8, "score": 0}]}),
    ("满意度≥95%得满分，90%（含）-95%得8分，80%(含)-90%得6分，80%以下不得分", 10, None, None, True,
     {"kind": "bands", "bands": [{"min": 0.95, "score": 10}, {"min": 0.9, "max": 0.95, "score": 8},
                                 {"min": 0.8, "max": 0.9, "score": 6}, {"max": 0.8, "score": 0}]}),
    ("每出现一例不符合扣1分，扣完为止", 3, None, None, False, {"kind": "checklist", "mode": "deduct", "points": 1}),
    ("每发现一项不完备的，扣25%分值，扣完为止", 2, None, None, False, {"kind": "checklist", "mode": "deduct", "share": 0.25}),
    ("甲、乙、丙每完成一项得1分", 3, None, None, False, {"kind": "checklist", "mode": "earn", "points": 1,
                                                "items": ["甲", "乙", "丙"]}),
    ("达成年度指标得分值的80%-100%，部分达成得60%-80%，未达成得0-60%", 10, None, None, False,
     {"kind": "grade", "levels": [{"name": "达成年度指标", "min": 0.8, "max": 1, "default": 1},
                                  {"name": "部分达成", "min": 0.6, "max": 0.8, "default": 0.7},
                                  {"name": "未达成", "min": 0, "max": 0.6, "default": 0.3}]}),
    ("是否按时报送？是得满分，否不得分", 2, None, None, False, {"kind": "yes_no"}),
    ("按时报送得满分，未按时报送不得分", 2, None, None, False, {"kind": "yes_no"}),
    ("完成值/指标值×分值", 10, ">=", 10, False, {"kind": "ratio"}),
    ("按比例计分", 10, "<=", 1, True, {"kind": "ratio"}),
    ("（指标值-60%）/（100%-60%）×分值", 4, None, None, True, {"kind": "linear", "floor": 0.6, "full": 1}),
    ("①制度健全，2分", 2, None, None, False, {"kind": "yes_no"}),
]


@pytest.mark.parametrize("text,w,op,tv,pc,rule", PHRASINGS, ids=[p[0][:14] for p in PHRASINGS])
def test_common_phrasings(text, w, op, tv, pc, rule):
    r = read(text, w, op, tv, pc)
    assert (r.recognised, r.rule) == (True, rule), r.reading


NOT_SURE = [
    "酌情扣分", "根据实际情况打分", "",
    "每超过一个百分点扣0.5分",  # from what?
    "好评率高于90%得满分，每降低1个百分点扣0.5分；发生重大投诉不得分",  # a veto
    "①目标任务每完成1项目，得1分；②目标责任考核优秀得满分；③每1项目工作未开展扣2分，未完成扣1分；",
    "达到100%得满分，每下降5%扣1分；80%（含）-90%，计4分；90%（含）以上计5分",  # two rules
    "有健全的内控制度得1分，制度执行有效得1分",  # items that add up, not levels
]


@pytest.mark.parametrize("text", NOT_SURE)
def test_never_a_confident_guess(text):
    r = read(text, 5, None, None)
    assert not r.recognised and "无法识别，请选择计分方法" in r.reading


def test_rubric_defects():
    assert read("①制度健全，2分；②执行有效，2分", 5).problems == ["各项分值合计4分，与分值5分不一致"]
    assert read("90%以上得5分，80-90%得3分", 5).problems == ["低于80%的情况没有写得分，按0分计"]
    over = read("≥90%计6分；80%-90%计4分；低于80%不得分", 5)  # a band worth more than the 分值: named, not used
    assert (over.recognised, over.reading) == (False, "第 1 个分段的得分 6.0 不在 0 至分值 5 之间，无法识别，请选择计分方法")
    assert read("≥90%计4分；80%-90%计3分；低于80%不得分", 5).problems == ["最高一档4分，与分值5分不一致"]


HALF = str.maketrans("（）：；，％＜＞≤≥", "():;,%<>≦≧")


@given(st.sampled_from([p for p in PHRASINGS]), st.sampled_from(["", "\n", " "]), st.booleans())
def test_full_width_half_width_and_line_breaks_read_the_same(case, brk, half):
    text, w, op, tv, pc, rule = case
    variant = text.translate(HALF) if half else text
    variant = variant.replace("，", "，" + brk).replace(",", "," + brk).replace("；", "；" + brk)
    assert read(variant, w, op, tv, pc).rule == rule


def test_score_with_actual_met_and_level():
    r = read("以100%为标准，每超过1个百分点扣0.5分，扣完为止", 5)
    assert score(r, 5, "103%", percent=True) == {"score": 3.5}
    items = read("①制度健全，2分；②执行有效，3分", 5)
    assert score(items, 5, met=[2]) == {"score": 3}
    g = read("达成年度指标得分值的80%-100%，部分达成得60%-80%，未达成得0%-60%", 10)
    assert score(g, 10, "部分达成") == {"score_range": [6, 8]}


def _cli(*args):
    p = subprocess.run([sys.executable, "-m", "workbook_builder", "rubric", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def test_rubric_command_json():
    code, out, _ = _cli("以100%为标准。在职人员控制率≤100%，计5分；每超过一个百分点扣0.5分，扣完为止。", "--weight", "5",
                        "--actual", "103%", "--json")
    got = json.loads(out)
    assert code == 0
    assert (got["recognised"], got["kind"], got["score"], got["params"]) == (True, "deduct", 3.5, "标准=100%；每超过=1%；扣=0.5")
    assert got["reading"] == "不超过100%得满分；超过100%后每超过1个百分点扣0.5分，扣完为止"
    code, out, _ = _cli("达成年度指标得分值的80%-100%，部分达成得60%-80%，未达成得0%-60%", "--weight", "10",
                        "--actual", "未达成", "--json")
    assert (code, json.loads(out)["score_range"]) == (0, [0, 6])
    code, out, _ = _cli("酌情扣分", "--weight", "5", "--json")
    assert (code, json.loads(out)["recognised"]) == (1, False)
    code, out, err = _cli("按比例计分", "--weight", "10", "--target", "≤100%", "--actual", "120")
    assert (code, out, err.count("\n")) == (2, "", 1) and "带%" in err


PIECES = ["以100%为标准", "每超过", "每低于", "1个百分点", "扣0.5分", "扣完为止", "得满分", "不得分", "80%（含）-90%", "，计4分",
          "①", "②", "制度健全", "2分", "达成", "得分值的80%-100%", "是否", "是得满分", "否", "；", "。", "\n", "按比例计分",
          "每出现一例不符合", "（", "）", "≤", "≥", "=", "-", "%", "5", "0.5", "x", "分值"]


@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(PIECES), max_size=25).map("".join)),
       st.floats(0.5, 100), st.sampled_from([None, ">=", "<=", "="]), st.sampled_from([None, 0.9, 1.0, 30.0]))
def test_any_text_gives_a_reading_never_an_exception(text, w, op, tv):
    r = read(text, w, op, tv)
    assert r.reading
    if r.recognised and r.rule is not None and not any("不在 0 至分值" in p for p in r.problems):
        from workbook_builder.rubric import leaf_for
        from workbook_builder.rules import RULES
        leaf = leaf_for(r.rule, w, r.target, True)
        values = {"actual": 0.95, "target": (r.target.value if r.target and r.target.value is not None else 1.0)}
        if r.kind == "grade":
            values["actual"] = r.rule["levels"][0]["name"]
        elif r.kind == "yes_no":
            values["actual"] = "是"
        elif r.kind == "checklist":
            values["actual"] = 1
        elif r.kind == "manual":
            values = {"score": w / 2}
        s = RULES[r.kind].score(leaf, values)
        assert s is None or 0 <= s <= w + 0.005  # scores are rounded to cents


@pytest.mark.parametrize("text,w,rule", [
    ("全部完成得满分，部分完成得50%分值，未完成不得分", 4,
     {"kind": "grade", "levels": [{"name": "全部完成", "share": 1}, {"name": "部分完成", "share": 0.5}, {"name": "未完成", "share": 0}]}),
    ("优秀得满分，良好得80%，一般得60%，较差不得分", 10,
     {"kind": "grade", "levels": [{"name": "优秀", "share": 1}, {"name": "良好", "share": 0.8}, {"name": "一般", "share": 0.6},
                                  {"name": "较差", "share": 0}]}),
    ("满意度90%以上得满分；80%-90%得一半分值；80%以下不得分", 10,
     {"kind": "bands", "bands": [{"min": 0.9, "score": 10}, {"min": 0.8, "max": 0.9, "score": 5, "min_inclusive": False},
                                 {"max": 0.8, "max_inclusive": True, "score": 0}]}),
    ("预算调整率：调整率≤5%得满分，5%-10%得60%分值，>10%不得分", 5,
     {"kind": "bands", "bands": [{"max": 0.05, "max_inclusive": True, "score": 5},
                                 {"min": 0.05, "max": 0.1, "score": 3, "min_inclusive": False, "max_inclusive": True},
                                 {"min": 0.1, "min_inclusive": False, "score": 0}]}),
    ("质量达标率100%得满分，每降低1%扣0.5分", 5,
     {"kind": "deduct", "direction": "below", "per": 0.01, "points": 0.5, "threshold": 1}),
    ("公用经费控制率≤100%得满分，每超1个百分点扣0.5分", 5,
     {"kind": "deduct", "direction": "above", "per": 0.01, "points": 0.5, "threshold": 1}),
    ("资产管理制度健全得满分，否则不得分", 5, {"kind": "yes_no"}),
    ("①支出符合规定；②审批程序完整；③无截留挪用。有一项不符合扣1分，扣完为止", 3,
     {"kind": "checklist", "mode": "deduct", "points": 1, "items": ["支出符合规定", "审批程序完整", "无截留挪用"]}),
    ("根据实际完成情况，达到预期目标得满分，基本达到得80%，部分达到得60%，未达到不得分", 10,
     {"kind": "grade", "levels": [{"name": "达到预期目标", "share": 1}, {"name": "基本达到", "share": 0.8},
                                  {"name": "部分达到", "share": 0.6}, {"name": "未达到", "share": 0}]}),
    ("预算执行率=100%得满分；95%（含）-100%得8分；90%（含）-95%得6分；90%以下不得分", 10,
     {"kind": "bands", "bands": [{"min": 1, "max": 1, "max_inclusive": True, "score": 10}, {"min": 0.95, "max": 1, "score": 8},
                                 {"min": 0.9, "max": 0.95, "score": 6}, {"max": 0.9, "score": 0}]}),
    ("固定资产利用率≥80%得满分，低于80%按比例得分", 10, {"kind": "ratio"}),
    ("“三公经费”控制率：≤100%得满分，超过的不得分", 5,
     {"kind": "bands", "bands": [{"max": 1, "max_inclusive": True, "score": 5}, {"min": 1, "min_inclusive": False, "score": 0}]}),
    ("政府采购执行率≥100%得满分，否则不得分", 5, {"kind": "bands", "bands": [{"min": 1, "score": 5}, {"max": 1, "score": 0}]}),
    ("“三公经费”变动率≤0，得满分；>0，每增加1个百分点扣0.2分", 5,
     {"kind": "deduct", "direction": "above", "per": 0.01, "points": 0.2, "threshold": 0}),
    ("95%≤满意度<100%，得9分；满意度=100%，得10分；满意度<95%，不得分", 10,
     {"kind": "bands", "bands": [{"min": 0.95, "max": 1, "score": 9}, {"min": 1, "max": 1, "max_inclusive": True, "score": 10},
                                 {"max": 0.95, "score": 0}]}),
])
def test_more_national_phrasings(text, w, rule):
    """(also: band scores as a share of the 分值, and a bare a-b band giving way to a neighbour's （含）/以下/＞)"""
    assert read(text, w).rule == rule


@pytest.mark.parametrize("text", ["满意度90%以上得满分；80%-90%得部分分值；80%以下不得分",  # 部分分值: how much?
                                  "90%以上得5分；85%以上得3分；低于85%不得分"])  # overlapping bands
def test_a_clause_left_over_or_overlapping_bands_mean_not_sure(text):
    assert not read(text, 10).recognised


def test_consistent_side_clauses_are_read_and_contradictions_are_not():
    assert read("（指标值-60%）/（100%-60%）×分值，60%以下不得分", 5).rule == {"kind": "linear", "floor": 0.6, "full": 1}
    assert read("每发生一起安全事故扣2分，扣完为止", 5).rule == {"kind": "checklist", "mode": "deduct", "points": 2}
    wrong_way = read("每超过1个百分点扣0.5分", 5, ">=", 0.9)
    assert (wrong_way.recognised, wrong_way.reading) == (
        False, "评分标准按“每超过”扣分，年度指标值却是≥方向，无法识别，请选择计分方法")


def test_text_and_target_that_disagree_are_reported():
    r = read("固定资产利用率≥80%得满分，低于80%按比例得分", 10, ">=", 0.85)
    assert r.recognised and r.problems == ["评分标准写的满分线是80%，与年度指标值不一致（按年度指标值计分）"]
    assert read("固定资产利用率≥80%得满分，低于80%按比例得分", 10).target.value == 0.8


def test_rubric_command_takes_named_values_not_applicable_and_levels():
    text = "完成率每低1%扣1分；另每发现一处问题扣0.5分，最多扣3分；扣完为止；无此项任务的按满分计算"
    for args in (["--actual", "完成率=97%", "--actual", "问题=2"], ["--actual", "完成率=97%,问题=2"]):
        code, out, _ = _cli(text, "--weight", "10", "--target", "100%", *args, "--json")
        assert (code, json.loads(out)["score"]) == (0, 6)
    for args in (["--na"], ["--actual", "不适用"]):
        code, out, _ = _cli(text, "--weight", "10", "--target", "100%", *args, "--json")
        assert (code, json.loads(out)["score"]) == (0, 10)
    code, out, _ = _cli("健全得满分，基本健全得60%，不健全不得分，存在问题的酌情扣分", "--weight", "10", "--actual", "基本健全", "--json")
    got = json.loads(out)
    assert (code, got["recognised"], got["score"], got["kind"]) == (0, True, 6, "compose")
    code, out, _ = _cli(text, "--weight", "10", "--target", "100%", "--actual", "完成率=97.5%", "--actual", "问题=0", "--json")
    got = json.loads(out)
    assert code == 1 and not got["recognised"] and "不足一档" in got["reading"] and "score" not in got
