"""The tamper suite of issue 13: what a reviewer would see differs from what the values say.

Each test makes one kind of change to a complete, honest 庆城 return (in the XML, as a hostile editor
would, or through openpyxl, as a person would) and asserts the finding's code, sheet and cell.
Honest re-saves by LibreOffice (once, twice, via .ods) and Gnumeric stay free of errors and warnings
(tests/reader/test_resaves.py).
"""

import io
import re
import zipfile

import pytest

from reader.helpers import TABLE_PART, edit, honest_file, patch_part
from workbook_builder.reader import validate_file

TID = "qingcheng_2024"
INPUTS = "xl/worksheets/sheet2.xml"
GUIDE = "xl/worksheets/sheet1.xml"
LISTS = "xl/worksheets/sheet4.xml"
TOTAL, GRADE, SCORE = "J34", "J35", "J19"  # 总分, 评价等级, the 基本支出执行率 score


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    return honest_file(tmp_path_factory.mktemp("honest"), TID, name="honest.xlsx")


def found(path, code):
    return [(f.sheet, f.cell) for f in validate_file(path).findings if f.code == code]


def rezip(src, fn, out):
    """Rewrite every part with fn(name, bytes) -> bytes | None (None drops the part)."""
    z = zipfile.ZipFile(src)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as d:
        for i in z.infolist():
            data = fn(i.filename, z.read(i.filename))
            if data is not None:
                d.writestr(i.filename, data)
    out.write_bytes(buf.getvalue())
    return out


def restyle(src, out, part, ref, xf: str, numfmt: str | None = None, dxf: str | None = None, cf: str | None = None):
    """Give cell ``ref`` a new cell style ``xf`` (numFmtId 200 = ``numfmt``), and optionally a conditional format."""
    def fn(name, data):
        text = data.decode("utf-8")
        if name == "xl/styles.xml":
            n = len(re.findall(r"<xf ", text[text.index("<cellXfs"):text.index("</cellXfs>")]))
            text = text.replace("</cellXfs>", xf + "</cellXfs>")
            if numfmt is not None:
                nf = f'<numFmt numFmtId="200" formatCode="{numfmt}"/>'
                text = text.replace("</numFmts>", nf + "</numFmts>") if "</numFmts>" in text else \
                    text.replace("<fonts", f'<numFmts count="1">{nf}</numFmts><fonts', 1)
            if dxf is not None:
                text = text.replace("</dxfs>", dxf + "</dxfs>") if "</dxfs>" in text else text
            fn.index = n
        elif name == part:
            text = re.sub(rf'<c r="{ref}" s="\d+"', f'<c r="{ref}" s="{fn.index}"', text, count=1)
            if cf is not None:
                text = text.replace("</sheetData>", "</sheetData>" + cf, 1) if "<conditionalFormatting" not in text \
                    else text.replace("<conditionalFormatting", cf + "<conditionalFormatting", 1)
        return text.encode("utf-8")
    fn.index = 0
    # styles.xml comes after the sheets in the zip: compute the index first
    z = zipfile.ZipFile(src)
    styles = z.read("xl/styles.xml").decode()
    fn.index = len(re.findall(r"<xf ", styles[styles.index("<cellXfs"):styles.index("</cellXfs>")]))
    return rezip(src, lambda n, d: fn(n, d) if n in ("xl/styles.xml", part) else d, out)


# the style of the honest total cell, with one thing changed
def total_xf(honest, **attrs):
    z = zipfile.ZipFile(honest)
    sheet = z.read(TABLE_PART).decode()
    s = int(re.search(rf'<c r="{TOTAL}" s="(\d+)"', sheet).group(1))
    styles = z.read("xl/styles.xml").decode()
    xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", styles[styles.index("<cellXfs"):], re.S)
    xf = xfs[s]
    for k, v in attrs.items():
        xf = re.sub(rf'{k}="\d+"', f'{k}="{v}"', xf)
    return xf


def test_honest_return_has_no_finding(honest):
    assert validate_file(honest).findings == []


@pytest.mark.parametrize("code", ['&quot;100.00&quot;', ";;;", '[&lt;90]&quot;90.00&quot;;0.00', "0"])
def test_number_format_that_lies_about_the_total(honest, tmp_path, code):
    p = restyle(honest, tmp_path / "x.xlsx", TABLE_PART, TOTAL, total_xf(honest, numFmtId=200), numfmt=code)
    rep = validate_file(p)
    f = [x for x in rep.findings if x.code == "number-format-changed"]
    assert [(x.sheet, x.cell) for x in f] == [("自评表", TOTAL)] and f[0].expected == "94.26"
    assert not rep.valid


def test_number_format_that_hides_rubric_text(honest, tmp_path):
    p = restyle(honest, tmp_path / "x.xlsx", TABLE_PART, "H19", total_xf(honest, numFmtId=200), numfmt=";;;")
    assert ("自评表", "H19") in found(p, "number-format-changed")


