"""A console in this process (Flask's test client), signed in, with a round of four departments ready."""

from __future__ import annotations

import io
import re
import time

from workbook_builder.console.app import create_app, stop

from . import files

PASSWORD = "县财政局2024"


def token(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


class Console:
    def __init__(self, data, workers: bool = True):
        self.app = create_app(data, workers=workers)
        self.c = self.app.test_client()
        self.store = self.app.extensions["workbook_console"].store

    def close(self) -> None:
        stop(self.app)

    def sign_in(self) -> str:
        page = self.c.get("/setup" if not self.store.setting("password") else "/login").text
        if "设置财政局登录密码" in page:
            self.c.post("/setup", data={"csrf": token(page), "password": PASSWORD, "again": PASSWORD})
        else:
            self.c.post("/login", data={"csrf": token(page), "password": PASSWORD})
        self.tok = token(self.c.get("/").text)
        return self.tok

    def post(self, url: str, **data):
        return self.c.post(url, data={"csrf": self.tok, **data})

    def round(self, departments=files.DEPARTMENTS, tid: str = files.TID) -> int:
        """A round of the shipped template with a confirmed 名单; returns its id."""
        t = self.store.row("SELECT id FROM templates WHERE code = ? AND source = 'shipped'", tid)["id"]
        rid = int(self.post("/rounds", template_id=str(t), year="2024").headers["Location"].rsplit("/", 1)[1])
        self.post(f"/rounds/{rid}/list", file=(io.BytesIO(files.clean_list(departments)), "名单.csv"))
        lid = self.store.row("SELECT id FROM lists WHERE round_id = ? ORDER BY id DESC", rid)["id"]
        self.post(f"/rounds/{rid}/list/{lid}/confirm")
        return rid

    def codes(self, rid: int) -> dict[str, str]:
        return {d["name"]: d["code"] for d in self.store.rows("SELECT name, code FROM departments WHERE round_id = ?",
                                                              rid)}

    def wait_job(self, job: int, rounds: int = 1200) -> None:
        """Wait (a bounded number of polls) until the generation job is done."""
        for _ in range(rounds):
            status = self.c.get(f"/api/jobs/{job}").json["status"]
            if status == "完成":
                return
            assert status not in ("失败", "出错"), status
            time.sleep(0.1)
        raise AssertionError("生成没有完成")

    def settle(self, rounds: int = 600) -> None:
        """Wait (a bounded number of polls) until every return has been validated."""
        for _ in range(rounds):
            if not self.store.row("SELECT COUNT(*) AS n FROM returns WHERE status = 'pending'")["n"]:
                return
            time.sleep(0.1)
        raise AssertionError("校验没有完成")
