from pathlib import Path

from workbook_builder.reader.findings import CODES, FileReport, Finding, codes_table


def test_every_code_is_documented():
    doc = Path("docs/findings.md").read_text(encoding="utf-8")
    assert [c for c in CODES if f"`{c}`" not in doc] == []
    assert codes_table() in doc  # regenerate with: python3 -m workbook_builder.reader.findings


def test_codes_are_kebab_case_with_a_severity():
    for code, (sev, msg) in CODES.items():
        assert code == code.lower() and " " not in code and sev in ("error", "warning", "info") and msg


def test_report_flatten_and_dict():
    r = FileReport("a.xlsx")
    r.add("required-missing", sheet="基础数据", cell="D4", detail="编制数")
    assert r.flatten(["code", "sheet", "cell", "severity"]) == [["required-missing", "基础数据", "D4", "error"]]
    d = r.to_dict()
    assert d["valid"] is False and d["findings"][0]["message"] == "必填项未填写：编制数"
    assert Finding("not-recalculated").severity == "warning"


def test_every_code_has_a_short_chinese_label():
    import re

    from workbook_builder.reader.findings import LABELS, label
    assert set(LABELS) == set(CODES)
    for code in CODES:
        assert 2 <= len(label(code)) <= 10 and not re.search(r"[A-Za-z{}]", label(code)), code