def test_same_look_through_a_builtin_format_is_accepted(honest, tmp_path):
    """A re-save may write 0.00 as the built-in numFmtId 2: what shows is the same."""
    p = restyle(honest, tmp_path / "x.xlsx", TABLE_PART, TOTAL, total_xf(honest, numFmtId=2))
    assert validate_file(p).findings == []


@pytest.mark.parametrize("font", ['<font><sz val="10"/><color rgb="FFDDEBF7"/><name val="宋体"/></font>',
                                  '<font><sz val="10"/><color rgb="FFFFFFFF"/><name val="宋体"/></font>',
                                  '<font><sz val="1"/><name val="宋体"/></font>'])
def test_font_that_hides_a_score(honest, tmp_path, font):
    """A font the colour of the blue fill, white, or 1 point high."""
    styles = zipfile.ZipFile(honest).read("xl/styles.xml").decode()
    n = len(re.findall(r"<font>", styles[styles.index("<fonts"):styles.index("</fonts>")]))
    p = patch_part(honest, "xl/styles.xml", lambda x: x.replace("</fonts>", font + "</fonts>", 1), tmp_path / "a.xlsx")
    p = restyle(p, tmp_path / "x.xlsx", TABLE_PART, SCORE, total_xf(honest, fontId=n))
    assert found(p, "text-invisible") == [("自评表", SCORE)]


@pytest.mark.parametrize("dxf,what", [('<dxf><numFmt numFmtId="201" formatCode=";;;"/></dxf>', "format"),
                                      ('<dxf><font><color rgb="FFDDEBF7"/></font></dxf>', "font")])
def test_conditional_format_that_hides_low_scores(honest, tmp_path, dxf, what):
    z = zipfile.ZipFile(honest)
    n = len(re.findall(r"<dxf>", z.read("xl/styles.xml").decode()))
    cf = (f'<conditionalFormatting sqref="J15:J33"><cfRule type="cellIs" dxfId="{n}" priority="1" operator="lessThan">'
          f"<formula>2</formula></cfRule></conditionalFormatting>")
    p = patch_part(honest, "xl/styles.xml", lambda x: x.replace("</dxfs>", dxf + "</dxfs>"), tmp_path / "a.xlsx")
    p = patch_part(p, TABLE_PART, lambda x: x.replace("<conditionalFormatting", cf + "<conditionalFormatting", 1), tmp_path / "b.xlsx")
    cells = found(p, "conditional-format-hides")
    assert ("自评表", SCORE) in cells and all(c[1].startswith("J") for c in cells)


def test_hidden_row_of_a_low_score(honest, tmp_path):
    p = patch_part(honest, TABLE_PART, lambda x: x.replace('<row r="19"', '<row r="19" hidden="1"', 1), tmp_path / "x.xlsx")
    assert [(s, c[1:]) for s, c in found(p, "row-hidden")] == [("自评表", "19")]


def test_hidden_column_of_scores(honest, tmp_path):
    p = patch_part(honest, TABLE_PART, lambda x: re.sub(r'<col min="9" max="10"', '<col min="9" max="10" hidden="1"', x, count=1),
                   tmp_path / "x.xlsx")
    assert sorted({c.rstrip("0123456789") for _, c in found(p, "column-hidden")}) == ["I", "J"]


def test_table_sheet_hidden_and_a_copy_shown(honest, tmp_path):
    def fn(wb):
        copy = wb.copy_worksheet(wb["自评表"])
        copy.title = "自评表(2)"
        wb["自评表"].sheet_state = "hidden"
    p = edit(honest, fn, tmp_path / "x.xlsx")
    rep = validate_file(p)
    assert ("sheet-hidden", "自评表") in [(f.code, f.sheet) for f in rep.findings]
    assert ("sheet-added", "自评表(2)") in [(f.code, f.sheet) for f in rep.findings]


def test_list_sheet_edited_to_offer_other_levels(honest, tmp_path):
    p = patch_part(honest, "xl/sharedStrings.xml", lambda x: x.replace("<t>未达成年度指标且效果较差</t>", "<t>达成年度指标（优秀）</t>"),
                   tmp_path / "x.xlsx")
    assert ("_lists", "A3") in found(p, "locked-value-changed")


def test_guide_grade_bands_rewritten(honest, tmp_path):
    p = patch_part(honest, "xl/sharedStrings.xml", lambda x: x.replace("<t>优：总分不低于 90 分</t>", "<t>优：总分不低于 80 分</t>"),
                   tmp_path / "x.xlsx")
    assert [s for s, _ in found(p, "locked-value-changed")] == ["填报说明"]


