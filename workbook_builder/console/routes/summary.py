"""汇总: charts (grades, scores per 一级, budget execution against score) and 汇总表.xlsx."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from markupsafe import Markup

from .. import catalog
from .. import summary as S
from ..app import console
from ..auth import bureau_only
from .distribution import round_or_404

bp = Blueprint("summary", __name__)


def _share(rid: int) -> float:
    return float(console().store.setting(f"share:{rid}", str(S.DEFAULT_SHARE)))


@bp.route("/rounds/<int:rid>/summary")
@bureau_only
def show(rid: int):
    c = console()
    rnd = round_or_404(rid)
    t, _ = catalog.template_of(c.store, rnd["template_id"])
    share = _share(rid)
    fig = S.figures(c.store, rid, t, share)
    svg = {k: Markup(fig[k]) for k in ("grades", "matrix", "scatter")}  # made by charts.py, every label escaped
    return render_template("summary.html", r=rnd, fig=fig, svg=svg, share=share)


@bp.route("/rounds/<int:rid>/share", methods=["POST"])
@bureau_only
def set_share(rid: int):
    round_or_404(rid)
    try:
        pct = float(request.form.get("share", "").strip().rstrip("%"))
        if not 1 <= pct <= 100:
            raise ValueError
    except ValueError:
        flash("偏离幅度应为 1～100 之间的百分数，如 20", "bad")
        return redirect(url_for("summary.show", rid=rid))
    console().store.set_setting(f"share:{rid}", str(pct / 100))
    return redirect(url_for("summary.show", rid=rid))


@bp.route("/rounds/<int:rid>/summary.xlsx")
@bureau_only
def workbook(rid: int):
    c = console()
    rnd = round_or_404(rid)
    out = c.store.data / "out" / f"summary-{rid}.xlsx"
    template_file, _ = c.key_of(rid)
    S.workbook(c.store, rid, out, template_file)
    c.store.audit("财政局", "下载汇总表", {"轮次": rid})
    return send_file(out, as_attachment=True, download_name=f"{rnd['year']}年度-汇总表.xlsx", max_age=0)
