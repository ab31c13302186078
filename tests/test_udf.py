"""The UDFs give exactly the rule library's scores, and the .xlsm variant is sound."""

import io
import os
import zipfile

import numpy as np
import openpyxl
import pytest
import schedula as sh
from engines import FormulasBook, expected
from hypothesis import given
from hypothesis import strategies as st
from strategies import values_for

from workbook_builder.layout import build_layout
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.loader import load_template, template_paths
from workbook_builder.macros import CONF_SHEET, VBA_PATH
from workbook_builder.model import Actual, Node, Target
from workbook_builder.reader import validate_file
from workbook_builder.render import build_workbook
from workbook_builder.rules import RULES
from workbook_builder.udf import (
    UDFS,
    WB_BANDS,
    WB_CHECKLIST,
    WB_DEDUCT,
    WB_GRADE,
    WB_GRADE_SHARE,
    WB_LINEAR,
    WB_MANUAL,
    WB_RATIO,
    WB_YES_NO,
    findings_rows,
    parse_bands,
    parse_levels,
    render_bands,
    render_levels,
)

num = st.one_of(st.none(), st.integers(-50, 300).map(lambda x: x / 100))
weight = st.sampled_from([0.5, 2, 3, 5, 10, 12.5])


def engine(kind, w, rule, op=None, **values):
    n = Node(id="x", name="x", weight=w, target=Target(op=op) if op else None, actual=Actual("entry"),
             rule={"kind": kind, **rule})
    s = RULES[kind].score(n, values)
    return "" if s is None else s


@given(num, st.one_of(st.none(), st.integers(0, 300).map(lambda x: x / 100)), weight, st.sampled_from([">=", "<=", "="]),
       st.one_of(st.none(), st.sampled_from([1.3, 1.5, 2])))
def test_ratio(a, t, w, op, th):
    rule = {"overshoot": {"threshold": th, "k": 1}} if th and op == ">=" else {}
    got = WB_RATIO(a, t, w, op, th if rule else "", 1)
    assert got == engine("ratio", w, rule, op, actual=a, target=t)


@given(num, weight, st.sampled_from([(0.6, 1), (0, 1), (0.3, 0)]))
def test_linear(v, w, ff):
    assert WB_LINEAR(v, w, *ff) == engine("linear", w, {"floor": ff[0], "full": ff[1]}, actual=v)


BANDS = st.lists(st.tuples(st.integers(0, 10), st.booleans(), st.booleans()), min_size=1, max_size=5).map(
    lambda xs: [{"min": i / 10, "max": i / 10 + 0.1, "min_inclusive": a, "max_inclusive": b, "score": 1.0}
                for i, a, b in xs])


@given(num, BANDS)
def test_bands_and_text_round_trip(v, bands):
    assert parse_bands(render_bands(bands)) == bands
    assert WB_BANDS(v, 5, render_bands(bands)) == engine("bands", 5, {"bands": bands}, actual=v)


@given(num, weight, st.sampled_from(["above", "below"]), st.sampled_from(["continuous", "floor", "ceil"]),
       st.sampled_from([(1, 0.01, 0.5), (0.5, 0.01, 0.2), (1, 0.05, 1)]))
def test_deduct(v, w, d, step, p):
    rule = {"threshold": p[0], "per": p[1], "points": p[2], "direction": d, "step": step}
    assert WB_DEDUCT(v, w, *p, d, step) == engine("deduct", w, rule, actual=v)


@given(st.one_of(st.none(), st.integers(0, 9)), weight, st.sampled_from(["deduct", "earn"]),
       st.sampled_from([("points", 1), ("points", 0.5), ("share", 0.25)]))
def test_checklist(n, w, mode, per):
    assert WB_CHECKLIST(n, w, per[1], mode, per[0]) == engine("checklist", w, {"mode": mode, per[0]: per[1]}, actual=n)


LEVELS = [[{"name": "达成目标", "share": 1}, {"name": "基本达成目标", "share": 0.75}, {"name": "实现程度低", "share": 0}],
          [{"name": "无结余", "score": 3}, {"name": "有结余", "score": 2}],
          [{"name": "达成年度指标", "min": 0.8, "max": 1, "default": 0.9}, {"name": "未达成", "min": 0, "max": 0.6, "default": 0.3}]]


@given(st.sampled_from(LEVELS), st.data())
def test_grade_share(levels, data):
    lv = data.draw(st.one_of(st.none(), st.sampled_from([x["name"] for x in levels] + ["别的"])))
    typed = data.draw(num)
    assert parse_levels(render_levels(levels)) == levels
    got = WB_GRADE_SHARE(lv, 3, render_levels(levels), "" if typed is None else typed)
    assert got == engine("grade", 3, {"levels": levels}, actual=lv, score=typed)


@given(st.sampled_from(["是", "否", None, "x"]), num, weight)
def test_yes_no_and_manual(ans, s, w):
    assert WB_YES_NO(ans, w) == engine("yes_no", w, {}, actual=ans)
    assert WB_MANUAL(s, w) == engine("manual", w, {}, score=s)


