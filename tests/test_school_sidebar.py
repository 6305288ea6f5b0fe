"""A school's sidebar offers the year (and the language) only: the area, hub, school-type and
establishment filters choose among many schools, and a school user sees one. Other viewers keep
every filter. Run through AppTest on the fixture warehouse the real build made."""

from __future__ import annotations

import pytest
from app_pages import page_app
from dashboard_fixture import SCHOOLS, make_fixture_warehouse, school_code

from dashboard import access
from dashboard.roles import Role

AREA_FILTERS = {"filter_level", "filter_hub", "filter_type", "filter_est"}


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("marts") / "shirube.duckdb"
    make_fixture_warehouse(db)
    return db


def _sidebar_keys(fixture_db, monkeypatch, role: Role) -> tuple[set[str], object]:
    viewer = access.Viewer(access.SIGNED_IN, email=role.email, role=role)
    monkeypatch.setattr(access, "resolve_viewer", lambda: viewer)
    app = page_app(fixture_db, monkeypatch)
    app.session_state["_audited_login"] = viewer.email
    app.run()
    assert not app.exception, app.exception
    return {box.key for box in app.sidebar.selectbox}, app.session_state["filters"]


def test_a_school_user_picks_only_the_year(fixture_db, monkeypatch):
    school = Role("s@x.jp", "school", "school", school_code(SCHOOLS[0]))
    keys, filters = _sidebar_keys(fixture_db, monkeypatch, school)
    assert "filter_year" in keys
    assert not keys & AREA_FILTERS, keys
    assert filters.year is not None
    assert filters.selection() == {
        "area_level": "national",
        "area_code": None,
        "hub": None,
        "school_type": None,
        "establishment": None,
    }


def test_a_hub_coordinator_keeps_the_area_filters(fixture_db, monkeypatch):
    coordinator = Role("c@x.jp", "hub_coordinator", "hub", "H01")
    keys, _ = _sidebar_keys(fixture_db, monkeypatch, coordinator)
    assert AREA_FILTERS | {"filter_year"} <= keys, keys
