"""Security: not signed in, wrong department codes, paths in file names, oversized uploads, zip bombs, CSRF,
and nothing typed becoming a formula in a file the console writes."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from workbook_builder.console import auth
from workbook_builder.console.uploads import (
    UploadRefused,
    clean_name,
    read_capped,
    unpack,
)

from . import files
from .client import Console, token


@pytest.fixture
def con(tmp_path):
    c = Console(tmp_path / "数据")
    c.sign_in()
    yield c
    c.close()


BUREAU_PAGES = ["/", "/templates", "/rounds/{rid}", "/rounds/{rid}/returns", "/rounds/{rid}/links",
                "/rounds/{rid}/summary", "/rounds/{rid}/summary.xlsx", "/rounds/{rid}/returns/{ret}",
                "/rounds/{rid}/returns/{ret}/file"]


def test_not_signed_in(con):
    rid = con.round()
    con.post(f"/rounds/{rid}/returns", files=(io.BytesIO(b"x"), "a.xlsx"))
    ret = con.store.row("SELECT id FROM returns")["id"]
    anon = con.app.test_client()
    for url in BUREAU_PAGES:
        r = anon.get(url.format(rid=rid, ret=ret))
        assert r.status_code == 302 and r.headers["Location"].startswith("/login"), url
    tok = token(anon.get("/login").text)
    for url in ["/rounds", f"/rounds/{rid}/returns", f"/rounds/{rid}/generate", "/templates/upload",
                f"/rounds/{rid}/share"]:
        r = anon.post(url, data={"csrf": tok})
        assert r.status_code == 401 and "请先以财政局身份登录" in r.text, url
    assert "请先以财政局身份登录" in anon.get("/api/jobs/1").json["error"]
    r = anon.post("/login", data={"csrf": tok, "password": "不对的密码"})
    assert "密码不正确" in r.text and anon.get("/").status_code == 302


def test_password_is_a_slow_salted_hash(con):
    stored = con.store.setting("password")
    assert stored.startswith("scrypt$32768$") and "县财政局" not in stored
    assert auth.check_password("县财政局2024", stored) and not auth.check_password("县财政局2025", stored)
    assert auth.hash_password("同一个密码") != auth.hash_password("同一个密码")  # salted


def test_department_codes_reach_only_their_own_page(con):
    rid = con.round()
    codes = con.codes(rid)
    a, b = files.DEPARTMENTS[:2]
    dept = con.app.test_client()
    page = dept.get(f"/d/{codes[a]}").text
    assert a in page and b not in page
    tok = token(page)
    dept.post(f"/d/{codes[a]}/upload", data={"csrf": tok, "file": (io.BytesIO(files.honest_return(a)), "甲.xlsx")})
    dept.post(f"/d/{codes[b]}/upload", data={"csrf": tok, "file": (io.BytesIO(files.honest_return(b)), "乙.xlsx")})
    mine, theirs = (con.store.row("SELECT id FROM returns WHERE department_id = (SELECT id FROM departments "
                                  "WHERE name = ?)", n)["id"] for n in (a, b))
    assert dept.get(f"/d/{codes[a]}/r/{mine}").status_code == 200
    other = codes[a][:-1] + ("y" if codes[a].endswith("x") else "x")  # one character off
    for url in [f"/d/{codes[a]}/r/{theirs}", f"/api/d/{codes[a]}/r/{theirs}", f"/d/{other}",
                "/d/aaaaaaaaaaaaaaaaaaaaaaaa", "/d/短", f"/d/{codes[a]}%2F..%2F{codes[b]}"]:
        r = dept.get(url)
        shown = r.json["error"] if url.startswith("/api/") else r.text
        assert r.status_code == 404 and "不存在" in shown and b not in shown, url
    r = dept.post(f"/d/{codes[a]}/r/{theirs}/submit", data={"csrf": tok})
    assert r.status_code == 404
    assert con.store.row("SELECT submitted FROM returns WHERE id = ?", theirs)["submitted"] == 0
    # a file the bureau uploaded for the department is not shown on the department's page either
    con.post(f"/rounds/{rid}/returns", files=(io.BytesIO(files.honest_return(a)), "局里收的.xlsx"))
    bureau_ret = con.store.row("SELECT id FROM returns WHERE via = 'bureau'")["id"]
    assert dept.get(f"/d/{codes[a]}/r/{bureau_ret}").status_code == 404
    assert dept.get(f"/rounds/{rid}/returns").status_code == 302


@pytest.mark.parametrize("name", ["../../../../tmp/逃逸.xlsx", "..\\..\\逃逸.xlsx", "/etc/逃逸.xlsx",
                                  "逃逸.xlsx\x00.exe", "....//逃逸.xlsx"])
def test_a_path_in_a_file_name_is_only_shown(con, tmp_path, name):
    rid = con.round()
    con.post(f"/rounds/{rid}/returns", files=(io.BytesIO(b"\x00hostile"), name))
    got = con.store.row("SELECT file_name, sha256 FROM returns")
    assert "/" not in got["file_name"] and "\\" not in got["file_name"] and "\x00" not in got["file_name"]
    assert got["file_name"].startswith("逃逸.xlsx")
    stored = [p for p in (tmp_path / "数据" / "files").rglob("*") if p.is_file()]
    assert all(p.name == p.parent.name + p.name[2:] and len(p.name) == 64 for p in stored)
    assert not list(tmp_path.parent.rglob("逃逸*")) and not list((tmp_path / "数据").rglob("逃逸*"))


def test_a_path_in_a_zip_member_is_only_shown(con, tmp_path):
    rid = con.round()
    z = files.zip_of({"../../逃逸.xlsx": b"one", "子文件夹/../../二.xlsx": b"two"})
    con.post(f"/rounds/{rid}/returns", files=(io.BytesIO(z), "收回.zip"))
    assert sorted(r["file_name"] for r in con.store.rows("SELECT file_name FROM returns")) == ["二.xlsx", "逃逸.xlsx"]
    assert not list(tmp_path.rglob("逃逸*"))


def test_oversized_uploads_are_refused(con):
    rid = con.round()
    con.app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    r = con.post(f"/rounds/{rid}/returns", files=(io.BytesIO(b"\0" * (2 * 1024 * 1024)), "大.xlsx"))
    assert r.status_code == 413 and "文件过大" in r.text
    assert con.store.rows("SELECT id FROM returns") == []
    with pytest.raises(UploadRefused, match="超出上传限制"):
        read_capped(io.BytesIO(b"\0" * 2000), limit=1000)


@pytest.mark.parametrize("bomb", [files.zip_bomb(60, "大.xlsx"), files.zip_bomb(700), files.lying_zip()],
                         ids=["member-too-big", "total-too-big", "sizes-lie"])
def test_zip_bombs_are_refused(con, bomb):
    rid = con.round()
    r = con.post(f"/rounds/{rid}/returns", files=(io.BytesIO(bomb), "收回.zip"))
    page = con.c.get(r.headers["Location"]).text
    assert "压缩炸弹" in page or "压缩包已损坏" in page
    assert con.store.rows("SELECT id FROM returns") == []


def test_too_many_members_are_refused():
    z = files.zip_of({f"{i}.xlsx": b"x" for i in range(2001)})
    with pytest.raises(UploadRefused, match="2001"):
        unpack(z, "多.zip")


def test_csrf(con):
    rid = con.round()
    r = con.c.post(f"/rounds/{rid}/returns", data={"files": (io.BytesIO(b"x"), "a.xlsx")})
    assert r.status_code == 400 and "页面已过期" in r.text
    other = con.app.test_client()
    foreign = token(other.get("/login").text)
    r = con.c.post(f"/rounds/{rid}/returns", data={"csrf": foreign, "files": (io.BytesIO(b"x"), "a.xlsx")})
    assert r.status_code == 400
    r = con.c.post(f"/rounds/{rid}/returns", data={"files": (io.BytesIO(b"x"), "a.xlsx")},
                   headers={"X-CSRF-Token": "猜的"})
    assert r.status_code == 400
    codes = con.codes(rid)
    dept = con.app.test_client()
    dept.get(f"/d/{next(iter(codes.values()))}")
    r = dept.post(f"/d/{next(iter(codes.values()))}/upload", data={"file": (io.BytesIO(b"x"), "a.xlsx")})
    assert r.status_code == 400
    assert con.store.rows("SELECT id FROM returns") == []
    fresh = con.app.test_client()
    r = fresh.post("/login", data={"csrf": token(fresh.get("/login").text), "password": "县财政局2024"})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_nothing_typed_becomes_a_formula(con, tmp_path):
    """A department named like a formula, and a file named like one: text in the workbooks and the 汇总表."""
    evil = '=HYPERLINK("http://example.com","点我")'
    rid = con.round([evil, "庆城县教育局"])
    assert evil in {d["name"] for d in con.store.rows("SELECT name FROM departments")}
    con.post(f"/rounds/{rid}/generate")
    job = con.store.row("SELECT id FROM jobs")["id"]
    con.wait_job(job)
    z = zipfile.ZipFile(io.BytesIO(con.c.get(f"/jobs/{job}/download").data))
    name = next(n for n in z.namelist() if "HYPERLINK" in n)
    wb = openpyxl.load_workbook(io.BytesIO(z.read(name)))
    hits = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == evil]
    assert hits and all(c.data_type == "s" for c in hits)
    con.post(f"/rounds/{rid}/returns", files=(io.BytesIO(b"junk"), "=1+2.xlsx"))
    con.settle()
    wb = openpyxl.load_workbook(io.BytesIO(con.c.get(f"/rounds/{rid}/summary.xlsx").data))
    cells = [c for row in wb["汇总"].iter_rows() for c in row if c.value == "=1+2.xlsx"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_clean_name():
    assert clean_name("C:\\Users\\会计\\桌面\\自评表.xlsx") == "自评表.xlsx"
    assert clean_name("../..") == "未命名文件" and clean_name("") == "未命名文件"
    assert clean_name(".bashrc") == "bashrc" and len(clean_name("长" * 500)) == 120
