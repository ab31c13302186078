"""分发: rounds, the 名单 preview and confirmation, generation with a progress bar, the zips, 项目清单."""

from __future__ import annotations

import datetime as dt
import json

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from .. import catalog
from .. import distribution as D
from ..app import console
from ..auth import bureau_only
from ..storage import now
from ..uploads import UploadRefused, clean_name, read_capped

bp = Blueprint("rounds", __name__)


def round_or_404(rid: int) -> dict:
    r = console().store.row("SELECT * FROM rounds WHERE id = ?", rid)
    if r is None:
        abort(404)
    return r


@bp.route("/")
@bureau_only
def home():
    store = console().store
    rounds = store.rows("SELECT r.*, t.title AS template_title, t.version AS template_version FROM rounds r "
                        "JOIN templates t ON t.id = r.template_id ORDER BY r.id DESC")
    for r in rounds:
        r["departments"] = store.row("SELECT COUNT(*) AS n FROM departments WHERE round_id = ?", r["id"])["n"]
    usable = store.rows("SELECT * FROM templates WHERE ok = 1 ORDER BY source DESC, code, id DESC")
    return render_template("home.html", rounds=rounds, usable=usable, year=dt.date.today().year - 1)


@bp.route("/rounds", methods=["POST"])
@bureau_only
def create():
    store = console().store
    try:
        tid = int(request.form.get("template_id", ""))
        year = int(request.form.get("year", ""))
    except ValueError:
        flash("请选择指标体系并填写年度", "bad")
        return redirect("/")
    tpl = store.row("SELECT * FROM templates WHERE id = ?", tid)
    name = request.form.get("name", "").strip()[:80]
    if tpl is None or not tpl["ok"]:
        flash("有错误的指标体系不能用于分发：请先改正并重新上传", "bad")
        return redirect("/")
    if not 2000 <= year <= 2100:
        flash("年度应为 2000～2100 之间的年份", "bad")
        return redirect("/")
    rid = store.insert("rounds", name=name or f"{year} 年度部门整体支出绩效自评", template_id=tid, year=year,
                       sign=int(bool(request.form.get("sign"))), created_at=now())
    store.audit("财政局", "新建轮次", {"轮次": rid, "年度": year, "指标体系": tpl["title"], "版本": tpl["version"]})
    return redirect(url_for("rounds.show", rid=rid))


def _latest(store, rid: int, kind: str):
    row = store.row("SELECT * FROM lists WHERE round_id = ? AND kind = ? ORDER BY id DESC LIMIT 1", rid, kind)
    if row:
        row["data"] = json.loads(row["preview"])
    return row


@bp.route("/rounds/<int:rid>")
@bureau_only
def show(rid: int):
    store = console().store
    rnd = round_or_404(rid)
    tpl = store.row("SELECT * FROM templates WHERE id = ?", rnd["template_id"])
    depts = store.rows("SELECT id, name FROM departments WHERE round_id = ? ORDER BY row_no, id", rid)
    jobs = store.rows("SELECT * FROM jobs WHERE round_id = ? ORDER BY id DESC LIMIT 6", rid)
    return render_template("round.html", r=rnd, tpl=tpl, depts=depts, jobs=jobs,
                           listed=_latest(store, rid, "名单"), projects=_latest(store, rid, "项目清单"))


def _upload(field: str):
    fs = request.files.get(field)
    if not fs or not fs.filename:
        return None, None
    return clean_name(fs.filename), read_capped(fs.stream)


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ".csv"


@bp.route("/rounds/<int:rid>/list", methods=["POST"])
@bureau_only
def upload_list(rid: int):
    c = console()
    rnd = round_or_404(rid)
    try:
        name, data = _upload("file")
    except UploadRefused as e:
        flash(str(e), "bad")
        return redirect(url_for("rounds.show", rid=rid))
    if name is None:
        flash("请选择名单文件（.xlsx 或 .csv）", "bad")
        return redirect(url_for("rounds.show", rid=rid))
    sha = c.store.put(data)
    c.store.audit("财政局", "上传名单", {"轮次": rid, "文件": name, "摘要": sha})
    t, _ = catalog.template_of(c.store, rnd["template_id"])
    preview = D.preview_list(t, c.store.as_file(sha, _suffix(name)), rnd["year"])
    D.record_list(c.store, rid, "名单", sha, name, preview)
    return redirect(url_for("rounds.show", rid=rid) + "#名单")


@bp.route("/rounds/<int:rid>/list/<int:lid>/confirm", methods=["POST"])
@bureau_only
def confirm(rid: int, lid: int):
    store = console().store
    round_or_404(rid)
    row = store.row("SELECT * FROM lists WHERE id = ? AND round_id = ? AND kind = '名单'", lid, rid)
    if row is None or not row["ok"]:
        flash("名单还有问题，请改正后重新上传", "bad")
        return redirect(url_for("rounds.show", rid=rid))
    try:
        n = D.confirm_departments(store, rid, json.loads(row["preview"])["rows"])
    except ValueError as e:
        flash(str(e), "bad")
        return redirect(url_for("rounds.show", rid=rid))
    store.audit("财政局", "确认名单", {"轮次": rid, "部门数": n})
    flash(f"已确认名单：{n} 个部门", "ok")
    return redirect(url_for("rounds.show", rid=rid) + "#生成")


