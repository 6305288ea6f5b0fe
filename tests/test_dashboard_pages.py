"""Every dashboard page through Streamlit's AppTest on the fixture snapshot: it renders, filters
change the numbers, empty states show, and the language switch holds across pages."""

from __future__ import annotations

import json
import re

import pytest
from app_pages import open_page, page_app
from build_rows import RawRows, build_snapshot, code
from dashboard_fixture import HUBS, SCHOOLS, YEARS, make_fixture_warehouse, school_code
from streamlit.testing.v1 import AppTest

from dashboard import access, charts, ui
from dashboard.roles import Role
from dashboard.ui import PAGES
from pipelines.i18n import t

PAGE_FILES = [spec.file for spec in PAGES]


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("marts") / "shirube.duckdb"
    make_fixture_warehouse(db)
    return db


@pytest.fixture
def app(fixture_db, monkeypatch):
    return page_app(fixture_db, monkeypatch)


def _follow_link(app: AppTest, **query: str) -> AppTest:
    """Rerun with the URL's parameters changed, as a pasted link or back/forward does."""
    app.query_params.update(query)
    return app.run()


def _metric(app: AppTest, key: str, lang: str = "ja") -> str:
    label = t(f"dashboard.{key}", lang)
    return next(m.value for m in app.metric if m.label == label)


def _warnings(app: AppTest) -> list[str]:
    """Warnings the page drew, without the open-mode banner every page carries (--no-auth)."""
    banner = t("dashboard.access_no_auth_banner", "ja")
    return [w.value for w in app.warning if w.value != banner]


def _table_with(app: AppTest, column_key: str):
    """The first table showing the catalogue column `column_key` (tables carry no key)."""
    column = t(f"dashboard.{column_key}", "ja")
    return next(df.value for df in app.dataframe if column in df.value.columns)


def _problems(app: AppTest) -> list[str]:
    polite = t("dashboard.page_error", "ja")
    return [e.value for e in app.exception] + [e.value for e in app.error if e.value == polite]


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_renders_its_japanese_title_without_an_error(app, page):
    spec = next(s for s in PAGES if s.file == page)
    open_page(app, page)
    assert _problems(app) == []
    assert app.title[0].value == t(f"dashboard.{spec.title_key}", "ja")


def test_overview_headline_counts_follow_the_prefecture_filter(app):
    open_page(app, "views/overview.py")
    assert _metric(app, "metric_registered") == f"{len(SCHOOLS)}校"
    app.selectbox(key="filter_level").set_value("prefecture").run()
    app.selectbox(key="filter_area").set_value("13").run()
    tokyo = [s for s in SCHOOLS if s[4].startswith("13")]
    assert _metric(app, "metric_registered") == f"{len(tokyo)}校"
    reporting = [s for s in tokyo if s[8] is not None]
    assert _metric(app, "metric_reporting") == f"{len(reporting)}校"
    assert app.query_params["area"] == "13"


def test_overview_average_achieved_matches_the_fixture_schools(app):
    open_page(app, "views/overview.py", year=str(YEARS[-1]))
    achieved = [s[8] for s in SCHOOLS if s[8] is not None]
    assert _metric(app, "metric_avg_achieved_short") == f"{sum(achieved) / len(achieved):.1f} / 8"


def test_a_link_with_filters_reproduces_the_view(app):
    open_page(app, "views/overview.py", level="municipality", area="14100", type="B1")
    primary = [s for s in SCHOOLS if s[4] == "14100" and s[0] == "B1"]
    assert _metric(app, "metric_registered") == f"{len(primary)}校"
    assert app.selectbox(key="filter_type").value == "B1"


def test_a_filter_with_no_schools_says_so(app):
    open_page(app, "views/overview.py")
    # 大阪府 has no private school in the fixture
    assert not [s for s in SCHOOLS if s[4].startswith("27") and s[1] == "3"]
    _follow_link(app, level="prefecture", area="27", est="3")
    assert _warnings(app) == [t("dashboard.no_schools", "ja")]
    assert _problems(app) == []


