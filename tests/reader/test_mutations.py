"""Each kind of tampering with a filled return is found, with its code and cell."""

import pytest

from reader.helpers import TABLE_PART, edit, honest_file, layout, patch_part, set_cached
from workbook_builder.layout import SHEET_INPUTS, SHEET_META, SHEET_TABLE, cell
from workbook_builder.reader import validate_file

T, I = SHEET_TABLE, SHEET_INPUTS
LAY = layout()


def at(key, node="staff_control"):
    return cell(*LAY.leaf_rows[node].at(key))


SCORE = cell(*LAY.score_cells["law"])
TOTAL = cell(*LAY.total_cell)
GRADE = cell(*LAY.grade_cell)
SUB = cell(*LAY.score_cells["execution"])


def _meta(key, value):
    def fn(wb):
        for row in wb[SHEET_META].iter_rows():
            if row[0].value == key:
                row[1].value = value
    return fn


# (name, openpyxl edit, expected (code, sheet, cell))
MUTATIONS = [
    ("score formula typed over", lambda wb: wb[T].__setitem__(SCORE, 3), ("formula-replaced", T, SCORE)),
    ("total typed over", lambda wb: wb[T].__setitem__(TOTAL, 99), ("formula-replaced", T, TOTAL)),
    ("subtotal formula edited", lambda wb: wb[T].__setitem__(SUB, "=15"), ("formula-edited", T, SUB)),
    ("grade typed over", lambda wb: wb[T].__setitem__(GRADE, "优秀"), ("formula-replaced", T, GRADE)),
    ("weight changed", lambda wb: wb[T].__setitem__(at("weight"), 8), ("locked-value-changed", T, at("weight"))),
    ("target changed", lambda wb: wb[T].__setitem__(at("target"), "≤120%"), ("locked-value-changed", T, at("target"))),
    ("criteria changed", lambda wb: wb[T].__setitem__(at("criteria"), "不扣分"), ("locked-value-changed", T, at("criteria"))),
    ("indicator renamed", lambda wb: wb[T].__setitem__(at("level3"), "别的指标"), ("locked-value-changed", T, at("level3"))),
    ("department changed in table", lambda wb: wb[T].__setitem__(cell(*LAY.header_cells["department"]), "别的局"),
     ("locked-value-changed", T, cell(*LAY.header_cells["department"]))),
    ("derived formula replaced", lambda wb: wb[I].__setitem__(cell(*LAY.derived_cells["staff_control_rate"]), 0.5),
     ("formula-replaced", I, cell(*LAY.derived_cells["staff_control_rate"]))),
    ("content outside the template", lambda wb: wb[T].__setitem__("Z200", "备注"), ("unexpected-content", T, "Z200")),
    ("row inserted", lambda wb: wb[T].insert_rows(LAY.leaf_rows["key_spend"].row + 1), ("locked-value-changed", T, at("level3", "key_spend"))),
    ("sheet removed", lambda wb: wb.remove(wb["填报说明"]), ("sheet-missing", "填报说明", "")),
    ("sheet added", lambda wb: wb.create_sheet("我的计算"), ("sheet-added", "我的计算", "")),
    ("metadata department edited", _meta("department", "别的局"), ("metadata-edited", SHEET_META, "")),
    ("template unknown", _meta("template_id", "foreign_2030"), ("template-unknown", SHEET_META, "")),
    ("template version unknown", _meta("template_version", "9.9"), ("template-version-unknown", SHEET_META, "")),
    ("required input emptied", lambda wb: wb[I].__setitem__("D4", None), ("required-missing", I, "D4")),
    ("value out of range", lambda wb: wb[I].__setitem__("D4", -3), ("value-out-of-range", I, "D4")),
    ("1e308 budget past the cell's own validation (±1e12)", lambda wb: wb[I].__setitem__("D8", 1e308),
     ("value-out-of-range", I, "D8")),
    ("text in a number cell", lambda wb: wb[I].__setitem__("D4", "十一"), ("not-a-number", I, "D4")),
    ("choice not in list", lambda wb: wb[T].__setitem__(at("actual", "relocation"), "差不多"),
     ("value-not-in-list", T, at("actual", "relocation"))),
    ("reason removed", lambda wb: wb[T].__setitem__(at("reason", "budget_adjust"), None),
     ("reason-missing", T, at("reason", "budget_adjust"))),
    ("protection removed", lambda wb: setattr(wb[T].protection, "sheet", False), ("protection-removed", T, "")),
    ("defined name removed", lambda wb: wb.defined_names.pop("TOTAL_SCORE"), ("defined-name-changed", "", "")),
    ("validation removed", lambda wb: wb[T].data_validations.dataValidation.clear(),
     ("validation-removed", T, at("actual", "relocation"))),
]


