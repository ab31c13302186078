"""First start (the bureau sets its password), sign-in and sign-out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from .. import auth
from ..app import console

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    store = console().store
    if store.setting("password"):
        return redirect(url_for("auth.login"))
    if request.method == "POST":
        pw, again = request.form.get("password", ""), request.form.get("again", "")
        if len(pw) < auth.MIN_PASSWORD:
            flash(f"密码至少 {auth.MIN_PASSWORD} 位", "bad")
        elif pw != again:
            flash("两次输入的密码不一致", "bad")
        elif store.set_setting("password", auth.hash_password(pw), only_if_missing=True):
            session.clear()
            session["who"] = "bureau"
            store.audit("财政局", "设置登录密码")
            return redirect("/")
        else:
            return redirect(url_for("auth.login"))
    return render_template("setup.html")


@bp.route("/login", methods=["GET", "POST"])
def login():
    store = console().store
    if not store.setting("password"):
        return redirect(url_for("auth.setup"))
    if request.method == "POST":
        if auth.check_password(request.form.get("password", ""), store.setting("password")):
            session.clear()
            session["who"] = "bureau"
            store.audit("财政局", "登录")
            return redirect(_safe_next(request.args.get("next")))
        store.audit("未知", "登录失败")
        flash("密码不正确", "bad")
    return render_template("login.html")


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
