import copy

import pytest
import yaml

from workbook_builder.loader import TemplateError, load_template, parse_template

BASE = yaml.safe_load(open("templates/zizhou_2024.yaml", encoding="utf-8"))


def broken(mutate):
    d = copy.deepcopy(BASE)
    mutate(d)
    return d


def test_errors_name_their_path():
    d = broken(lambda d: d["indicators"][1]["children"][0]["children"].__setitem__(0, {
        **d["indicators"][1]["children"][0]["children"][0], "weight": "three"}))
    with pytest.raises(TemplateError) as e:
        parse_template(d, "t.yaml")
    assert ("应为数字，实际为 'three'", "$.indicators[1].children[0].children[0].weight") in e.value.errors


def test_unknown_rule_kind():
    with pytest.raises(TemplateError) as e:
        parse_template(broken(lambda d: d["indicators"][0]["children"][0]["children"][0].__setitem__("rule", {"kind": "magic"})))
    assert [p for _, p in e.value.errors] == ["$.indicators[0].children[0].children[0].rule.kind"]


def test_leaf_without_rule():
    with pytest.raises(TemplateError) as e:
        parse_template(broken(lambda d: d["indicators"][0]["children"][0]["children"][1].pop("rule")))
    assert e.value.errors == [("最末级指标需要计分方法（rule）", "$.indicators[0].children[0].children[1]")]


def test_bad_id_is_refused():
    with pytest.raises(TemplateError) as e:
        parse_template(broken(lambda d: d["inputs"][0].__setitem__("id", "1abc")))
    assert any(p == "$.inputs[0].id" for _, p in e.value.errors)


def test_unknown_template_lists_shipped_ones():
    with pytest.raises(FileNotFoundError, match="qingcheng_2024"):
        load_template("nowhere")
