"""The console's pages, one module per area."""

from __future__ import annotations


def register(app) -> None:
    from . import distribution, returns, selfcheck, signin, summary, templates
    for m in (signin, templates, distribution, returns, selfcheck, summary):
        app.register_blueprint(m.bp)