def test_two_cell_elements_for_one_cell(honest, tmp_path):
    p = patch_part(honest, TABLE_PART, lambda x: x.replace(f'<c r="{TOTAL}"', f'<c r="{TOTAL}"><v>100</v></c><c r="{TOTAL}"', 1),
                   tmp_path / "x.xlsx")
    rep = validate_file(p)
    assert rep.flatten(["code"]) == [["duplicate-cell"]] and TOTAL in rep.findings[0].detail


def test_two_zip_entries_and_two_sheets_with_one_name(honest, tmp_path):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = zipfile.ZipFile(honest)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as d:
            for i in z.infolist():
                d.writestr(i.filename, z.read(i.filename))
            d.writestr(TABLE_PART, z.read(TABLE_PART).replace(b"<v>94.26</v>", b"<v>100</v>"))
    (tmp_path / "x.xlsx").write_bytes(buf.getvalue())
    assert validate_file(tmp_path / "x.xlsx").flatten(["code"]) == [["duplicate-part"]]
    p = patch_part(honest, "xl/workbook.xml", lambda x: x.replace('name="_lists"', 'name="自评表"'), tmp_path / "y.xlsx")
    assert validate_file(p).flatten(["code"]) == [["duplicate-part"]]


def test_sheet_local_name_overriding_total_score(honest, tmp_path):
    local = '<definedName name="TOTAL_SCORE" localSheetId="2">自评表!$J$15</definedName>'
    p = patch_part(honest, "xl/workbook.xml", lambda x: x.replace("<definedNames>", "<definedNames>" + local, 1), tmp_path / "x.xlsx")
    assert [f.detail for f in validate_file(p).findings if f.code == "defined-name-ambiguous"] == ["TOTAL_SCORE"]


def test_total_replaced_with_an_honest_copy_in_extlst(honest, tmp_path):
    def fn(x):
        honest_cell = re.search(rf'<c r="{TOTAL}".*?</c>', x).group(0)
        x = x.replace(honest_cell, f'<c r="{TOTAL}" s="18"><f>100</f><v>100</v></c>', 1)
        return x.replace("</worksheet>", f'<extLst><ext uri="{{X}}"><sheetData><row r="34">{honest_cell}</row></sheetData></ext></extLst></worksheet>')
    p = patch_part(honest, TABLE_PART, fn, tmp_path / "x.xlsx")
    rep = validate_file(p)
    codes = [(f.code, f.cell) for f in rep.findings]
    assert ("formula-edited", TOTAL) in codes and ("content-outside-table", "") in codes


def test_phonetic_runs_hiding_rubric_text(honest, tmp_path):
    z = zipfile.ZipFile(honest)
    sst = z.read("xl/sharedStrings.xml").decode()
    target = re.search(r"<si><t>(预算执行率[^<]{10,})</t></si>", sst) or re.search(r"<si><t>([^<]{30,})</t></si>", sst)
    text = target.group(1)
    new = f'<si><r><t>{text[:8]}</t></r><rPh sb="0" eb="1"><t>{text[8:]}</t></rPh></si>'
    p = patch_part(honest, "xl/sharedStrings.xml", lambda x: x.replace(target.group(0), new, 1), tmp_path / "x.xlsx")
    rep = validate_file(p)
    assert "phonetic-text" in [f.code for f in rep.findings] and "locked-value-changed" in [f.code for f in rep.findings]


def test_external_link_outside_the_external_links_folder(honest, tmp_path):
    rel = '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink" Target="misc/link.xml"/>'
    p = patch_part(honest, "xl/_rels/workbook.xml.rels", lambda x: x.replace("</Relationships>", rel + "</Relationships>"), tmp_path / "x.xlsx")
    assert validate_file(p).flatten(["code"]) == [["external-links"]]


def test_score_cell_unlocked_under_renewed_protection(honest, tmp_path):
    p = restyle(honest, tmp_path / "x.xlsx", TABLE_PART, SCORE,
                '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyProtection="1"><protection locked="0"/></xf>')
    assert ("自评表", SCORE) in found(p, "cell-unlocked")


def test_protection_weakened_and_password_changed(honest, tmp_path):
    p = patch_part(honest, TABLE_PART, lambda x: x.replace('<sheetProtection sheet="1"', '<sheetProtection password="CC1A" formatCells="0" sheet="1"', 1),
                   tmp_path / "x.xlsx")
    rep = validate_file(p)
    codes = {(f.code, f.severity) for f in rep.findings}
    assert ("protection-weakened", "error") in codes and ("protection-password-changed", "warning") in codes


def test_structure_unlocked(honest, tmp_path):
    p = patch_part(honest, "xl/workbook.xml", lambda x: x.replace('<workbookProtection lockStructure="1"/>', ""), tmp_path / "x.xlsx")
    assert [(f.code, f.severity) for f in validate_file(p).findings] == [("structure-unlocked", "warning")]


