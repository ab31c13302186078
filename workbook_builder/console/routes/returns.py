"""收表: upload returns (many files, a zip, a folder), the table of every department, findings, replacement."""

from __future__ import annotations

import io

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

from .. import returns as R
from ..app import console
from ..auth import bureau_only
from ..uploads import UploadRefused, incoming
from .distribution import round_or_404
from .forms import one_file

bp = Blueprint("returns", __name__)


@bp.route("/rounds/<int:rid>/returns")
@bureau_only
def index(rid: int):
    store = console().store
    rnd = round_or_404(rid)
    lines, unmatched = R.table(store, rid)
    counts = {k: 0 for k in ("未交回", "已交回", "重复交回", "通过", "未通过", "无法读取", "校验中")}
    for ln in lines:
        counts[ln["state"]] += 1
        cur = ln["current"]
        if cur:
            counts["校验中" if cur["status"] == "pending" else cur["result"]] += 1
    pending = store.row("SELECT COUNT(*) AS n FROM returns WHERE round_id = ? AND status = 'pending'", rid)["n"]
    return render_template("returns.html", r=rnd, lines=lines, unmatched=unmatched, counts=counts, pending=pending,
                           missing=[ln["department"]["name"] for ln in lines if ln["state"] == "未交回"])


@bp.route("/rounds/<int:rid>/returns", methods=["POST"])
@bureau_only
def upload(rid: int):
    c = console()
    round_or_404(rid)
    try:
        files = incoming(request.files.getlist("files"))
    except UploadRefused as e:
        flash(str(e), "bad")
        return redirect(url_for("returns.index", rid=rid))
    if not files:
        flash("请选择要上传的文件", "bad")
        return redirect(url_for("returns.index", rid=rid))
    for name, data in files:
        R.add_return(c.store, rid, name, data, "bureau", "财政局")
    c.wake()
    flash(f"已收到 {len(files)} 份文件，正在逐份校验", "ok")
    return redirect(url_for("returns.index", rid=rid))


@bp.route("/api/rounds/<int:rid>/pending")
@bureau_only
def pending(rid: int):
    n = console().store.row("SELECT COUNT(*) AS n FROM returns WHERE round_id = ? AND status = 'pending'", rid)["n"]
    return jsonify({"pending": n})


@bp.route("/rounds/<int:rid>/returns/<int:ret>")
@bureau_only
def show(rid: int, ret: int):
    store = console().store
    rnd = round_or_404(rid)
    row = store.row("SELECT * FROM returns WHERE id = ? AND round_id = ?", ret, rid)
    if row is None:
        abort(404)
    dept = store.row("SELECT * FROM departments WHERE id = ?", row["department_id"]) if row["department_id"] else None
    history = store.rows("SELECT * FROM returns WHERE round_id = ? AND department_id = ? ORDER BY id DESC", rid,
                         row["department_id"]) if dept else [row]
    return render_template("findings.html", r=rnd, ret=row, dept=dept, history=history,
                           findings=R.findings_of(store, ret), bureau=True)


@bp.route("/rounds/<int:rid>/departments/<int:did>/replace", methods=["POST"])
@bureau_only
def replace(rid: int, did: int):
    c = console()
    round_or_404(rid)
    if c.store.row("SELECT id FROM departments WHERE id = ? AND round_id = ?", did, rid) is None:
        abort(404)
    got = one_file("请选择更正后的文件")
    if got is None:
        return redirect(url_for("returns.index", rid=rid))
    new = R.replace(c.store, rid, did, *got, "财政局")
    c.wake()
    flash("已替换，原文件保留在历史记录中", "ok")
    return redirect(url_for("returns.show", rid=rid, ret=new))


@bp.route("/rounds/<int:rid>/returns/<int:ret>/file")
@bureau_only
def original(rid: int, ret: int):
    store = console().store
    row = store.row("SELECT * FROM returns WHERE id = ? AND round_id = ?", ret, rid)
    if row is None:
        abort(404)
    return send_file(io.BytesIO(store.read(row["sha256"])), as_attachment=True, download_name=row["file_name"],
                     mimetype="application/octet-stream")
