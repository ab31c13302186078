"""Finding messages speak the reviewer's language: never a Python token, percents as percents.

Each row makes one finding whose text once showed a Python token or a fraction; the text a reviewer
reads (the message and the 应为/实为 values the command prints) is checked for both.
"""

import re

import pytest

from reader.helpers import TABLE_PART, edit, honest_file, layout, patch_part
from workbook_builder.layout import cell
from workbook_builder.reader import validate_file
from workbook_builder.reader.describe import limits, number, validation
from workbook_builder.reader.findings import CODES

LAY = layout()
LAW = cell(*LAY.input_cells["law.actual"][1:])  # a percent input of the 自评表
PYTHON = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\bnan\b|\binf\b|\bcustom\b|\bdecimal\b|\bwhole\b|\bnone\b|e\+\d")


def shown(f) -> str:
    return " ".join([f.message] + [str(x) for x in (f.expected, f.found) if x not in (None, "")])


def _custom_validation_broken(x):
    """A list validation turned into a custom one without a formula (what a careless editor leaves)."""
    return re.sub(r'(<dataValidation type=")list("[^>]*sqref="[^"]*">)<formula1>[^<]*</formula1>', r"\1custom\2", x, count=1)


def _decimal_limits_changed(x):
    return re.sub(rf'(<dataValidation type="decimal"[^>]*sqref="{LAW}"[^>]*>)<formula1>[^<]*</formula1><formula2>[^<]*</formula2>',
                  r"\1<formula1>0</formula1><formula2>1E+20</formula2>", x, count=1)


ROWS = [
    ("percent typed as 95", lambda p, t: edit(p, lambda wb: wb["自评表"].__setitem__(LAW, 95)),
     "value-out-of-range", ["-100%～1000%", "9500%"]),
    ("validation left without a formula", lambda p, t: patch_part(p, TABLE_PART, _custom_validation_broken, t / "v.xlsx"),
     "validation-changed", ["序列 =_lists!"]),
    ("percent validation limits widened", lambda p, t: patch_part(p, TABLE_PART, _decimal_limits_changed, t / "d.xlsx"),
     "validation-changed", ["小数 -100%～1000%", "小数 0%～"]),
]


@pytest.mark.parametrize("name,make,code,wanted", ROWS, ids=[r[0] for r in ROWS])
def test_messages_have_no_python_tokens_and_show_percents(tmp_path, name, make, code, wanted):
    rep = validate_file(make(honest_file(tmp_path), tmp_path))
    hits = [f for f in rep.findings if f.code == code]
    assert hits, rep.flatten(["code", "cell"])
    for f in rep.findings:
        assert not PYTHON.search(shown(f)), shown(f)
    text = " ".join(shown(f) for f in hits)
    for w in wanted:
        assert w in text, text
    assert "-1.0" not in text and "10.0" not in text


def test_describe():
    assert limits(-1.0, 10.0, True) == "-100%～1000%" and limits(0, None) == "不小于 0" and limits(None, 5) == "不大于 5"
    assert number(1e12) == "1000000000000" and number(0.125, True) == "12.5%" and number(float("nan")) == "无效数值"
    assert validation("custom", "=AND(A1>0)") == "自定义公式 =AND(A1>0)" and validation("custom") == "自定义公式"
    assert validation("none") == "任何值（无限制）" and validation("decimal", "-1", "10", True) == "小数 -100%～1000%"


def test_catalogue_messages_have_no_python_tokens():
    for code, (_, msg) in CODES.items():
        assert not PYTHON.search(msg), code


ENGLISH = re.compile(r"[A-Za-z]{4,}")


@pytest.mark.parametrize("name,fn", [
    ("broken XML", lambda x: x.replace("</sheetData>", "</sheetDat>")),
    ("bad shared string index", lambda x: re.sub(r'(<c r="[A-Z]+\d+"[^>]*t="s"[^>]*><v>)\d+', r"\g<1>99999", x, count=1)),
    ("bad cell reference", lambda x: x.replace('<c r="A1"', '<c r="1A"', 1)),
], ids=["broken XML", "bad shared string index", "bad cell reference"])
def test_refusals_are_chinese(tmp_path, name, fn):
    rep = validate_file(patch_part(honest_file(tmp_path), TABLE_PART, fn, tmp_path / "x.xlsx"))
    assert rep.findings and not rep.valid
    for f in rep.findings:
        text = f.message.replace(TABLE_PART, "")
        assert not PYTHON.search(text) and not ENGLISH.search(text.replace("XML", "")), text
        assert "'" not in text, text  # no Python repr quotes