def test_support_list_shrinks_when_only_high_severity_is_kept(app):
    open_page(app, "views/support.py", year=str(YEARS[-1]))
    everyone = _metric(app, "support_count")
    app.multiselect(key="support_severity").set_value(["high"]).run()
    no_return = [s for s in SCHOOLS if s[8] is None]
    assert _metric(app, "support_count") == f"{len(no_return)}校"
    assert everyone != _metric(app, "support_count")


def test_school_profile_opens_from_the_url_and_shows_the_school(app):
    record = SCHOOLS[0]
    open_page(app, "views/school.py", school=school_code(record), year=str(YEARS[-1]))
    assert app.subheader[0].value == record[3]
    assert _metric(app, "metric_achieved") == f"{record[8]} / 8"
    assert _problems(app) == []


def test_school_search_by_name_offers_matching_schools(app):
    open_page(app, "views/school.py")
    app.text_input(key="school_search").input("横浜").run()
    offered = app.selectbox(key="filter_school").options
    yokohama = [s[3] for s in SCHOOLS if "横浜" in s[3]]
    assert len(offered) == len(yokohama) + 1  # plus "choose a school"
    assert all(any(name in option for option in offered) for name in yokohama)


def test_district_page_lists_each_school_of_the_municipality(app):
    open_page(app, "views/district.py", level="municipality", area="14100")
    table = _table_with(app, "col_school")
    names = set(table[t("dashboard.col_school", "ja")])
    assert names == {s[3] for s in SCHOOLS if s[4] == "14100"}


def test_district_page_for_all_japan_asks_for_a_district_instead_of_listing_every_school(app):
    open_page(app, "views/district.py")
    school_column = t("dashboard.col_school", "ja")
    assert not any(school_column in df.value.columns for df in app.dataframe)
    assert t("dashboard.district_schools_pick", "ja") in [c.value for c in app.caption]


def _chart_ids(
    app: AppTest, names: tuple[str, ...] = ("heatmap", "ranked", "distribution")
) -> list[str]:
    """The keys the page gave its charts (ui.chart's key is in each element's id)."""
    return [name for chart in app.get("plotly_chart") for name in names if name in chart.proto.id]


DISTRICT_CHARTS = ("district_trends", "district_change")


def test_district_shows_the_trend_or_the_change_by_benchmark_chosen_above_it(app):
    """Which benchmarks move, stall or fall is written under either view."""
    open_page(app, "views/district.py", level="municipality", area="14100")
    moving = t("dashboard.district_moving", "ja")
    assert not _problems(app)
    assert _chart_ids(app, DISTRICT_CHARTS) == ["district_trends"]
    assert any(moving in m.value for m in app.markdown)
    app.get("segmented_control")[0].set_value("change").run()
    assert not _problems(app)
    assert _chart_ids(app, DISTRICT_CHARTS) == ["district_change"]
    assert app.query_params["progress"] == "change"  # kept in the URL: a link reopens it
    assert any(moving in m.value for m in app.markdown)


def test_compare_shows_one_view_at_a_time_chosen_above_it(app):
    open_page(app, "views/compare.py", compare="municipality")
    assert not _problems(app)
    assert _chart_ids(app) == ["heatmap"]  # the first view, when none is chosen
    assert not app.dataframe
    app.get("segmented_control")[0].set_value("ranking").run()
    assert not _problems(app)
    assert _chart_ids(app) == ["ranked", "distribution"]
    assert app.query_params["view"] == "ranking"  # kept in the URL: a link reopens it
    app.get("segmented_control")[0].set_value("table").run()
    assert _chart_ids(app) == []
    assert len(_table_with(app, "col_area")) == len({s[4] for s in SCHOOLS})


def test_compare_heatmap_says_where_the_numbers_are_when_its_cells_have_none(
    app, monkeypatch, request
):
    note = t("dashboard.heatmap_unlabelled", "ja")
    open_page(app, "views/compare.py", compare="municipality")
    assert note not in [c.value for c in app.caption]  # few municipalities: numbers written
    monkeypatch.setattr(charts, "HEATMAP_LABELLED_CELLS", 8)  # a single area's row at most
    ui._built_figure.clear()  # the figure above was built with numbers, and is kept
    request.addfinalizer(ui._built_figure.clear)  # and so would this one be, without them
    open_page(app, "views/compare.py", compare="municipality")
    heat = next(c for c in app.get("plotly_chart") if "heatmap" in c.proto.id)
    assert "texttemplate" not in json.loads(heat.proto.spec)["data"][-1]
    assert note in [c.value for c in app.caption]


