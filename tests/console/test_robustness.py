"""Robustness: restarts keep everything, a killed validation loses no upload, hostile uploads get findings,
and every page speaks Chinese (no English, ids or tracebacks)."""

from __future__ import annotations

import io
import os
import re
import signal
import sqlite3

import pytest

from workbook_builder.console.jobs import ValidationLoop
from workbook_builder.console.returns import record

from . import files
from .client import Console
from .conftest import Server, wait_for
from .web import Bureau


def test_restart_revalidates_what_was_pending(tmp_path):
    data = tmp_path / "数据"
    first = Console(data, workers=False)  # a console whose validation never ran
    first.sign_in()
    rid = first.round()
    named = {f"{d}-2024.xlsx": files.honest_return(d) for d in files.DEPARTMENTS[:3]}
    for n, b in named.items():
        first.post(f"/rounds/{rid}/returns", files=(io.BytesIO(b), n))
    assert first.store.row("SELECT COUNT(*) AS n FROM returns WHERE status = 'pending'")["n"] == 3
    first.close()
    second = Console(data)
    second.settle()
    rows = second.store.rows("SELECT file_name, result, sha256 FROM returns ORDER BY id")
    assert [(r["file_name"], r["result"]) for r in rows] == [(n, "通过") for n in named]
    assert [second.store.read(r["sha256"]) for r in rows] == list(named.values())  # byte for byte
    second.close()


def test_a_validation_process_killed_mid_batch_loses_nothing(tmp_path):
    con = Console(tmp_path / "数据", workers=False)
    con.sign_in()
    rid = con.round()
    for d in files.DEPARTMENTS:
        con.post(f"/rounds/{rid}/returns", files=(io.BytesIO(files.honest_return(d)), f"{d}-2024.xlsx"))
    loop = ValidationLoop(con.store, con.app.extensions["workbook_console"].key_of)
    items = [(r["id"], str(con.store.as_file(r["sha256"], ".xlsx")))
             for r in con.store.rows("SELECT id, sha256 FROM returns ORDER BY id")]
    got = []
    for ret, rep in loop.validator.run("", None, items):
        record(con.store, ret, rep)
        got.append(ret)
        os.kill(loop.validator.proc.pid, signal.SIGKILL)  # the process dies with files still to read
    assert 1 <= len(got) < len(items)
    assert loop.validator.proc is None  # noticed, and dropped
    pending = con.store.row("SELECT COUNT(*) AS n FROM returns WHERE status = 'pending'")["n"]
    assert pending == len(items) - len(got)
    while loop.once() and con.store.row("SELECT COUNT(*) AS n FROM returns WHERE status = 'pending'")["n"]:
        pass
    assert {r["result"] for r in con.store.rows("SELECT result FROM returns")} == {"通过"}
    assert loop.validations == pending  # the files already recorded are not read again
    loop.validator.stop()
    con.close()


def test_a_killed_server_loses_no_upload(tmp_path):
    data = tmp_path / "数据"
    srv = Server(data)
    b = Bureau(srv.url)
    rid = b.round()
    named = {f"{d}-2024.xlsx": files.honest_return(d) for d in files.DEPARTMENTS}
    assert b.upload(rid, named).status_code == 200
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()
    srv = Server(data)  # the same folder: every upload is there and gets validated
    try:
        def done():
            with sqlite3.connect(data / "console.db") as c:
                return c.execute("SELECT COUNT(*) FROM returns WHERE status = 'done'").fetchone()[0] == len(named)
        wait_for(done)
        with sqlite3.connect(data / "console.db") as c:
            assert {r[0] for r in c.execute("SELECT result FROM returns")} == {"通过"}
            assert c.execute("SELECT COUNT(*) FROM returns").fetchone()[0] == len(named)
    finally:
        srv.stop()


HOSTILE = {
    "乱码.xlsx": b"\x00\x01\x02 not a workbook",
    "网页.xlsx": b"<html><body><table><tr><td>1</td></tr></table></body></html>",
    "旧版.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
    "截断.xlsx": files.honest_return(files.DEPARTMENTS[0])[:3000],
    "炸弹.xlsx": files.zip_bomb(130, "xl/workbook.xml"),
    "空.xlsx": b"",
    "文档.pdf": b"%PDF-1.4 hostile",
}


def test_hostile_uploads_get_findings(tmp_path):
    con = Console(tmp_path / "数据")
    con.sign_in()
    rid = con.round()
    for n, b in HOSTILE.items():
        con.post(f"/rounds/{rid}/returns", files=(io.BytesIO(b), n))
    con.settle()
    rows = con.store.rows("SELECT id, file_name, result FROM returns ORDER BY id")
    assert [r["file_name"] for r in rows] == list(HOSTILE)
    for r in rows:
        assert r["result"] == "无法读取", r["file_name"]
        f = con.store.rows("SELECT message FROM findings WHERE return_id = ?", r["id"])
        assert f and all(re.search(r"[\u4e00-\u9fff]", x["message"]) for x in f)
        page = con.c.get(f"/rounds/{rid}/returns/{r['id']}").text
        assert f[0]["message"].split("（")[0] in page
    codes = {x["code"] for x in con.store.rows("SELECT code FROM findings")}
    assert {"zip-bomb", "encrypted-or-legacy", "unsupported-format"} <= codes
    con.close()


