"""dashboard.prefetch warms exactly what a signed-in viewer's sidebar pages then read: each page,
run through AppTest on the fixture snapshot for each kind of viewer, runs no query of its own
that the prefetch plan for that viewer's scope and sidebar choices did not already put in the
cache (the sidebar's own queries are run by the first page anyway)."""

from __future__ import annotations

import pytest
from app_pages import page_app
from dashboard_fixture import SCHOOLS, make_fixture_warehouse, school_code

from dashboard import access, data, prefetch, ui
from dashboard.roles import Role

# Queries of the sidebar, the language switch and the data-version footer: every page runs them,
# the first one included.
SIDEBAR = {"options", "data"}
VIEWERS = {
    "hub_coordinator": Role("c@x.jp", "hub_coordinator", "hub", "H01"),
    "superintendent": Role("k@x.jp", "superintendent", "municipality", "14100"),
    "school": Role("s@x.jp", "school", "school", school_code(SCHOOLS[0])),
}


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("marts") / "shirube.duckdb"
    make_fixture_warehouse(db)
    return db


def _key(function, params: dict) -> tuple:
    return f"{function.__module__}.{function.__name__}", tuple(sorted(params.items()))


def _planned(viewer: access.Viewer, pages: tuple[str, ...], year: int, choices: dict) -> set:
    keys: set = set()

    def expand(steps) -> None:
        for step in steps:
            if callable(step) and not isinstance(step, tuple):
                expand(step())
            else:
                keys.add(_key(*step))
                data.query(step[0], viewer.scope, **step[1])  # a later step may read it

    expand(prefetch.plan(viewer.scope, pages, year, choices))
    return keys


@pytest.mark.parametrize("role", list(VIEWERS))
def test_every_query_a_sidebar_page_runs_was_prefetched(fixture_db, monkeypatch, role):
    viewer = access.Viewer(access.SIGNED_IN, email=VIEWERS[role].email, role=VIEWERS[role])
    monkeypatch.setattr(access, "resolve_viewer", lambda: viewer)
    specs = [spec for spec in ui.pages_for(viewer) if not spec.hidden]
    pages = tuple(spec.url_path for spec in specs)
    app = page_app(fixture_db, monkeypatch)
    app.session_state["_audited_login"] = viewer.email
    app.run()
    f = app.session_state["filters"]
    planned = _planned(viewer, pages, f.year, f.selection())

    ran: list[tuple] = []
    original = data.query

    def recording(function, scope, **params):
        # (the app's own checks of the roles file read as everyone: not a page's query)
        if scope == viewer.scope and function.__module__.rpartition(".")[2] not in SIDEBAR:
            ran.append(_key(function, params))
        return original(function, scope, **params)

    monkeypatch.setattr(data, "query", recording)
    for spec in specs:
        app.switch_page(spec.file).run()
        assert not app.exception, (spec.file, app.exception)
    assert ran, "the pages ran no query of their own"
    missing = sorted({key for key in ran if key not in planned})
    # The student record reads a school's roll only when someone opens it: never prefetched.
    missing = [key for key in missing if not key[0].startswith("dashboard.queries.students")]
    assert missing == [], "\n".join(map(str, missing))
