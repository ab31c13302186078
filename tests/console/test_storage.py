"""Storage on SQLite always, and on PostgreSQL when WB_TEST_PG_URL names a server (CI sets it; there, a
missing URL fails instead of skipping): files by content hash, transactions, settings, a round's records,
and a restart that keeps everything."""

from __future__ import annotations

import hashlib
import os
import secrets
import urllib.parse

import pytest

from workbook_builder.console import returns as R
from workbook_builder.console.storage import Store
from workbook_builder.reader.findings import FileReport

PG = os.environ.get("WB_TEST_PG_URL")


def _pg_database():
    """A fresh database on the test server, dropped afterwards."""
    import psycopg
    name = f"wbtest_{secrets.token_hex(4)}"
    with psycopg.connect(PG, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    parts = urllib.parse.urlsplit(PG)
    url = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    return name, url


def _pg_drop(name: str) -> None:
    import psycopg
    with psycopg.connect(PG, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    """(data folder, database URL or None for SQLite)."""
    if request.param == "sqlite":
        yield tmp_path, None
        return
    if not PG:
        if os.environ.get("CI"):
            pytest.fail("CI 中必须设置 WB_TEST_PG_URL（PostgreSQL 测试不能跳过）")
        pytest.skip("没有设置 WB_TEST_PG_URL")
    name, url = _pg_database()
    yield tmp_path, url
    _pg_drop(name)


def test_files_are_stored_once_under_their_hash_and_never_rewritten(db):
    data, url = db
    s = Store(data, url)
    body = "自评表".encode() * 1000
    sha = s.put(body)
    assert sha == hashlib.sha256(body).hexdigest()
    path = s.blob_path(sha)
    assert path.read_bytes() == body
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    before = path.stat().st_ino
    assert s.put(body) == sha and path.stat().st_ino == before  # the same bytes: the same file, untouched
    assert s.row("SELECT COUNT(*) AS n FROM blobs")["n"] == 1
    with pytest.raises(ValueError):
        s.blob_path("../../etc/passwd")


def test_a_failed_transaction_leaves_nothing(db):
    data, url = db
    s = Store(data, url)
    with pytest.raises(RuntimeError), s.tx() as tx:
        tx.insert("audit", at="x", who="财政局", action="半途", detail="")
        raise RuntimeError
    assert s.rows("SELECT * FROM audit") == []
    rid = s.insert("audit", at="x", who="财政局", action="完成", detail="")
    assert s.row("SELECT action FROM audit WHERE id = ?", rid)["action"] == "完成"


def test_settings_first_writer_wins(db):
    data, url = db
    s = Store(data, url)
    assert s.set_setting("password", "a", only_if_missing=True)
    assert not s.set_setting("password", "b", only_if_missing=True)
    assert s.setting("password") == "a"
    s.set_setting("share:1", "0.3")
    assert s.setting("share:1") == "0.3" and s.setting("nothing", "默认") == "默认"


def _round(s: Store) -> tuple[int, list[int]]:
    tid = s.insert("templates", code="qingcheng_2024", version="1.0", title="庆城", source="shipped",
                   ref="qingcheng_2024", sha256=None, file_name="q.yaml", ok=1, report="{}", created_at="t")
    rid = s.insert("rounds", name="二〇二四", template_id=tid, year=2024, sign=0, created_at="t")
    depts = [s.insert("departments", round_id=rid, name=n, code=f"code{i:020d}", row_no=i, prefill="{}")
             for i, n in enumerate(["甲局", "乙局", "丙局"])]
    return rid, depts


def _report(dept: str, total: float | None, code: str | None = None) -> FileReport:
    rep = FileReport(file="x", template="qingcheng_2024", version="1.0", department=dept, year="2024",
                     total=total, grade="优" if total else "")
    if code:
        rep.add(code, sheet="自评表", cell="J34", expected=90.0, found=99.5)
    return rep


def test_a_round_returns_findings_and_restart(db):
    data, url = db
    s = Store(data, url)
    rid, (_, b, _) = _round(s)
    r1 = R.add_return(s, rid, "甲局-2024.xlsx", b"one", "bureau", "财政局")
    r2 = R.add_return(s, rid, "乙.xlsx", b"two", "bureau", "财政局")
    r3 = R.add_return(s, rid, "乙局-2024（改）.xlsx", b"three", "bureau", "财政局")
    r4 = R.add_return(s, rid, "不明.xlsx", b"four", "bureau", "财政局")
    R.record(s, r1, _report("甲局", 95.0))
    R.record(s, r2, _report("乙局", 80.0, "cached-value-mismatch"))
    R.record(s, r3, _report("乙局", 81.0))
    R.record(s, r4, _report("丁局", 70.0))
    R.record(s, r1, _report("甲局", 10.0))  # recorded once: a second report of the same return is ignored
    lines, unmatched = R.table(s, rid)
    state = {ln["department"]["name"]: ln for ln in lines}
    assert state["甲局"]["state"] == "已交回" and state["甲局"]["current"]["total"] == 95.0
    assert state["乙局"]["state"] == "重复交回" and state["丙局"]["state"] == "未交回"
    assert [u["file_name"] for u in unmatched] == ["不明.xlsx"]
    f = R.findings_of(s, r2)
    assert [(x["sheet"], x["cell"], x["code"]) for x in f] == [("自评表", "J34", "cached-value-mismatch")]
    assert "重新计算" in f[0]["message"] and f[0]["found"] == "99.5"
    assert {x["code"] for x in R.findings_of(s, r4)} == {"department-not-listed"}
    new = R.replace(s, rid, b, "乙局-2024.xlsx", b"five", "财政局")
    R.record(s, new, _report("乙局", 88.0))
    # restart: a new Store on the same folder and database sees everything, history included
    s2 = Store(data, url)
    lines, _ = R.table(s2, rid)
    state = {ln["department"]["name"]: ln for ln in lines}
    assert state["乙局"]["state"] == "已交回" and state["乙局"]["current"]["total"] == 88.0
    assert state["乙局"]["history"] == 3
    assert s2.read(s2.row("SELECT sha256 FROM returns WHERE id = ?", r3)["sha256"]) == b"three"
    assert s2.row("SELECT COUNT(*) AS n FROM audit WHERE action = '上传交回文件'")["n"] == 5


def test_a_pending_return_survives_a_restart(db):
    data, url = db
    s = Store(data, url)
    rid, _ = _round(s)
    ret = R.add_return(s, rid, "甲局-2024.xlsx", b"bytes", "bureau", "财政局")
    s2 = Store(data, url)
    assert s2.rows("SELECT id FROM returns WHERE status = 'pending'") == [{"id": ret}]