ASCII_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]+")
ALLOWED = {"xlsx", "xls", "csv", "txt", "zip", "Excel", "WPS", "MB", files.CODE}  # and the bureau's own 编号
CELL = re.compile(r"^[A-Z]{1,3}\d+$")  # a cell reference, as Excel shows it


def _visible(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|title)[^>]*>.*?</\1>", " ", html)
    html = re.sub(r'(?s)<a class="code-link"[^>]*>.*?</a>', " ", html)  # the department links themselves
    shown = re.findall(r'(?:placeholder|value)="([^"]*)"', re.sub(r'<input type="hidden"[^>]*>', "", html))
    return re.sub(r"<[^>]+>", " ", html) + " " + " ".join(v for v in shown if not v.isdigit())


@pytest.fixture
def walked(tmp_path):
    con = Console(tmp_path / "数据")
    con.sign_in()
    rid = con.round()
    codes = con.codes(rid)
    honest = files.honest_return(files.DEPARTMENTS[0])
    tampered, _ = files.tampered_return(files.DEPARTMENTS[1])
    con.post(f"/rounds/{rid}/returns", files=[(io.BytesIO(honest), "甲.xlsx"), (io.BytesIO(tampered), "乙.xlsx"),
                                              (io.BytesIO(b"junk"), "丙.xlsx")])
    con.post("/templates/upload", file=(io.BytesIO(files.authoring(break_weight=True)), "指标体系.xlsx"))
    con.post(f"/rounds/{rid}/list", file=(io.BytesIO(files.messy_list()), "名单草稿.csv"))
    con.settle()
    yield con, rid, codes
    con.close()


def test_every_page_speaks_chinese(walked):
    con, rid, codes = walked
    rets = [r["id"] for r in con.store.rows("SELECT id FROM returns")]
    urls = ["/", "/templates", "/templates/6", "/audit", f"/rounds/{rid}", f"/rounds/{rid}/returns", f"/rounds/{rid}/links",
            f"/rounds/{rid}/summary"] + [f"/rounds/{rid}/returns/{r}" for r in rets]
    pages = {u: con.c.get(u) for u in urls}
    dept = con.app.test_client()
    code = codes[files.DEPARTMENTS[2]]
    pages[f"/d/{code}"] = dept.get(f"/d/{code}")
    pages["不存在的页面"] = con.c.get("/没有这个页面")
    pages["别的部门"] = dept.get(f"/d/{code}/r/{rets[0]}")
    pages["过期的表单"] = con.c.post(f"/rounds/{rid}/returns")
    pages["错误的方法"] = con.c.get("/logout")
    anon = con.app.test_client()
    pages["登录"] = anon.get("/login")
    bad = {}
    for where, r in pages.items():
        words = [w for w in ASCII_WORD.findall(_visible(r.text)) if w not in ALLOWED and not CELL.match(w)]
        if words:
            bad[where] = words
    assert bad == {}
    assert all("Traceback" not in r.text for r in pages.values())
    log = pages["/audit"].text
    assert "上传交回文件" in log and "甲.xlsx" in log and "上传名单" in log


def test_an_internal_error_is_a_chinese_page(walked, monkeypatch):
    con, rid, _ = walked
    import workbook_builder.console.summary as S

    def broken(*a, **kw):
        raise RuntimeError("boom")
    monkeypatch.setattr(S, "figures", broken)
    r = con.c.get(f"/rounds/{rid}/summary")
    assert r.status_code == 500 and "出了点问题" in r.text and "boom" not in r.text and "Runtime" not in r.text
    assert "RuntimeError: boom" in (con.store.data / "console.log").read_text(encoding="utf-8")  # for support


def test_serve_answers_bad_arguments_in_one_chinese_line(tmp_path, capsys):
    import socket

    from workbook_builder.cli import main
    assert main(["serve", "--data", str(tmp_path / "数据"), "--port", "70000"]) == 2
    assert "端口 70000 无效" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--data", str(tmp_path / "数据"), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"错误: 端口 {port} 已被占用，请换一个端口（--port）"


def test_a_round_whose_template_cannot_be_loaded_does_not_stop_the_others(tmp_path):
    con = Console(tmp_path / "数据", workers=False)
    con.sign_in()
    broken, fine = con.round(), con.round()
    for rid in (broken, fine):
        con.post(f"/rounds/{rid}/returns", files=(io.BytesIO(files.honest_return(files.DEPARTMENTS[0])), "甲.xlsx"))
    key_of = con.app.extensions["workbook_console"].key_of

    def failing(rid):
        if rid == broken:
            raise LookupError
        return key_of(rid)
    loop = ValidationLoop(con.store, failing)
    while loop.once():
        pass
    got = {r["round_id"]: r["result"] for r in con.store.rows("SELECT round_id, result FROM returns")}
    assert got == {broken: "无法读取", fine: "通过"}
    loop.validator.stop()
    con.close()