def test_compare_view_comes_from_a_link_and_a_deselected_button_keeps_the_view(app):
    open_page(app, "views/compare.py", compare="municipality", view="table")
    assert _chart_ids(app) == []
    assert len(_table_with(app, "col_area")) == len({s[4] for s in SCHOOLS})
    app.get("segmented_control")[0].set_value(None).run()  # the chosen button clicked again
    assert len(_table_with(app, "col_area")) == len({s[4] for s in SCHOOLS})
    app.run()
    assert app.get("segmented_control")[0].value == "table"


def test_compare_ranking_writes_suppressed_beside_an_area_outside_a_coordinators_hub(
    fixture_db, monkeypatch
):
    role = Role("c@x.jp", "hub_coordinator", "hub", "H01")
    viewer = access.Viewer(access.SIGNED_IN, email=role.email, role=role)
    monkeypatch.setattr(access, "resolve_viewer", lambda: viewer)
    app = page_app(fixture_db, monkeypatch)
    app.session_state["_audited_login"] = viewer.email
    open_page(app, "views/compare.py", compare="hub", view="ranking")
    assert not _problems(app)
    ranked = next(c for c in app.get("plotly_chart") if "ranked" in c.proto.id)
    bars, *hidden = json.loads(ranked.proto.spec)["data"]
    outside = [HUBS["H02"]]  # its mean is suppressed for a coordinator of H01: no bar
    assert [(trace["y"], trace["text"]) for trace in hidden] == [
        (outside, [t("dashboard.chart_suppressed", "ja")])
    ]
    assert HUBS["H01"] in bars["y"] and HUBS["H02"] in bars["y"]


