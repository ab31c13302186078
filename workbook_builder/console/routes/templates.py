"""指标体系: the shipped templates and the bureau's uploads, each upload's check row by row, 核对.xlsx."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    send_file,
    url_for,
)

from .. import catalog
from ..app import console
from ..auth import bureau_only
from ..storage import now
from .forms import one_file

bp = Blueprint("templates", __name__)


@bp.route("/templates")
@bureau_only
def index():
    rows = console().store.rows("SELECT * FROM templates ORDER BY source DESC, code, id DESC")
    return render_template("templates.html", rows=rows)


@bp.route("/templates/upload", methods=["POST"])
@bureau_only
def upload():
    store = console().store
    got = one_file("请选择指标体系工作簿（.xlsx）")
    if got is None:
        return redirect(url_for("templates.index"))
    name, data = got
    sha = store.put(data)
    store.audit("财政局", "上传指标体系", {"文件": name, "摘要": sha})
    checked = catalog.check_workbook(store.as_file(sha, ".xlsx"))
    if checked.ok:
        why = catalog.version_problem(store, checked.code, checked.version)
        if why:
            checked.ok = False
            checked.general.insert(0, why)
    tid = store.insert("templates", code=checked.code or "—", version=checked.version or "—",
                       title=checked.title or name, source="upload", ref=sha, sha256=sha, file_name=name,
                       ok=int(checked.ok), report=checked.as_json(), created_at=now())
    return redirect(url_for("templates.show", tid=tid))


@bp.route("/templates/<int:tid>")
@bureau_only
def show(tid: int):
    row = console().store.row("SELECT * FROM templates WHERE id = ?", tid)
    if row is None:
        abort(404)
    report = json.loads(row["report"] or "{}")
    rows = sorted(((int(k), v) for k, v in report.get("rows", {}).items()))
    return render_template("template.html", t=row, report=report, rows=rows,
                           bad=sum(1 for _, v in rows if v["problems"]) + len(report.get("general", [])))


@bp.route("/templates/<int:tid>/check.xlsx")
@bureau_only
def checked_copy(tid: int):
    store = console().store
    row = store.row("SELECT * FROM templates WHERE id = ? AND source = 'upload'", tid)
    if row is None:
        abort(404)
    src = store.as_file(row["sha256"], ".xlsx")
    out = store.data / "out" / f"check-{tid}.xlsx"
    if not out.exists():
        report = json.loads(row["report"])
        c = catalog.Checked(ok=bool(row["ok"]), rows={int(k): v for k, v in report.get("rows", {}).items()})
        tmp = out.with_suffix(".part.xlsx")
        catalog.annotated(src, c, tmp)
        tmp.replace(out)
    stem = row["file_name"].rsplit(".", 1)[0]
    return send_file(out, as_attachment=True, download_name=f"{stem}-核对.xlsx")
