import copy
from pathlib import Path

import pytest
import yaml

from workbook_builder.checker import check_template, errors
from workbook_builder.cli import main
from workbook_builder.loader import load_template, parse_template, template_paths

BASE = yaml.safe_load(open("templates/zizhou_2024.yaml", encoding="utf-8"))


def issues_of(mutate):
    d = copy.deepcopy(BASE)
    mutate(d)
    return [(i.code, i.path) for i in check_template(parse_template(d))]


@pytest.mark.parametrize("path", template_paths(), ids=lambda p: p.stem)
def test_shipped_templates_have_no_errors(path):
    assert errors(check_template(load_template(path))) == []


def test_weights_not_summing_to_parent():
    got = issues_of(lambda d: d["indicators"][0]["children"][0]["children"][0].__setitem__("weight", 6))
    assert ("weights-mismatch", "$.indicators[0].children[0].weight") in got
    assert ("total-not-100", "$.indicators") not in got


def test_total_other_than_100():
    def m(d):
        d["indicators"][0]["weight"] = 16
        d["indicators"][0]["children"][0]["weight"] = 16
        d["indicators"][0]["children"][0]["children"][0]["weight"] = 6
    assert ("total-not-100", "$.indicators") in issues_of(m)


def test_duplicate_ids():
    got = issues_of(lambda d: d["indicators"][0]["children"][0]["children"][1].__setitem__("id", "staff_control"))
    assert ("duplicate-id", "$.indicators[0].children[0].children[1].id") in got


def test_undeclared_and_unused_inputs():
    def m(d):
        d["derived"][0]["expr"] = "staff_actual / nobody"
    got = issues_of(m)
    assert ("undeclared-input", "$.derived[0].expr") in got
    assert ("unused-input", "$.inputs[0]") in got


def test_band_overlap_is_an_error():
    def m(d):
        d["indicators"][0]["children"][0]["children"][2]["rule"]["bands"][1]["max"] = 0.95
    assert ("rule-params", "$.indicators[0].children[0].children[2].rule") in issues_of(m)


def test_cli_check_exit_codes(tmp_path, capsys):
    assert main(["templates", "check"]) == 0
    d = copy.deepcopy(BASE)
    d["indicators"][0]["weight"] = 20
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    assert main(["templates", "check", str(p)]) == 1
    out = capsys.readouterr().out
    assert "weights-mismatch" in out and "@ $.indicators[0].weight" in out


BROKEN = sorted(Path("tests/data/broken").glob("*.yaml"))


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_template_files_fail_with_their_message(path, capsys):
    code, where = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ").split(" @ ")
    assert main(["templates", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "有错误" in out and f"@ {where}" in out
    if code != "load-error":
        assert f"[{code}]" in out
