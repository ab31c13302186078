"""The whole round in a real browser (Playwright driving Debian's Chromium) against a real server process.

sign in → a 指标体系 with an error, seen at its row, then a correct one → a messy 名单, its problems seen at
their rows, then a clean one → the zip of workbooks, every one checked → honest and tampered returns →
each finding at its cell, the departments not returned → a department's self-check, and another
department's page refused → 汇总表.xlsx, equal to what ``consolidate`` writes for the same files.
Screenshots of every step go to WB_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import io
import os
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest

from workbook_builder.loader import load_template
from workbook_builder.reader.batch import collect, frames, validate_many
from workbook_builder.reader.report import write_frames
from workbook_builder.reader.validate import validate_file

from . import files
from .conftest import wait_for

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # CI installs it: there, a missing Playwright fails the test below
    sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "县财政局2024"


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists() or sync_playwright is None:
        if os.environ.get("CI"):
            pytest.fail("CI 中需要 /usr/bin/chromium 和 Playwright（pip install playwright）")
        pytest.skip("没有 /usr/bin/chromium 或 Playwright")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _shots(tmp_path: Path) -> Path:
    d = Path(os.environ.get("WB_SCREENSHOTS") or tmp_path / "截图")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _file(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / "上传" / name
    p.parent.mkdir(exist_ok=True)
    p.write_bytes(data)
    return str(p)


def _submit(page, selector: str) -> None:
    """Click a button or link and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def _pending_done(page) -> None:
    """Wait until no “正在校验” banner is left (the page reloads itself when validation ends)."""
    wait_for(lambda: page.locator(".verdict.wait").count() == 0 or (page.reload() and False))


