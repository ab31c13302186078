"""操作日志: who did what, when (the latest entries)."""

from __future__ import annotations

import json

from flask import Blueprint, render_template

from ..app import console
from ..auth import bureau_only

bp = Blueprint("audit", __name__)

HIDDEN = {"摘要"}  # content hashes stay in the table, not on the page


@bp.route("/audit")
@bureau_only
def index():
    rows = console().store.rows("SELECT * FROM audit ORDER BY id DESC LIMIT 500")
    for r in rows:
        try:
            d = json.loads(r["detail"]) if r["detail"].startswith("{") else {}
        except ValueError:
            d = {}
        r["shown"] = "；".join(f"{k}：{v}" for k, v in d.items() if k not in HIDDEN and k != "轮次") if d else r["detail"]
    return render_template("audit.html", rows=rows)