@bp.route("/rounds/<int:rid>/generate", methods=["POST"])
@bureau_only
def generate(rid: int):
    c = console()
    rnd = round_or_404(rid)
    depts = c.store.rows("SELECT name, prefill FROM departments WHERE round_id = ? ORDER BY row_no, id", rid)
    if not depts:
        flash("请先上传并确认名单", "bad")
        return redirect(url_for("rounds.show", rid=rid))
    t, _ = catalog.template_of(c.store, rnd["template_id"])
    key = c.sign_key if rnd["sign"] else None
    jid = c.jobs.start("自评表", rid, len(depts), lambda j: D.build_zip(c.store, j, t, rnd["year"], depts, key))
    c.store.audit("财政局", "生成自评表", {"轮次": rid, "部门数": len(depts)})
    return redirect(url_for("rounds.show", rid=rid, job=jid) + "#生成")


@bp.route("/rounds/<int:rid>/projects", methods=["POST"])
@bureau_only
def upload_projects(rid: int):
    from ...projects.form import find_form
    c = console()
    round_or_404(rid)
    try:
        name, data = _upload("file")
        ind_name, ind_data = _upload("indicators")
    except UploadRefused as e:
        flash(str(e), "bad")
        return redirect(url_for("rounds.show", rid=rid) + "#项目")
    if name is None:
        flash("请选择项目清单（.xlsx 或 .csv）", "bad")
        return redirect(url_for("rounds.show", rid=rid) + "#项目")
    sha = c.store.put(data)
    ind_sha = c.store.put(ind_data) if ind_data is not None else None
    c.store.audit("财政局", "上传项目清单", {"轮次": rid, "文件": name, "摘要": sha, "绩效指标": ind_name})
    preview = D.preview_projects(find_form("national_project_2020"), c.store.as_file(sha, _suffix(name)),
                                 c.store.as_file(ind_sha, _suffix(ind_name)) if ind_sha else None)
    preview["indicators"] = [ind_sha, ind_name] if ind_sha else None
    preview["suffix"] = [_suffix(name), _suffix(ind_name) if ind_name else ""]
    D.record_list(c.store, rid, "项目清单", sha, name, preview)
    return redirect(url_for("rounds.show", rid=rid) + "#项目")


@bp.route("/rounds/<int:rid>/projects/<int:lid>/generate", methods=["POST"])
@bureau_only
def generate_projects(rid: int, lid: int):
    from ...projects.form import find_form
    from ...projects.listing import read_listing
    c = console()
    rnd = round_or_404(rid)
    row = c.store.row("SELECT * FROM lists WHERE id = ? AND round_id = ? AND kind = '项目清单'", lid, rid)
    if row is None or not row["ok"]:
        flash("项目清单还有问题，请改正后重新上传", "bad")
        return redirect(url_for("rounds.show", rid=rid) + "#项目")
    p = json.loads(row["preview"])
    form = find_form("national_project_2020")
    ind = c.store.as_file(p["indicators"][0], p["suffix"][1]) if p.get("indicators") else None
    listed = read_listing(form, c.store.as_file(row["sha256"], p["suffix"][0]), ind)
    key = c.sign_key if rnd["sign"] else None
    jid = c.jobs.start("项目工作簿", rid, len(listed),
                       lambda j: D.build_projects_zip(c.store, j, form, rnd["year"], listed, key))
    c.store.audit("财政局", "生成项目工作簿", {"轮次": rid, "部门数": len(listed)})
    return redirect(url_for("rounds.show", rid=rid, job=jid) + "#项目")


@bp.route("/api/jobs/<int:jid>")
@bureau_only
def job_state(jid: int):
    j = console().store.row("SELECT * FROM jobs WHERE id = ?", jid)
    if j is None:
        abort(404)
    return jsonify({"status": j["status"], "done": j["done"], "total": j["total"], "message": j["message"],
                    "download": url_for("rounds.download", jid=jid) if j["status"] == "完成" else None})


@bp.route("/jobs/<int:jid>/download")
@bureau_only
def download(jid: int):
    store = console().store
    j = store.row("SELECT * FROM jobs WHERE id = ? AND status = '完成'", jid)
    if j is None or not j["output"]:
        abort(404)
    rnd = round_or_404(j["round_id"])
    return send_file(store.data / "out" / j["output"], as_attachment=True,
                     download_name=f"{rnd['year']}年度-{j['kind']}.zip")


@bp.route("/rounds/<int:rid>/links")
@bureau_only
def links(rid: int):
    rnd = round_or_404(rid)
    depts = console().store.rows("SELECT * FROM departments WHERE round_id = ? ORDER BY row_no, id", rid)
    return render_template("links.html", r=rnd, depts=depts, base=request.host_url.rstrip("/"))