def test_whole_round(server, browser, tmp_path):
    shots = _shots(tmp_path)
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    step = iter(range(1, 100))

    def shot(name):
        page.screenshot(path=str(shots / f"{next(step):02d}-{name}.png"), full_page=True)

    # 1. first start: the bureau sets its password, then signs in again
    page.goto(server.url + "/")
    assert "设置财政局登录密码" in page.content()
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=again]", PASSWORD)
    _submit(page, "button:has-text('设置密码并进入')")
    _submit(page, "button:has-text('退出登录')")
    page.fill("input[name=password]", "错误的密码")
    _submit(page, "button:has-text('登录')")
    assert "密码不正确" in page.content()
    page.fill("input[name=password]", PASSWORD)
    _submit(page, "button:has-text('登录')")
    assert page.locator("h1").inner_text() == "绩效自评轮次"
    shot("登录后")

    # 2. a 指标体系 with a wrong 分值: the error at its row; then a correct one
    _submit(page, "nav >> text=指标体系")
    page.set_input_files("input[name=file]", _file(tmp_path, "指标体系-有错.xlsx", files.authoring(break_weight=True)))
    _submit(page, "button:has-text('上传并检查')")
    bad = page.locator("table.rows tr.bad")
    assert bad.count() == 1
    assert "分值" in bad.inner_text() and "第" in bad.locator("td").first.inner_text()
    assert "不能用于分发" in page.locator(".verdict").inner_text()
    shot("指标体系有错")
    _submit(page, "nav >> text=指标体系")
    page.set_input_files("input[name=file]", _file(tmp_path, "指标体系.xlsx", files.authoring()))
    _submit(page, "button:has-text('上传并检查')")
    assert "通过" in page.locator(".verdict").inner_text()
    readings = page.locator("table.rows tbody tr td:nth-child(3)").all_inner_texts()
    assert len(readings) == len(list(load_template("qingcheng_2024").leaves()))  # every row, with its reading
    assert all(readings)
    with page.expect_download() as dl:
        page.click("text=下载核对表")
    assert dl.value.suggested_filename == "指标体系-核对.xlsx"
    checked = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))["指标体系"]
    assert any(c.value == "解析结果" for row in checked.iter_rows(max_row=10) for c in row)
    shot("指标体系通过")

    # a round with the uploaded template, signed
    page.goto(server.url + "/")
    page.select_option("select[name=template_id]", label=page.locator("option", has_text="本局上传").inner_text())
    page.fill("input[name=name]", "2024年度部门整体支出绩效自评")
    page.fill("input[name=year]", "2024")
    page.check("input[name=sign]")
    _submit(page, "button:has-text('新建')")
    round_url = page.url

    # 3. a messy 名单: problems at their rows, nothing to confirm; then a clean one
    page.set_input_files("#名单 input[name=file]", _file(tmp_path, "名单-初稿.csv", files.messy_list()))
    _submit(page, "#名单 button:has-text('上传并预览')")
    rows = page.locator("table.preview tbody tr")
    texts = {rows.nth(i).locator("td").first.inner_text(): rows.nth(i).inner_text() for i in range(rows.count())}
    assert "不是数值" in texts["第4行"] and "不应大于" in texts["第5行"] and "同一个文件" in texts["第6行"]
    assert page.locator("button:has-text('确认名单')").count() == 0
    shot("名单有问题")
    page.set_input_files("#名单 input[name=file]", _file(tmp_path, "名单.csv", files.clean_list()))
    _submit(page, "#名单 button:has-text('上传并预览')")
    assert page.locator("table.preview tbody tr.bad").count() == 0
    assert "10,000,000" in page.locator("table.preview").inner_text()  # 1000 万元 prefilled as 元
    _submit(page, "button:has-text('确认名单')")
    _submit(page, "button:has-text('生成 4 份自评表')")
    page.wait_for_selector(".job-download:not(.hidden)")
    assert page.locator("progress").first.get_attribute("value") == "4"
    shot("生成完成")

    # 4. the zip: one workbook per department, each of the round's template, department, year, signed
    with page.expect_download() as dl:
        page.locator(".job-download").first.click()
    key = _sign_key(server.data)
    sha = _db(server.data, "SELECT sha256 FROM templates WHERE ok = 1 AND source = 'upload'")
    tpl_file = server.data / "tpl" / f"{sha}.xlsx"
    os.environ["WORKBOOK_BUILDER_TEMPLATES"] = str(tpl_file)
    try:
        z = zipfile.ZipFile(dl.value.path())
        assert sorted(z.namelist()) == sorted(f"{d}-2024.xlsx" for d in files.DEPARTMENTS)
        for n in z.namelist():
            p = tmp_path / "下发" / n
            p.parent.mkdir(exist_ok=True)
            p.write_bytes(z.read(n))
            r = validate_file(p, key)
            assert (r.template, r.version, r.department, r.year) == (files.CODE, "1.0", n[:-10], "2024")
            # only what the department has yet to fill in: otherwise intact, and signed
            assert "required-missing" in {f.code for f in r.findings}
            assert {f.code for f in r.findings} <= {"required-missing", "reason-missing"}

        # 5. honest and tampered returns, and a file that is not a workbook, in one upload
        d0, d1, d2, d3 = files.DEPARTMENTS
        tampered, cell = files.tampered_return(d2, template=tpl_file, sign_key=key)
        up = {f"{d0}-2024.xlsx": files.honest_return(d0, template=tpl_file, sign_key=key),
              f"{d1}-2024.xlsx": files.honest_return(d1, template=tpl_file, sign_key=key),
              f"{d2}-2024.xlsx": tampered, "说明.xlsx": b"not a workbook"}
        page.goto(round_url)
        _submit(page, "nav.steps >> text=收表")
        page.set_input_files("input[name=files] >> nth=0", [_file(tmp_path, n, b) for n, b in up.items()])
        _submit(page, "button:has-text('上传并校验')")
        _pending_done(page)
        shot("收表")

        # 6. every department's state; the findings at their cells; the departments not returned
        table = {r.locator("td").first.inner_text(): r.inner_text() for r in page.locator("table.depts tbody tr").all()}
        assert "通过" in table[d0] and "通过" in table[d1] and "未通过" in table[d2] and "未交回" in table[d3]
        assert page.locator("p.missing").inner_text() == f"未交回：{d3}"
        assert "说明.xlsx" in page.content()
        with page.expect_navigation():
            page.locator("table.depts tr", has_text=d2).locator("a", has_text="未通过").click()
        finding = page.locator("table.findings tr", has_text=cell)
        assert finding.count() >= 1 and "重新计算" in finding.first.inner_text()
        assert "自评表" in finding.first.inner_text()
        shot("问题在单元格")

        # 7. the department's own link: upload, see the findings, submit; another department's page refused
        _submit(page, "nav.steps >> text=部门链接")
        link3 = page.locator("tr", has_text=d3).locator("a.code-link").get_attribute("href")
        link0 = page.locator("tr", has_text=d0).locator("a.code-link").get_attribute("href")
        dept = browser.new_context(locale="zh-CN").new_page()
        dept.goto(server.url + link3)
        assert d3 in dept.locator("h1").inner_text()
        dept.set_input_files("input[name=file]",
                             _file(tmp_path, "自查.xlsx", files.honest_return(d2, template=tpl_file, sign_key=key)))
        _submit(dept, "button:has-text('上传并检查')")
        wait_for(lambda: dept.locator(".verdict.wait").count() == 0 or (dept.reload() and False))
        assert "与本链接的部门" in dept.content()  # another department's workbook is not accepted silently
        _submit(dept, "text=返回本部门页面")
        dept.set_input_files("input[name=file]",
                             _file(tmp_path, "自查2.xlsx", files.honest_return(d3, template=tpl_file, sign_key=key)))
        _submit(dept, "button:has-text('上传并检查')")
        wait_for(lambda: dept.locator(".verdict.wait").count() == 0 or (dept.reload() and False))
        assert dept.locator(".verdict").first.inner_text().startswith("通过")
        dept.screenshot(path=str(shots / f"{next(step):02d}-部门自查.png"), full_page=True)
        _submit(dept, "button:has-text('提交给财政局')")
        assert "已提交给财政局" in dept.content()
        other_return = _a_return_of(page, round_url, d0)
        dept.goto(server.url + link3 + "/r/" + other_return)
        assert "找不到页面" in dept.content() and d0 not in dept.content()
        dept.goto(server.url + link0.replace(link0[-6:], "aaaaaa"))
        assert "找不到页面" in dept.content()
        dept.goto(round_url + "/returns")
        assert "财政局登录" in dept.content()
        dept.screenshot(path=str(shots / f"{next(step):02d}-他部门被拒.png"), full_page=True)
        dept.context.close()

        _submit(page, "nav.steps >> text=收表")
        assert "未交回" not in page.locator("table.depts").inner_text()

        # 8. 汇总: charts, and 汇总表.xlsx equal to consolidate over the same files
        _submit(page, "nav.steps >> text=汇总")
        assert page.locator("svg.chart").count() == 3
        shot("汇总")
        with page.expect_download() as dl:
            page.click("text=下载汇总表")
        got = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
        folder = tmp_path / "收回"
        folder.mkdir()
        for n, b in up.items():
            (folder / n).write_bytes(b)
        (folder / "自查2.xlsx").write_bytes(files.honest_return(d3, template=tpl_file, sign_key=key))
        want_path = tmp_path / "consolidate.xlsx"
        write_frames(frames(validate_many(collect([folder]), key, progress=False), root=folder), want_path)
        want = openpyxl.load_workbook(want_path)
        assert got.sheetnames == want.sheetnames
        for name in want.sheetnames:
            assert _body(got[name]) == _body(want[name]), name
    finally:
        os.environ.pop("WORKBOOK_BUILDER_TEMPLATES", None)
    ctx.close()


def _body(ws) -> list:
    """A sheet's cells below its title row (the title carries the date), rows sorted."""
    rows = [tuple(c.value for c in r) for r in ws.iter_rows(min_row=2)]
    return [rows[0]] + sorted(rows[1:], key=repr) if rows else []


def _a_return_of(page, round_url: str, department: str) -> str:
    page.goto(round_url + "/returns")
    href = page.locator("table.depts tr", has_text=department).locator("a").first.get_attribute("href")
    return href.rsplit("/", 1)[1]


def _db(data: Path, sql: str):
    with sqlite3.connect(data / "console.db") as c:
        return c.execute(sql).fetchone()[0]


def _sign_key(data: Path) -> bytes:
    return _db(data, "SELECT value FROM settings WHERE key = 'sign_key'").encode("ascii")