@pytest.mark.parametrize("ref,formula,value", [("D4", "D5*1.1", "1"), ("E26", '"达成年度指标"', "达成年度指标")])
def test_formula_typed_into_an_input_or_level_cell(honest, tmp_path, ref, formula, value):
    part = INPUTS if ref == "D4" else TABLE_PART
    t = ' t="str"' if not value.replace(".", "").isdigit() else ""

    def fn(x):
        return re.sub(rf'<c r="{ref}"( s="\d+")[^>]*?(/>|>.*?</c>)', rf'<c r="{ref}"\1{t}><f>{formula}</f><v>{value}</v></c>', x, count=1)
    p = patch_part(honest, part, fn, tmp_path / "x.xlsx")
    sheet = "基础数据" if ref == "D4" else "自评表"
    assert (sheet, ref) in found(p, "input-formula")


def test_qualitative_score_below_the_chosen_levels_range(honest, tmp_path):
    p = edit(honest, lambda wb: wb["自评表"].__setitem__("I26", 5), tmp_path / "x.xlsx")  # 达成年度指标: 10～12.5
    rep = validate_file(p)
    f = [x for x in rep.findings if x.code == "score-outside-level"]
    assert [(x.sheet, x.cell, x.expected) for x in f] == [("自评表", "I26", "10～12.5")]


@pytest.mark.parametrize("typed", [95, -5])
def test_percent_typed_as_a_whole_number_or_negative(honest, tmp_path, typed):
    p = edit(honest, lambda wb: wb["自评表"].__setitem__("E19", typed), tmp_path / "x.xlsx")
    assert ("自评表", "E19") in found(p, "value-out-of-range")


def test_one_character_reason_is_a_warning(honest, tmp_path):
    def fn(wb):
        wb["自评表"]["E19"] = 0.5  # 基本支出执行率 50 %: the target is missed, a reason is required
        wb["自评表"]["K19"] = "无"
    rep = validate_file(edit(honest, fn, tmp_path / "x.xlsx"))
    assert [(f.cell, f.severity) for f in rep.findings if f.code == "reason-too-short"] == [("K19", "warning")]


def test_a_level_below_the_top_needs_a_reason_and_the_top_level_does_not(honest, tmp_path):
    """达成年度指标 scored at its default 90 % needs no reason; 部分达成 does."""
    rep = validate_file(edit(honest, lambda wb: wb["自评表"].__setitem__("E26", "部分达成年度指标并具有一定效果"), tmp_path / "x.xlsx"))
    assert [f.cell for f in rep.findings if f.code == "reason-missing"] == ["K26"]


def test_department_edited_with_the_fingerprint_recomputed_is_caught_only_with_a_key(tmp_path):
    key = b"bureau-secret"
    signed = honest_file(tmp_path, TID, name="signed.xlsx", sign_key=key)
    forged = patch_part(signed, "xl/sharedStrings.xml", lambda x: x.replace("庆城县自然资源局", "陇县自然资源局"), tmp_path / "f.xlsx")
    # without the key the forger can recompute the unkeyed fingerprint: docs/findings.md says so;
    # with it, the signature over department, year and content fails
    assert "signature-invalid" in [f.code for f in validate_file(forged, sign_key=key).findings]


@pytest.mark.parametrize("name,warned", [("陇县自然资源局-2024.xlsx", True), ("庆城县自然资源局-2023.xlsx", True),
                                         ("庆城县自然资源局-2024.xlsx", False), ("庆城县自然资源局自评表（终稿）.xlsx", False),
                                         ("自评表.xlsx", False)])
def test_file_named_for_another_department_or_year(honest, tmp_path, name, warned):
    import shutil
    p = tmp_path / name
    shutil.copy(honest, p)
    assert (found(p, "file-name-mismatch") != []) is warned


def test_wan_yuan_typed_where_yuan_is_wanted_is_a_cross_check_finding(honest, tmp_path):
    """基本支出·全年预算数 typed in 万元: 人员经费 + 公用经费 no longer add up to it."""
    from workbook_builder.cells import validations
    from workbook_builder.layout import build_layout
    from workbook_builder.loader import load_template
    t = load_template(TID)
    lay = build_layout(t)
    sheet, r, c = lay.input_cells["basic_budget_year"]
    from workbook_builder.layout import cell as ref
    p = edit(honest, lambda wb: wb[sheet].__setitem__(ref(r, c), 1159.82), tmp_path / "x.xlsx")
    assert (sheet, ref(r, c)) in found(p, "cross-check-failed")
    v = next(v for v in validations(t, lay) if (v.sheet, v.row, v.col) == (sheet, r, c))
    assert v.kind == "custom" and "SUM(" in v.source  # the workbook's own validation refuses it where it is typed
