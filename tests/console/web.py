"""The console over HTTP (requests), as a browser without scripts uses it: the bureau and its departments."""

from __future__ import annotations

import re
import time

import requests

from . import files

PASSWORD = "县财政局2024"


def token(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


class Bureau:
    def __init__(self, base: str):
        self.base = base
        self.s = requests.Session()
        page = self.s.get(base + "/login").text
        if "设置财政局登录密码" in page:
            self.s.post(base + "/setup", data={"csrf": token(page), "password": PASSWORD, "again": PASSWORD})
        else:
            self.s.post(base + "/login", data={"csrf": token(page), "password": PASSWORD})
        self.tok = token(self.s.get(base + "/").text)

    def post(self, path: str, files_=None, **data) -> requests.Response:
        return self.s.post(self.base + path, data={"csrf": self.tok, **data}, files=files_)

    def round(self, departments=files.DEPARTMENTS) -> int:
        home = self.s.get(self.base + "/").text
        tid = re.search(r'<option value="(\d+)">[^<]*庆城县部门整体支出绩效自评表', home).group(1)
        r = self.post("/rounds", template_id=tid, year="2024", name="压力测试")
        rid = int(r.url.rsplit("/", 1)[1])
        self.post(f"/rounds/{rid}/list", files_={"file": ("名单.csv", files.clean_list(departments))})
        page = self.s.get(f"{self.base}/rounds/{rid}").text
        lid = re.search(r"/list/(\d+)/confirm", page).group(1)
        self.post(f"/rounds/{rid}/list/{lid}/confirm")
        return rid

    def codes(self, rid: int) -> dict[str, str]:
        page = self.s.get(f"{self.base}/rounds/{rid}/links").text
        return dict(re.findall(r"<tr><td>([^<]+)</td><td><a class=\"code-link\" href=\"/d/([a-z0-9]+)\"", page))

    def upload(self, rid: int, named: dict[str, bytes]) -> requests.Response:
        return self.post(f"/rounds/{rid}/returns", files_=[("files", (n, b)) for n, b in named.items()])


def department_upload(base: str, code: str, name: str, data: bytes) -> tuple[int, float]:
    """One department: open its page, upload its workbook; (return id, seconds the upload took)."""
    s = requests.Session()
    tok = token(s.get(f"{base}/d/{code}").text)
    t0 = time.perf_counter()
    r = s.post(f"{base}/d/{code}/upload", data={"csrf": tok}, files={"file": (name, data)}, allow_redirects=False)
    took = time.perf_counter() - t0
    assert r.status_code == 302, r.status_code
    return int(r.headers["Location"].rsplit("/", 1)[1]), took
