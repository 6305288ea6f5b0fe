"""Dashboard pages run through Streamlit's AppTest on a warehouse the real build made."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import launch

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def page_app(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The dashboard on `db`, run as `shirube serve --no-auth` (a test warehouse is not the demo
    sample, which alone runs open without login)."""
    monkeypatch.setenv("SHIRUBE_DB", str(db))
    monkeypatch.setenv("SHIRUBE_NO_AUTH", "1")
    # As the server starts (dashboard.launch): its heavy modules loaded before any page runs.
    # Without it a page's Plotly could meet pandas half-imported by the sidebar's prefetch
    # thread, and the first test of a run to draw a chart failed now and then.
    launch.preload()
    return AppTest.from_file(APP, default_timeout=60)


def open_page(app: AppTest, page: str, **query: str) -> AppTest:
    """First run (registers the pages), then open `page` with `query` as the URL's parameters."""
    app.query_params.update(query)
    app.run()
    app.query_params.clear()
    app.query_params.update(query)
    app.switch_page(page).run()
    return app
