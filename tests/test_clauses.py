"""The clause grammar (clauses.py): the shapes of issue 22 read from text, the same in every width and
ending, never an exception, and reading work linear in the text's length."""

import os
import time

import pytest
from engines import expected, read_scores
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook_builder import clauses, rubric
from workbook_builder.layout import build_layout
from workbook_builder.loader import parse_template
from workbook_builder.render import build_workbook

# (text, 分值, 年度指标值, [(values given to `rubric`, score or [lo, hi])])
SHAPES = [
    ("未安排该项任务的不扣分；每发现一处问题扣1分，扣完为止", 5, None,
     [(["问题=2"], 3), (["不适用"], 5), (["问题=9"], 0)]),
    ("与目标值每相差2个百分点扣1分，扣完为止", 10, "100%", [(["96%"], 8), (["104%"], 8), (["100%"], 10)]),
    ("完成率每低1%扣1分；另每发现一处问题扣0.5分，最多扣3分；扣完为止", 10, "100%",
     [(["完成率=97%", "问题=2"], 6), (["完成率=97%,问题=20"], 4), (["完成率=80%", "问题=0"], 0)]),
    ("覆盖率达95%以上且回访2次以上的得满分；覆盖率达80%或回访1次的得一半分；其余不得分", 10, None,
     [(["覆盖率=96%", "回访次数=3"], 10), (["覆盖率=96%,回访=1"], 5), (["覆盖率=50%", "回访=0"], 0)]),
    ("健全得满分，基本健全得60%，不健全不得分，存在问题的酌情扣分", 10, None,
     [(["基本健全"], 6), (["健全"], 10), (["存在问题"], [0, 10])]),
    ("完成率>100%的得3-5分；完成率80%-100%得2分；低于80%不得分", 5, None, [(["120%"], [3, 5]), (["90%"], 2), (["70%"], 0)]),
    ("得分=种植率×30", 30, None, [(["80%"], 24)]),
    ("得分=实际完成量/目标任务×该项分值", 10, "50", [(["40"], 8)]),
    ("指标值/实际值×分值", 10, "≤5", [(["10"], 5)]),
    ("每发现一处问题扣2分，最多扣5分；不健全的扣10分", 8, None, [(["问题=1", "不健全=否"], 6), (["问题=4,不健全=否"], 3),
                                                        (["问题=0", "不健全=是"], 0)]),
    ("以100%为标准，每超过1个百分点扣0.5分，扣完为止。", 5, None, [(["103%"], 3.5), (["102.5%"], None)]),
]


@pytest.mark.parametrize("text,w,target,cases", SHAPES, ids=[s[0][:12] for s in SHAPES])
def test_each_shape_reads_from_text_and_scores(text, w, target, cases):
    for values, want in cases:
        got = rubric.run(text, w, target, values)
        assert got.get("score", got.get("score_range")) == want, (values, got["reading"])


ENDINGS = ["", "。", ".", "；", "\n", " 。"]


@pytest.mark.parametrize("text,w,target,cases", SHAPES, ids=[s[0][:12] for s in SHAPES])
def test_widths_breaks_and_endings_read_the_same(text, w, target, cases):
    base = rubric.run(text, w, target, cases[0][0])
    wide = text.translate(str.maketrans(",;:()%<>", "，；：（）％＜＞"))
    narrow = text.translate(str.maketrans("，；：（）％＜＞", ",;:()%<>"))
    for variant in (wide, narrow, text.replace("；", "；\n"), text.replace("，", "，\r\n")):
        for end in ENDINGS:
            got = rubric.run(variant.rstrip("。.") + end, w, target, cases[0][0])
            assert (got["recognised"], got.get("score", got.get("score_range"))) == \
                (base["recognised"], base.get("score", base.get("score_range"))), (variant, end)


def test_an_abstention_names_the_clause_and_the_nearest_composition():
    got = rubric.run("完成率每低1%扣1分；另每发现一处问题扣0.5分，最多扣3分；每月报送一次", 10, "100%")
    assert not got["recognised"] and "“每月报送一次”" in got["reading"]
    near = got["nearest"]["参数"]
    assert near.startswith("数值=") and "计数扣分=问题每项扣0.5分，最多扣3分" in near
    from workbook_builder.rules.compose import parse_params
    assert parse_params(near, True, 10)["kind"] == "compose"  # the bureau can paste it as it is


