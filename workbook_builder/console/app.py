"""The console's Flask application: storage, background work, sign-in and CSRF, Chinese error pages."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException

from . import auth, catalog
from .jobs import Jobs, ValidationLoop
from .storage import Store
from .uploads import MAX_REQUEST

#: internal errors go to console.log in the data folder, never to a page or the terminal
LOG = logging.getLogger("workbook_builder.console")

ERRORS = {
    400: ("请求无效", "页面已过期或请求不完整，请返回上一页，刷新后重试。"),
    401: ("需要登录", "请先以财政局身份登录。"),
    403: ("无权访问", "您没有权限查看这个页面。"),
    404: ("找不到页面", "这个页面不存在，或链接已失效。部门链接只能打开本部门的页面。"),
    405: ("操作无效", "请从页面上的按钮进行操作。"),
    413: ("文件过大", f"一次上传的文件合计不能超过 {MAX_REQUEST // (1024 * 1024)} MB，请分批上传。"),
    500: ("出了点问题", "操作没有完成，已上传的文件不会丢失。请稍后重试；若仍出错，请联系技术支持。"),
}


@dataclass
class Console:
    store: Store
    jobs: Jobs
    loop: ValidationLoop | None

    @property
    def sign_key(self) -> bytes:
        return self.store.setting("sign_key").encode("ascii")

    def key_of(self, round_id: int) -> tuple[str, bytes | None]:
        rnd = self.store.row("SELECT template_id, sign FROM rounds WHERE id = ?", round_id)
        _, template_file = catalog.template_of(self.store, rnd["template_id"])
        return template_file, (self.sign_key if rnd["sign"] else None)

    def wake(self) -> None:
        if self.loop is not None:
            self.loop.wake.set()


def console() -> Console:
    return current_app.extensions["workbook_console"]


def create_app(data_dir: str | Path, db_url: str | None = None, workers: bool = True) -> Flask:
    store = Store(data_dir, db_url)
    if not any(isinstance(h, logging.FileHandler) and h.baseFilename == str((store.data / "console.log").resolve())
               for h in LOG.handlers):
        handler = logging.FileHandler(store.data / "console.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        LOG.addHandler(handler)
        LOG.propagate = False
    store.set_setting("secret_key", secrets.token_hex(32), only_if_missing=True)
    store.set_setting("sign_key", secrets.token_hex(32), only_if_missing=True)
    catalog.shipped(store)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(SECRET_KEY=store.setting("secret_key"), MAX_CONTENT_LENGTH=MAX_REQUEST,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_NAME="wb_session")
    c = Console(store, Jobs(store), None)
    if workers:
        c.loop = ValidationLoop(store, c.key_of)
        c.loop.start()
    app.extensions["workbook_console"] = c

    from .routes import register
    register(app)

    @app.before_request
    def _csrf():
        g.who = ""
        auth.check_csrf()

    @app.context_processor
    def _globals():
        from flask import session
        return {"csrf_token": auth.csrf_token, "signed_in": session.get("who") == "bureau"}

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
        return resp

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        code = e.code or 500
        title, text = ERRORS.get(code, ERRORS[400 if code < 500 else 500])
        if code == 400 and e.description == "csrf":
            text = "页面已过期（安全校验未通过），请返回上一页，刷新后重试。"
        if request.path.startswith("/api/"):
            return {"error": text}, code
        return render_template("error.html", title=title, text=text), code

    @app.errorhandler(Exception)
    def _any(e: Exception):
        LOG.exception("")
        title, text = ERRORS[500]
        return render_template("error.html", title=title, text=text), 500

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    return app


def stop(app: Flask) -> None:
    c: Console = app.extensions["workbook_console"]
    if c.loop is not None:
        c.loop.stop()
        c.loop.join(timeout=10)
    c.jobs.stop()
    log = str((c.store.data / "console.log").resolve())
    for h in [h for h in LOG.handlers if isinstance(h, logging.FileHandler) and h.baseFilename == log]:
        LOG.removeHandler(h)
        h.close()
