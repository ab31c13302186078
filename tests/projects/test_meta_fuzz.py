"""A project workbook's _meta says which projects and prefilled rows the sheets must hold; the reader
rebuilds the sheets from it. Whatever a hostile or broken _meta says, the reader gives findings, never
an exception or the catch-all, and a file it passes holds exactly the project that was built."""

import json
import os
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reader.helpers import patch_part

from projects.helpers import NATIONAL, road_project
from workbook_builder.projects.project import Project
from workbook_builder.projects.render import build_project_workbook
from workbook_builder.reader.validate import validate_file

PROJECT, VALUES = road_project()
SPEC = PROJECT.spec()
EXAMPLES = int(os.environ.get("META_FUZZ", "60"))

json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12)


@st.composite
def edited_spec(draw):
    """The honest spec with one field replaced, deleted or added, at the top or in a row."""
    spec = json.loads(json.dumps(SPEC))
    target = spec if not spec["rows"] or draw(st.booleans()) else draw(st.sampled_from(spec["rows"]))
    key = draw(st.sampled_from(sorted(target)) | st.text(max_size=6))
    if draw(st.integers(0, 4)) == 0:
        target.pop(key, None)
    else:
        target[key] = draw(json_value | st.sampled_from(["", "定性", "≥", "产出指标", 1e300, -1, 0, 100.5]))
    return spec


def _text(spec) -> str:
    return spec if isinstance(spec, str) else json.dumps(spec, ensure_ascii=False, allow_nan=True)


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    path = tmp_path_factory.mktemp("meta") / "庆城县交通运输局-2024.xlsx"
    path.write_bytes(build_project_workbook(NATIONAL, "庆城县交通运输局", 2024, [PROJECT], [VALUES]))
    return path


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
@given(spec=edited_spec() | json_value | st.sampled_from(["[" * 5000, "{\"name\": \"x\", \"rows\": " + "[" * 3000]))
def test_any_project_meta_gives_findings_never_an_exception(honest, tmp_path, spec):
    old = escape(json.dumps(SPEC, ensure_ascii=False))
    new = escape(_text(spec))

    def swap(xml: str) -> str:
        assert old in xml
        return xml.replace(old, new)

    path = patch_part(honest, "xl/sharedStrings.xml", swap, tmp_path / "edited.xlsx")
    rep = validate_file(path)
    codes = [f.code for f in rep.findings]
    assert "unreadable" not in codes and "too-slow" not in codes, rep.flatten(["code", "detail"])
    if rep.valid:  # only a spec meaning the same project can pass
        assert Project.from_spec(json.loads(_text(spec))) == PROJECT


def test_the_honest_meta_passes(honest):
    assert validate_file(honest).findings == []