@pytest.mark.libreoffice
def test_the_shapes_read_from_text_recalculate_in_libreoffice(tmp_path):
    from workbook_builder.libreoffice import convert, soffice
    if soffice() is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice not installed")
    leaves = []
    for i, (text, w, target, _) in enumerate(SHAPES):
        r = rubric.read(text, w, *(rubric.parse_target(target)[:2] if target else (None, None)))
        if r.kind == "compose":
            leaves.append({"id": f"s{i}", "name": f"形态{i}", "weight": w, "criteria": text, "rule": r.rule})
    assert len(leaves) >= 9
    t = parse_template({"id": "text_shapes", "title": "由评分标准读出的组合计分", "region": "测试", "year": 2025,
                            "version": "1", "indicators": [{"id": "all", "name": "全部", "weight": sum(x["weight"] for x in leaves),
                                                            "children": leaves}],
                            "grades": [{"name": "合格", "min": 0}]})
    from strategies import values_for
    batch = [values_for(t).example() for _ in range(6)]
    files = []
    for k, values in enumerate(batch):
        p = tmp_path / f"t{k}.xlsx"
        p.write_bytes(build_workbook(t, "测试单位", 2025, values))
        files.append(p)
    out = convert(files, tmp_path / "lo")
    lay = build_layout(t)
    for values, q in zip(batch, out):
        assert read_scores(q, lay) == expected(t, values), values


PIECES = ["以100%为标准", "每超过", "每低于", "每相差", "1个百分点", "扣0.5分", "扣完为止", "最多扣3分", "得满分", "不得分", "且", "或",
          "80%（含）-90%", "，计4分", "①", "(1)", "1、", "制度健全", "得2分", "健全", "基本健全", "酌情扣分", "不适用", "无新建项目的按满分计算",
          "得分=", "种植率", "×30", "/目标任务", "×分值", "每发现一处问题", "；", "。", "\n", ",", "覆盖率达95%以上", "回访2次以上", "得一半分"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(PIECES), max_size=30).map("".join)),
       st.sampled_from([1, 5, 10, 0.5]), st.sampled_from([None, "100%", "≤5", "≥90%"]),
       st.lists(st.sampled_from(["95%", "103%", "问题=2", "不适用", "是", "否", "健全", "覆盖率=96%", "回访=1", "3", "x"]), max_size=3))
def test_any_text_and_values_give_an_answer_or_an_abstention_never_an_exception(text, w, target, values):
    try:
        got = rubric.run(text, w, target, values)
    except rubric.ValueProblem as e:
        assert str(e)  # a bad value: a Chinese sentence
        return
    assert got["reading"]
    s = got.get("score")
    if s is not None:
        assert 0 <= s <= w
    if "score_range" in got:
        lo, hi = got["score_range"]
        assert 0 <= lo <= hi <= w


def _work(text: str) -> int:
    clauses.WORK[0] = 0
    rubric.read(text, 5)
    return clauses.WORK[0]


@pytest.mark.parametrize("unit", ["以100%为标准，每超过1个百分点扣0.5分，扣完为止；", "这是一段普通的说明文字", "得", "（含", "优秀得满分，"])
def test_reading_work_grows_linearly(unit):
    """The grammar's work (characters offered to productions) for n and 2n copies: at most twice (plus a clause)."""
    small = unit * (5000 // len(unit))
    assert _work(small * 2) <= 2 * _work(small) + 200 * 12


def test_long_cells_do_not_reach_the_phrase_recognisers():
    """Texts beyond PHRASE_MAX go to the linear grammar alone (the phrase regexes are quadratic in the length)."""
    assert len("a" * (rubric.PHRASE_MAX + 1)) > rubric.PHRASE_MAX
    calls = []
    orig = rubric.RECOGNISERS
    try:
        rubric.RECOGNISERS = tuple((lambda f: (lambda t, c: calls.append(1) or f(t, c)))(f) for f in orig)
        rubric.read("每超过1个百分点扣0.5分，" * 100, 5)
        assert calls == []
        rubric.read("每超过1个百分点扣0.5分，扣完为止", 5, "<=", 1.0)
        assert calls
    finally:
        rubric.RECOGNISERS = orig


def test_10kb_of_repeated_clauses_reads_in_time_proportional_to_a_short_text():
    """Time for 10 kB, against a floor measured here: reading one short text (×100 for the length, ×4 slack)."""
    short = "以100%为标准，每超过1个百分点扣0.5分，扣完为止；" * 3
    t0 = time.perf_counter()
    for _ in range(20):
        rubric.read(short, 5)
    floor = (time.perf_counter() - t0) / 20
    big = short * (10_000 // len(short))
    t0 = time.perf_counter()
    rubric.read(big, 5)
    assert time.perf_counter() - t0 <= floor * (len(big) / len(short)) * 4 + 0.05
