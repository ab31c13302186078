"""Honest re-saves are never called tampering: LibreOffice once, twice, via .ods, Gnumeric, and the
chains LibreOffice → Gnumeric and Gnumeric → LibreOffice.

Every shipped example's complete return, a signed 自评表 with a protection password, and a project
workbook (prefilled, open and half-cent projects), plain and signed with a password, is re-saved by
each application (one start per batch) and must come back with no finding at all, not even a
warning, with the totals it showed and, for the signed ones, validated with the bureau's key.
"""

import os

import pytest
from projects.helpers import NATIONAL, open_project, road_project, tie_project

from reader.helpers import honest_file
from workbook_builder.gnumeric import recalc, ssconvert
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.projects.render import build_project_workbook
from workbook_builder.reader import validate_file

pytestmark = pytest.mark.libreoffice
TEMPLATES = ("qingcheng_2024", "zizhou_2024", "longxian_2023", "hengyang_2022")
KEY = b"bureau-secret"
SIGNED = "signed"  # files whose name starts so are validated with KEY


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    d = tmp_path_factory.mktemp("honest")
    projects = d / "庆城县交通运输局-项目-2024.xlsx"
    cases = [road_project(), open_project(), tie_project()]
    projects.write_bytes(build_project_workbook(NATIONAL, "庆城县交通运输局", 2024, [p for p, _ in cases],
                                                [v for _, v in cases]))
    signed_projects = d / f"{SIGNED}-庆城县交通运输局-项目-2024.xlsx"
    signed_projects.write_bytes(build_project_workbook(NATIONAL, "庆城县交通运输局", 2024, [p for p, _ in cases],
                                                       [v for _, v in cases], password="密码1", sign_key=KEY))
    signed = _signed_return(d)
    return d, [honest_file(d, tid, name=f"{tid}.xlsx") for tid in TEMPLATES] + [projects, signed, signed_projects]


def _signed_return(d):
    from reader.helpers import honest_values
    from workbook_builder.loader import load_template
    from workbook_builder.render import build_workbook
    data, values = honest_values("qingcheng_2024")
    p = d / f"{SIGNED}-qingcheng_2024.xlsx"
    p.write_bytes(build_workbook(load_template("qingcheng_2024"), data["department"], data["year"], values,
                                 password="secret", sign_key=KEY))
    return p


def _need(present, name):
    if present() is None and not os.environ.get("CI"):
        pytest.skip(f"{name} not installed (CI installs it)")


def _clean(files):
    for q in files:
        rep = validate_file(q, sign_key=KEY if q.name.startswith(SIGNED) else None)
        assert rep.findings == [], (q.name, rep.flatten(["code", "sheet", "cell", "expected", "found"])[:8])
        if rep.projects:
            assert [p["found_total"] for p in rep.projects] == [p["total"] for p in rep.projects]
            assert None not in [p["total"] for p in rep.projects]
        else:
            assert rep.found_total == rep.total


@pytest.mark.parametrize("route", ["once", "twice", "ods"])
def test_libreoffice_resave_is_clean(honest, route):
    _need(soffice, "LibreOffice")
    d, files = honest
    if route == "ods":
        out = convert(convert(files, d / "ods", to="ods"), d / "from-ods")
    else:
        out = convert(files, d / "lo1")
        if route == "twice":
            out = convert(out, d / "lo2")
    _clean(out)


def test_gnumeric_resave_is_clean(honest):
    _need(ssconvert, "Gnumeric")
    d, files = honest
    _clean(recalc(files, d / "gnumeric"))


@pytest.mark.parametrize("chain", ["libreoffice-gnumeric", "gnumeric-libreoffice", "libreoffice-gnumeric-libreoffice",
                                   "gnumeric-libreoffice-gnumeric"])
def test_chains_of_libreoffice_and_gnumeric_are_clean(honest, chain):
    _need(soffice, "LibreOffice")
    _need(ssconvert, "Gnumeric")
    d, files = honest
    out = files
    for i, app in enumerate(chain.split("-")):
        step = d / f"{chain}-{i}"
        out = convert(out, step) if app == "libreoffice" else recalc(out, step)
    _clean(out)
