"""What the bureau prefilled is vouched for: by the signature, or by ``--against`` its prefill list.

One row per kind: a prefilled figure typed over (the 预算数 lowered, a project's fund figure changed)
is found at its cell when the file is signed and validated with the key, and when an unsigned file
is validated against the list the bureau built it from; without either, the 汇总 says so.
"""

import openpyxl
import pytest
from projects.helpers import NATIONAL, road_project

from reader.helpers import edit, honest_values, layout
from workbook_builder.cli import main
from workbook_builder.fastbuild import Distributor
from workbook_builder.layout import cell
from workbook_builder.loader import load_template
from workbook_builder.projects.layout import fund_cell
from workbook_builder.projects.project import FUND_COLS, FUND_ROWS, fund_id
from workbook_builder.projects.render import build_project_workbook
from workbook_builder.reader import validate_file
from workbook_builder.reader.against import check_against, read_against

KEY = b"bureau-secret"
T = load_template("zizhou_2024")
LAY = layout()
BUDGET = LAY.input_cells["budget_total"]  # 基础数据!D12, 预算数
WHERE = [BUDGET[0], cell(*BUDGET[1:])]


def _bureau_file(tmp_path, sign_key=None, name="r.xlsx"):
    d, values = honest_values("zizhou_2024")
    p = tmp_path / name
    p.write_bytes(Distributor(T, d["year"], sign_key=sign_key).build(d["department"], values))
    return p, d, values


def _lowered(p):
    return edit(p, lambda wb: wb[BUDGET[0]].__setitem__(WHERE[1], 100.0))


def _list(tmp_path, d, values, dept=None):
    csv = tmp_path / "名单.csv"
    csv.write_text(f"部门,预算数\n{dept or d['department']},{values['budget_total']}\n", encoding="utf-8")
    return csv


def codes(rep):
    return rep.flatten(["code", "sheet", "cell"])


def test_signed_prefill_typed_over_is_found_with_the_key(tmp_path):
    p, _, _ = _bureau_file(tmp_path, KEY)
    assert codes(validate_file(p, sign_key=KEY)) == []
    rep = validate_file(_lowered(p), sign_key=KEY)
    assert ["prefill-changed", *WHERE] in codes(rep) and not rep.valid
    assert rep.prefill_checked == "signed"


def test_signature_covers_the_prefill_record(tmp_path):
    """Rewriting _meta's prefill record to the lowered figure breaks the signature."""
    p, _, values = _bureau_file(tmp_path, KEY)

    def forge(wb):
        for row in wb["_meta"].iter_rows():
            if row[0].value == "prefill":
                row[1].value = row[1].value.replace(repr(float(values["budget_total"])), "100.0")
    forged = edit(_lowered(p), forge)
    assert "signature-invalid" in [c for c, _, _ in codes(validate_file(forged, sign_key=KEY))]


def test_unsigned_file_against_the_bureau_list(tmp_path):
    p, d, values = _bureau_file(tmp_path)
    against = read_against(_list(tmp_path, d, values))
    honest = validate_file(p)
    check_against(honest, against)
    assert codes(honest) == [] and honest.prefill_checked == "against"
    rep = validate_file(_lowered(p))
    assert rep.valid  # without the list nothing says the figure is not the bureau's
    check_against(rep, against)
    assert ["prefill-changed", *WHERE] in codes(rep) and not rep.valid


def test_department_not_in_the_list(tmp_path):
    p, d, values = _bureau_file(tmp_path)
    rep = validate_file(p)
    check_against(rep, read_against(_list(tmp_path, d, values, dept="别的局")))
    assert codes(rep) == [["against-department-unknown", "", ""]]


def test_validate_and_consolidate_take_against(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    p, d, values = _bureau_file(tmp_path / "in")
    _lowered(p)
    p.unlink()  # the folder holds the return with the lowered figure only
    csv = _list(tmp_path, d, values)
    assert main(["validate", "--against", str(csv), str(tmp_path / "in")]) == 1
    assert "prefill-changed" in capsys.readouterr().out
    assert main(["validate", "--against", str(tmp_path / "nothing.csv"), str(tmp_path / "in")]) == 2
    out = tmp_path / "汇总表.xlsx"
    assert main(["consolidate", str(tmp_path / "in"), "-o", str(out), "--against", str(csv)]) == 0
    ws = openpyxl.load_workbook(out)["汇总"]
    assert not any("未经核对" in str(c.value) for row in ws.iter_rows() for c in row)
    problems = openpyxl.load_workbook(out)["问题"]
    assert "prefill-changed" in [c.value for row in problems.iter_rows() for c in row[-1:]]  # the code, last
    assert main(["consolidate", str(tmp_path / "in"), "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["汇总"]
    assert any("预填的数据" in str(c.value) and "未经核对" in str(c.value) for row in ws.iter_rows() for c in row)


def test_signed_project_fund_typed_over(tmp_path):
    project, values = road_project()
    p = tmp_path / "p.xlsx"
    p.write_bytes(build_project_workbook(NATIONAL, "庆城县交通运输局", 2024, [project], [values], sign_key=KEY))
    assert codes(validate_file(p, sign_key=KEY)) == []
    rep = validate_file(p)
    sheet = rep.projects[0]["sheet"]
    funds = rep.projects[0]["funds"]
    row, col = next((r, c) for r, _ in FUND_ROWS for c, _ in FUND_COLS
                    if isinstance(funds.get(fund_id(r, c)), (int, float)) and funds[fund_id(r, c)])
    r, c = fund_cell(row, col)
    bad = edit(p, lambda wb: wb[sheet].cell(r + 1, c + 1, 1.0))
    found = validate_file(bad, sign_key=KEY)
    assert ["prefill-changed", sheet, cell(r, c)] in codes(found) and not found.valid


@pytest.mark.parametrize("signed", [False, True])
def test_honest_bureau_file_has_no_prefill_finding(tmp_path, signed):
    p, d, values = _bureau_file(tmp_path, KEY if signed else None)
    rep = validate_file(p, sign_key=KEY if signed else None)
    check_against(rep, read_against(_list(tmp_path, d, values)))
    assert codes(rep) == []