def test_grade():
    t = load_template("hengyang_2022")
    bands = ";".join(f"{g.name}={g.min:g}" for g in t.grades)
    for total in (0, 59.99, 60, 80, 89.99, 90, 100):
        assert WB_GRADE(total, bands) == t.grade_for(total)
    assert WB_GRADE(None, bands) == ""


def register_udfs():
    import formulas
    from formulas.functions import wrap_func

    def plain(x):
        x = x.ravel()[0] if isinstance(x, np.ndarray) else x
        if x is sh.EMPTY:
            return None
        return float(x) if isinstance(x, (np.floating, np.integer)) else x

    for name, f in UDFS.items():
        formulas.get_functions()[name] = wrap_func(lambda *a, _f=f: _f(*map(plain, a)))


@pytest.mark.parametrize("tid", [p.stem for p in template_paths()])
def test_udf_cells_evaluated_by_formulas_equal_engine(tid, tmp_path):
    register_udfs()
    t = load_template(tid)
    p = tmp_path / f"{tid}.xlsm"
    p.write_bytes(build_workbook(t, "测试单位", 2024, macros=True, udf_cells=True))
    fb = FormulasBook(p, build_layout(t))
    formula = openpyxl.load_workbook(p)["自评表"].cell(*[x + 1 for x in build_layout(t).score_cells[next(t.leaves()).id]]).value
    assert formula.startswith("=WB_")

    @given(values_for(t))
    def check(values):
        got, want = fb.calculate(values), expected(t, values)
        assert {k: got[k] for k in want if got[k] != want[k]} == {}

    check()


def test_xlsm_keeps_vba_and_settings_and_reader_accepts_only_ours(tmp_path):
    t = load_template("zizhou_2024")
    data = build_workbook(t, "甲局", 2024, macros=True)
    z = zipfile.ZipFile(io.BytesIO(data))
    vba = z.read("xl/vbaProject.bin")
    assert vba == VBA_PATH.read_bytes() and "xlwings".encode("utf-16-le") in vba
    assert b"macroEnabled" in z.read("[Content_Types].xml")
    wb = openpyxl.load_workbook(io.BytesIO(data), keep_vba=True)
    conf = {r[0].value: r[1].value for r in wb[CONF_SHEET].iter_rows()}
    assert conf["UDF Modules"] == "workbook_builder.udf" and conf["Interpreter_Win"] == "python"
    ours = tmp_path / "ours.xlsm"
    ours.write_bytes(data)
    assert "macros-present" not in [f.code for f in validate_file(ours).findings]
    # any other code is refused: one word of the xlwings module changed, or a project that is not one
    at = vba.find(b"Shell")
    for name, body in (("edited", vba[:at] + b"Shelx" + vba[at + 5:]), ("junk", b"VBA" * 200)):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as out:
            for item in z.infolist():
                out.writestr(item, body if item.filename == "xl/vbaProject.bin" else z.read(item.filename))
        other = tmp_path / f"{name}.xlsm"
        other.write_bytes(buf.getvalue())
        assert validate_file(other).flatten(["code"]) == [["macros-present"]], name


def test_check_rows(tmp_path):
    p = tmp_path / "a.xlsx"
    p.write_bytes(build_workbook(load_template("national_2020"), "甲局", 2024))
    rows = findings_rows(str(p))
    assert rows[0] == ["工作表", "单元格", "代码", "严重程度", "说明"]
    assert ["基础数据", "D4", "required-missing", "error"] == rows[1][:4]


@pytest.mark.skipif(soffice() is None and not os.environ.get("CI"), reason="LibreOffice not installed")
def test_xlsm_opens_in_libreoffice(tmp_path):
    p = tmp_path / "m.xlsm"
    p.write_bytes(build_workbook(load_template("longxian_2023"), "陇县自然资源局", 2023, macros=True))
    (out,) = convert([p], tmp_path / "lo")
    wb = openpyxl.load_workbook(out, data_only=True)
    assert "自评表" in wb.sheetnames and CONF_SHEET in wb.sheetnames


@pytest.mark.skipif(soffice() is None and not os.environ.get("CI"), reason="LibreOffice not installed")
def test_xlsm_resaved_by_libreoffice_keeps_being_recognised(tmp_path):
    """LibreOffice rewrites the VBA project's bytes (and marks class modules): the code is still ours."""
    p = tmp_path / "m.xlsm"
    p.write_bytes(build_workbook(load_template("longxian_2023"), "陇县自然资源局", 2023, macros=True))
    (out,) = convert([p], tmp_path / "lo", to="xlsm:Calc MS Excel 2007 VBA XML")
    resaved = zipfile.ZipFile(out).read("xl/vbaProject.bin")
    assert resaved != VBA_PATH.read_bytes()
    assert "macros-present" not in [f.code for f in validate_file(out).findings]