@pytest.mark.parametrize("name,fn,want", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutation_is_found(tmp_path, name, fn, want):
    rep = validate_file(edit(honest_file(tmp_path), fn))
    assert list(want) in rep.flatten(["code", "sheet", "cell"]), rep.flatten(["code", "sheet", "cell"])
    assert not rep.valid or want[0] in ("protection-removed", "validation-removed", "sheet-added", "defined-name-changed")


def test_honest_file_from_the_builder_has_no_findings(tmp_path):
    rep = validate_file(honest_file(tmp_path))
    assert rep.flatten(["code", "sheet", "cell"]) == []
    assert rep.total == 93 and rep.found_total == 93 and rep.grade == rep.found_grade


def test_openpyxl_save_means_not_recalculated_but_scores_are_recomputed(tmp_path):
    rep = validate_file(edit(honest_file(tmp_path), lambda wb: None))
    assert rep.flatten(["code", "sheet", "cell"]) == [["not-recalculated", T, TOTAL]]
    assert rep.valid and rep.total == 93 and rep.found_total is None


def test_cached_total_edited_in_xml(tmp_path):
    src = honest_file(tmp_path)
    bad = patch_part(src, TABLE_PART, lambda x: set_cached(x, TOTAL, "99"), tmp_path / "typed.xlsx")
    rep = validate_file(bad)
    assert ["cached-value-mismatch", T, TOTAL, 93.0, 99.0] in rep.flatten(["code", "sheet", "cell", "expected", "found"])


def test_cached_leaf_score_edited_in_xml_and_grade_checked(tmp_path):
    src = honest_file(tmp_path)
    bad = patch_part(src, TABLE_PART, lambda x: set_cached(x, SCORE, "1"), tmp_path / "leaf.xlsx")
    assert ["cached-value-mismatch", T, SCORE] in validate_file(bad).flatten(["code", "sheet", "cell"])
    bad = patch_part(src, TABLE_PART, lambda x: set_cached(x, TOTAL, "85"), tmp_path / "grade.xlsx")
    assert ["grade-mismatch", T, GRADE] in validate_file(bad).flatten(["code", "sheet", "cell"])


def test_signature(tmp_path):
    signed = honest_file(tmp_path, name="signed.xlsx", sign_key=b"bureau-secret")
    assert validate_file(signed, sign_key=b"bureau-secret").valid
    assert ["signature-invalid"] in validate_file(signed, sign_key=b"other").flatten(["code"])
    assert ["signature-missing"] in validate_file(honest_file(tmp_path), sign_key=b"bureau-secret").flatten(["code"])
    forged = edit(signed, _meta("department", "别的局"))
    codes = [c for (c,) in validate_file(forged, sign_key=b"bureau-secret").flatten(["code"])]
    assert "signature-invalid" in codes and "metadata-edited" in codes


def test_excel_style_shared_formulas_are_expanded(tmp_path):
    """Excel saves runs of same-shape formulas as one shared formula; that is not tampering."""
    import re

    lay = layout("longxian_2023")
    a, b, c = (cell(*lay.score_cells[f"goal_fit_{i}"]) for i in (1, 2, 3))
    src = honest_file(tmp_path, "longxian_2023", name="lx.xlsx")

    def share(x):
        x = re.sub(rf'(<c r="{a}"[^>]*>)<f>', rf'\1<f t="shared" ref="{a}:{c}" si="0">', x)
        for ref in (b, c):
            x = re.sub(rf'(<c r="{ref}"[^>]*>)<f>[^<]*</f>', r'\1<f t="shared" si="0"/>', x)
        return x

    shared = patch_part(src, TABLE_PART, share, tmp_path / "shared.xlsx")
    assert 'si="0"/>' in zipfile_text(shared)
    assert validate_file(shared).flatten(["code"]) == validate_file(src).flatten(["code"])
    # a shared formula that really differs is still caught
    edited = patch_part(src, TABLE_PART, lambda x: share(x).replace("0.25*0.5", "0*0.5", 1), tmp_path / "edited.xlsx")
    found = validate_file(edited).flatten(["code", "cell"])
    assert ["formula-edited", a] in found and ["formula-edited", b] in found and ["formula-edited", c] in found


def zipfile_text(path):
    import zipfile
    return zipfile.ZipFile(path).read(TABLE_PART).decode()
