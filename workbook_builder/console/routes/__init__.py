"""The console's pages, one module per area."""

from __future__ import annotations


def register(app) -> None:
    from . import audit, distribution, returns, selfcheck, signin, summary, templates
    for m in (signin, templates, distribution, returns, selfcheck, summary, audit):
        app.register_blueprint(m.bp)
