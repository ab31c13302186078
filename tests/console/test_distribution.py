"""分发 and 指标体系 versions through the console: 版本 rules, project workbooks from a 项目清单, and project
returns kept apart from the 自评表 returns."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from workbook_builder.reader.validate import validate_file

from . import files
from .client import Console

LISTING = Path("examples/projects/庆城县项目清单.csv")
INDICATORS = Path("examples/projects/庆城县绩效指标.csv")


@pytest.fixture
def con(tmp_path):
    c = Console(tmp_path / "数据")
    c.sign_in()
    yield c
    c.close()


def _upload_template(con, data: bytes) -> dict:
    r = con.post("/templates/upload", file=(io.BytesIO(data), "指标体系.xlsx"))
    tid = int(r.headers["Location"].rsplit("/", 1)[1])
    row = con.store.row("SELECT * FROM templates WHERE id = ?", tid)
    return row | {"page": con.c.get(f"/templates/{tid}").text, "report": json.loads(row["report"])}


def test_the_same_code_must_raise_its_version(con):
    first = _upload_template(con, files.authoring(version="1.0"))
    assert first["ok"] and first["code"] == files.CODE
    again = _upload_template(con, files.authoring(version="1.0"))
    assert not again["ok"] and "必须提高版本" in again["page"] and "1.1" in again["page"]
    lower = _upload_template(con, files.authoring(version="0.9"))
    assert not lower["ok"]
    higher = _upload_template(con, files.authoring(version="1.1"))
    assert higher["ok"] and "通过" in higher["page"]
    shipped = _upload_template(con, files.authoring(code=None, version="9.0"))  # 编号 qingcheng_2024
    assert not shipped["ok"] and "软件自带" in shipped["page"]
    # a template with errors cannot start a round
    broken = _upload_template(con, files.authoring(version="2.0", break_weight=True))
    r = con.post("/rounds", template_id=str(broken["id"]), year="2024")
    assert "有错误的指标体系不能用于分发" in con.c.get(r.headers["Location"]).text
    assert con.store.rows("SELECT id FROM rounds") == []


def test_project_workbooks_from_a_listing(con, tmp_path):
    rid = con.round(["庆城县自然资源局", "庆城县交通运输局"])
    con.post(f"/rounds/{rid}/projects", file=(io.BytesIO(LISTING.read_bytes()), LISTING.name),
             indicators=(io.BytesIO(INDICATORS.read_bytes()), INDICATORS.name))
    page = con.c.get(f"/rounds/{rid}").text
    assert "项目清单无误" in page and "2024年政策性配套资金-规划事业费" in page
    lid = con.store.row("SELECT id FROM lists WHERE kind = '项目清单'")["id"]
    con.post(f"/rounds/{rid}/projects/{lid}/generate")
    job = con.store.row("SELECT id FROM jobs WHERE kind = '项目工作簿'")["id"]
    con.wait_job(job)
    z = zipfile.ZipFile(io.BytesIO(con.c.get(f"/jobs/{job}/download").data))
    listed = {line.split(",")[1] for line in LISTING.read_text(encoding="utf-8-sig").splitlines()[3:] if line}
    assert {n.split("-项目-")[0] for n in z.namelist()} == listed
    reports = {}
    for n in z.namelist():
        p = tmp_path / n
        p.write_bytes(z.read(n))
        reports[n] = validate_file(p)
        assert reports[n].projects and reports[n].year == "2024" and n.startswith(reports[n].department)
    # a project workbook returned is shown beside the department's 自评表, not counted as it
    name = next(n for n in z.namelist() if n.startswith("庆城县自然资源局"))
    con.post(f"/rounds/{rid}/returns", files=(io.BytesIO(z.read(name)), name))
    con.settle()
    row = con.store.row("SELECT kind, department_id FROM returns")
    assert row["kind"] == "项目" and row["department_id"] is not None
    page = con.c.get(f"/rounds/{rid}/returns").text
    assert "已交回 0" in page and "未交回：庆城县自然资源局、庆城县交通运输局" in page


def test_a_messy_project_listing_shows_its_problems(con):
    rid = con.round()
    bad = "部门,项目名称,全年预算数（万元）,全年执行数（万元）\n庆城县教育局,校舍维修,10,12\n庆城县教育局,,5,5\n"
    con.post(f"/rounds/{rid}/projects", file=(io.BytesIO(bad.encode("gbk")), "项目清单.csv"))
    page = con.c.get(f"/rounds/{rid}").text
    assert "项目清单有" in page and "第2行" in page and "第3行" in page
    assert "份项目工作簿</button>" not in page  # nothing to generate while problems remain
