"""A bureau's edited template that keeps a shipped 编号 (as `templates export` writes it) wins everywhere it is
given, and each command says so in one Chinese line: build --template FILE, build --templates DIR --template ID
and validate --templates DIR agree."""

from __future__ import annotations

import openpyxl
import pytest

from workbook_builder.cli import main
from workbook_builder.paths import ENV
from workbook_builder.reader import validate_file

EDITED = "预算执行情况"  # the bureau renamed 预算执行率


@pytest.fixture()
def bureau(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, "")  # restored after the test: --templates puts folders in the environment
    d = tmp_path / "模板"
    assert main(["templates", "export", "qingcheng_2024", "-o", str(d / "庆城县指标.xlsx")]) == 0
    wb = openpyxl.load_workbook(d / "庆城县指标.xlsx")
    ws = wb["指标体系"]
    (c,) = [c for row in ws.iter_rows() for c in row if c.value == "预算执行率"]
    c.value = EDITED
    wb.save(d / "庆城县指标.xlsx")
    return d


def _names(path):
    return {c.value for row in openpyxl.load_workbook(path)["自评表"].iter_rows() for c in row}


def test_the_bureaus_file_wins_in_build_and_validate_and_says_so(bureau, tmp_path, capsys, monkeypatch):
    by_id, by_file = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert main(["build", "--templates", str(bureau), "--template", "qingcheng_2024", "--department", "甲局",
                 "-o", str(by_id)]) == 0
    line = f"使用 {bureau} 中的模板 qingcheng_2024（庆城县指标.xlsx，与内置模板同编号，以此为准）"
    assert line in capsys.readouterr().err
    monkeypatch.setenv(ENV, "")
    assert main(["build", "--template", str(bureau / "庆城县指标.xlsx"), "--department", "甲局", "-o", str(by_file)]) == 0
    assert EDITED in _names(by_id) and EDITED in _names(by_file)
    assert _names(by_id) == _names(by_file)
    # the shipped template alone sees the edit as tampering …
    assert {"metadata-edited", "locked-value-changed"} <= {f.code for f in validate_file(by_id).findings}
    # … validate --templates DIR reads with the bureau's template, like build did
    capsys.readouterr()
    main(["validate", "--templates", str(bureau), str(by_id), str(by_file)])
    out, err = capsys.readouterr()
    assert line in err
    assert "metadata-edited" not in out and "locked-value-changed" not in out and "template-" not in out