def test_compare_with_more_areas_than_charted_asks_for_a_prefecture_and_keeps_the_table(
    app, tmp_path, monkeypatch
):
    settings = tmp_path / "settings.toml"
    settings.write_text("[dashboard]\nmax_charted_areas = 2\n", encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    municipalities = len({s[4] for s in SCHOOLS})
    expected = t(
        "dashboard.compare_too_many",
        "ja",
        count=str(municipalities),
        level=t("dashboard.level_municipality", "ja"),
        table=t("dashboard.compare_view_table", "ja"),
    )
    open_page(app, "views/compare.py", compare="municipality")
    assert expected in [i.value for i in app.info]
    assert _chart_ids(app) == []  # no heatmap of every municipality
    open_page(app, "views/compare.py", compare="municipality", view="ranking")
    assert expected in [i.value for i in app.info]
    assert _chart_ids(app) == ["distribution"]  # only the achieved spread of the selection
    open_page(app, "views/compare.py", compare="municipality", view="table")
    assert expected not in [i.value for i in app.info]
    assert len(_table_with(app, "col_area")) == municipalities


def test_returns_page_counts_who_has_not_returned(app):
    open_page(app, "views/quality.py", year=str(YEARS[-1]))
    missing = [s for s in SCHOOLS if s[8] is None]
    assert _metric(app, "returns_missing") == f"{len(missing)}校"
    quarantine = _table_with(app, "col_row")
    assert list(quarantine[t("dashboard.col_row", "ja")]) == [7, 15]


def test_returns_page_shows_the_first_rows_of_a_long_list_and_offers_every_row(
    app, tmp_path, monkeypatch
):
    settings = tmp_path / "settings.toml"
    settings.write_text("[dashboard]\ntable_rows_shown = 2\n", encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    open_page(app, "views/quality.py", year=str(YEARS[-1]))
    assert not _problems(app)
    status = _table_with(app, "col_returned")
    assert len(status) == 2
    # Schools without a return come first: the ones to chase.
    missing = len([s for s in SCHOOLS if s[8] is None])
    assert 0 < missing < len(SCHOOLS)
    first = list(status[t("dashboard.col_returned", "ja")])[:missing]
    assert first == [t("dashboard.returns_no", "ja")] * min(missing, 2)
    schools = len(SCHOOLS)
    shown = t("dashboard.rows_shown", "ja", shown="2", total=f"{schools:,}")
    assert shown in [c.value for c in app.caption]
    buttons = {b.proto.id.rsplit("-", 1)[-1] for b in app.get("download_button")}
    assert {"return_status_csv", "return_status_xlsx", "quarantine_csv"} <= buttons


def test_returns_page_shows_submission_dates_as_dates(app):
    open_page(app, "views/quality.py", year=str(YEARS[-1]))
    dates = _table_with(app, "col_submitted_on")[t("dashboard.col_submitted_on", "ja")]
    shown = [d for d in dates if isinstance(d, str)]  # a school with no return shows a dash
    assert shown and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in shown), shown


def test_school_profile_shows_its_latest_return_as_a_date(app):
    open_page(app, "views/school.py", school=school_code(SCHOOLS[0]), year=str(YEARS[-1]))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", _metric(app, "metric_latest_return"))


def test_sidebar_holds_the_shared_filters_and_the_language_switch(app):
    app.run()
    keys = {box.key for box in app.sidebar.selectbox}
    assert {
        "filter_lang",
        "filter_year",
        "filter_level",
        "filter_hub",
        "filter_type",
        "filter_est",
    } <= keys
    app.sidebar.selectbox(key="filter_lang").set_value("en").run()
    assert app.title[0].value == t("dashboard.page_overview", "en")
    assert app.query_params["lang"] == "en"


def test_english_switch_holds_when_changing_page(app):
    open_page(app, "views/overview.py", lang="en")
    assert app.title[0].value == t("dashboard.page_overview", "en")
    assert _metric(app, "metric_registered", "en") == f"{len(SCHOOLS)} schools"
    app.query_params.clear()  # a page switch starts the new page with an empty query string
    app.switch_page("views/support.py").run()
    assert app.title[0].value == t("dashboard.page_support", "en")
    assert app.query_params["lang"] == "en"


def test_a_rebuild_is_picked_up_on_the_next_rerun_without_a_restart(tmp_path, monkeypatch):
    db = tmp_path / "shirube.duckdb"
    make_fixture_warehouse(db)
    app = open_page(page_app(db, monkeypatch), "views/overview.py")
    assert _metric(app, "metric_registered") == f"{len(SCHOOLS)}校"
    raw = RawRows(db)  # a schools file naming one more school, then a rebuild
    raw.schools([(code("C1", "13", 99), "新設中学校", "13101", None, None)])
    build_snapshot(raw)
    app.run()
    assert _metric(app, "metric_registered") == f"{len(SCHOOLS) + 1}校"


def test_new_deployment_without_snapshot_explains_how_to_load_files(tmp_path, monkeypatch):
    app = page_app(tmp_path / "empty.duckdb", monkeypatch)
    for spec in PAGES:
        open_page(app, spec.file)
        assert [i.value for i in app.info][:1] == [t("dashboard.no_snapshot_title", "ja")]
        # Each page still says which page it is.
        assert [h.value for h in app.title] == [t(f"dashboard.{spec.title_key}", "ja")]
        assert "shirube ingest" in "".join(md.value for md in app.markdown)
        assert _problems(app) == []


def test_report_page_previews_and_prepares_an_excel_download(app):
    open_page(app, "views/report.py", year=str(YEARS[-1]))
    assert _problems(app) == [] and not _warnings(app)
    assert not app.get("iframe")  # the 5 MB preview is sent only when asked for
    app.toggle(key="report_preview").set_value(True).run()
    (preview,) = app.get("iframe")
    assert _problems(app) == [] and not _warnings(app)
    prepare = next(b for b in app.button if b.label == t("dashboard.report_prepare_xlsx", "ja"))
    prepare.click().run()
    labels = [d.label for d in app.get("download_button")]
    assert t("dashboard.download_xlsx", "ja") in labels
