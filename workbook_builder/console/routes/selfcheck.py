"""部门自查: a department's own page, reached by the code in its link; it sees nothing of any other department."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)

from .. import returns as R
from ..app import console
from .forms import one_file

bp = Blueprint("selfcheck", __name__)


def _department(code: str) -> tuple[dict, dict]:
    store = console().store
    if not (8 <= len(code) <= 64):
        abort(404)
    d = store.row("SELECT * FROM departments WHERE code = ?", code)
    if d is None:
        abort(404)
    return d, store.row("SELECT * FROM rounds WHERE id = ?", d["round_id"])


def _own(d: dict, ret: int) -> dict:
    row = console().store.row("SELECT * FROM returns WHERE id = ? AND department_id = ? AND via = 'self'", ret, d["id"])
    if row is None:
        abort(404)
    return row


@bp.route("/d/<code>")
def page(code: str):
    d, rnd = _department(code)
    mine = console().store.rows("SELECT * FROM returns WHERE department_id = ? AND via = 'self' ORDER BY id DESC",
                                d["id"])
    return render_template("self.html", d=d, r=rnd, mine=mine, code=code)


@bp.route("/d/<code>/upload", methods=["POST"])
def upload(code: str):
    d, rnd = _department(code)
    got = one_file("请选择本部门填好的自评表（.xlsx）")
    if got is None:
        return redirect(url_for("selfcheck.page", code=code))
    ret = R.add_return(console().store, rnd["id"], *got, "self", d["name"],
                       department_id=d["id"])
    console().wake()
    return redirect(url_for("selfcheck.result", code=code, ret=ret))


@bp.route("/d/<code>/r/<int:ret>")
def result(code: str, ret: int):
    d, rnd = _department(code)
    row = _own(d, ret)
    return render_template("findings.html", r=rnd, ret=row, dept=d, history=[], code=code,
                           findings=R.findings_of(console().store, ret), bureau=False)


@bp.route("/api/d/<code>/r/<int:ret>")
def state(code: str, ret: int):
    d, _ = _department(code)
    return jsonify({"pending": _own(d, ret)["status"] == "pending"})


@bp.route("/d/<code>/r/<int:ret>/submit", methods=["POST"])
def submit(code: str, ret: int):
    d, rnd = _department(code)
    row = _own(d, ret)
    store = console().store
    if row["status"] == "pending":
        flash("文件还在校验，请稍候再提交", "bad")
        return redirect(url_for("selfcheck.result", code=code, ret=ret))
    with store.tx() as tx:
        tx.execute("UPDATE returns SET superseded = 1 WHERE department_id = ? AND submitted = 1 AND id <> ?",
                   d["id"], ret)
        tx.execute("UPDATE returns SET submitted = 1 WHERE id = ?", ret)
    store.audit(d["name"], "部门提交", {"轮次": rnd["id"], "文件": row["file_name"], "结论": row["result"]})
    flash("已提交给财政局" + ("" if row["result"] == "通过" else "（文件仍有问题，财政局会看到这些问题）"), "ok")
    return redirect(url_for("selfcheck.page", code=code))
