"""The workbook speaks the accountant's language: no id, expression syntax or English in what they see."""

import re

import pytest

from workbook_builder.cells import all_cells, validations
from workbook_builder.layout import SHEET_LISTS, SHEET_META, build_layout
from workbook_builder.loader import load_template, template_paths

ASCII_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]+")
ALLOWED = {"WPS", "Excel", "A4"}  # names a Chinese user knows


def visible_texts(t) -> list[tuple[str, str]]:
    lay = build_layout(t)
    out = [(f"{s.sheet}!{s.ref}", s.value) for s in all_cells(t, lay, "某某局", 2024)
           if isinstance(s.value, str) and s.sheet not in (SHEET_LISTS, SHEET_META)]
    for v in validations(t, lay):
        out += [(f"{v.sheet} 数据有效性", x) for x in (v.title, v.message, v.error)]
    return out


@pytest.mark.parametrize("path", template_paths(), ids=lambda p: p.stem)
def test_no_ascii_identifiers_or_english_in_visible_text(path):
    t = load_template(path)
    bad = [(where, w, text[:60]) for where, text in visible_texts(t)
           for w in ASCII_WORD.findall(text) if w not in ALLOWED]
    assert bad == []


def test_derived_quantities_are_explained_with_chinese_labels():
    texts = dict(visible_texts(load_template("qingcheng_2024")))
    assert "计算方法：基本支出·全年执行数 ÷ 基本支出·全年预算数" in texts.values()
