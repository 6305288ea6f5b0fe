"""A school's sidebar offers the year (and the language) only: the area, hub, school-type and
establishment filters choose among many schools, and a school user sees one. Other viewers keep
every filter. Run through AppTest on the fixture warehouse the real build made."""

from __future__ import annotations

import pytest
from app_pages import open_page, page_app
from dashboard_fixture import SCHOOLS, YEARS, make_fixture_warehouse, school_code

from dashboard import access
from dashboard.roles import Role
from pipelines.i18n import t

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


@pytest.mark.parametrize("page", ["views/self_assessment.py", "views/student_record.py"])
def test_a_page_with_its_own_year_shows_no_shared_filter_and_keeps_the_year_chosen(
    fixture_db, monkeypatch, page
):
    """The self-assessment answers its own year and term, the student's record covers every
    year: a sidebar year there would name a year the page does not show. Back on the profile,
    the year chosen before is still the one shown."""
    school = Role("s@x.jp", "school", "school", school_code(SCHOOLS[0]))
    viewer = access.Viewer(access.SIGNED_IN, email=school.email, role=school)
    monkeypatch.setattr(access, "resolve_viewer", lambda: viewer)
    app = page_app(fixture_db, monkeypatch)
    app.session_state["_audited_login"] = viewer.email
    app.run()
    assert app.session_state["filters"].year == YEARS[-1]  # the latest, until one is chosen
    app.sidebar.selectbox(key="filter_year").set_value(str(YEARS[0])).run()
    chosen = app.session_state["filters"].year
    assert chosen == YEARS[0]
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert "filter_year" not in {box.key for box in app.sidebar.selectbox}
    assert "filters" not in app.session_state
    app.switch_page("views/school.py").run()
    assert not app.exception, app.exception
    assert app.session_state["filters"].year == chosen
    assert app.sidebar.selectbox(key="filter_year").value == str(chosen)


def test_a_schools_returns_page_counts_its_one_school_in_the_singular(fixture_db, monkeypatch):
    school = Role("s@x.jp", "school", "school", school_code(SCHOOLS[0]))
    viewer = access.Viewer(access.SIGNED_IN, email=school.email, role=school)
    monkeypatch.setattr(access, "resolve_viewer", lambda: viewer)
    app = page_app(fixture_db, monkeypatch)
    app.session_state["_audited_login"] = viewer.email
    open_page(app, "views/quality.py", lang="en")
    assert not app.exception, app.exception
    counts = {
        m.label: m.value
        for m in app.metric
        if m.label in (t("dashboard.returns_done", "en"), t("dashboard.returns_missing", "en"))
    }
    # Its one school is either returned or not: "1 school" and "0 schools", never "1 schools".
    assert sorted(counts.values()) == ["0 schools", "1 school"], counts


@pytest.mark.parametrize(
    ("role", "first"),
    [
        (Role("c@x.jp", "hub_coordinator", "hub", "H01"), "dashboard.level_scope"),
        (Role("k@x.jp", "superintendent", "municipality", "13101"), "dashboard.level_scope"),
        (Role("a@x.jp", "asknet", "national", None), "dashboard.level_national"),
    ],
)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_area_level_with_no_area_chosen_is_named_for_what_the_viewer_sees(
    fixture_db, monkeypatch, role, first, lang
):
    """With no area chosen, a coordinator's or a superintendent's pages show their own area
    (selection.resolve), so the sidebar must not call that choice "Japan"; ASKNET's is Japan."""
    viewer = access.Viewer(access.SIGNED_IN, email=role.email, role=role)
    monkeypatch.setattr(access, "resolve_viewer", lambda: viewer)
    app = page_app(fixture_db, monkeypatch)
    app.session_state["_audited_login"] = viewer.email
    open_page(app, "views/overview.py", lang=lang)
    assert not app.exception, app.exception
    box = app.sidebar.selectbox(key="filter_level")
    assert box.value == "national"
    assert box.options[box.index] == t(first, lang)
    assert box.options[1:] == [
        t(f"dashboard.level_{level}", lang) for level in ("region", "prefecture", "municipality")
    ]
