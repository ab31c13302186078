"""cells.py: data validations stay within what Excel accepts."""

import copy

from workbook_builder.cells import MAX_VALIDATION_FORMULA, validations
from workbook_builder.layout import build_layout
from workbook_builder.loader import load_template, template_paths
from workbook_builder.rules.grade import is_range


def _custom(t):
    return {(v.row, v.col): v for v in validations(t, build_layout(t)) if v.kind == "custom"}


def test_every_shipped_custom_validation_fits_excels_limit():
    for p in template_paths():
        for v in _custom(load_template(p)).values():
            assert len(v.source) - 1 <= MAX_VALIDATION_FORMULA, (p.name, v.row, v.col)


def test_a_level_check_too_long_for_excel_falls_back_to_a_range_by_type():
    """Long level names would make the 自评分 check longer than Excel accepts (Excel would drop it and
    call the file damaged): the cell then gets the plain 0…分值 check, and the reader checks the level."""
    t = copy.deepcopy(load_template("national_2020"))
    leaf = next(n for n in t.leaves() if n.kind == "grade" and is_range(n))
    before = _custom(t)
    for i, x in enumerate(leaf.rule["levels"]):
        x["name"] = f"第{i + 1}档：" + "较为全面地完成了年度绩效目标" * 2
    t.memo.clear()
    leaf.memo.clear()
    lay = build_layout(t)
    r, c = lay.input_cells[f"{leaf.id}.score"][1:]
    assert (r, c) in before
    got = {(v.row, v.col): v for v in validations(t, lay)}[(r, c)]
    assert (got.kind, got.minimum, got.maximum) == ("decimal", 0, leaf.weight)
