"""Each of the overview, compare, district and returns pages shows the numbers of the area it names.

The warehouse is built by the real pipeline from the raw rows below. Every page query is called
the way the page calls it, with the sidebar's choices (a hub, a municipality, a school type) going
through dashboard.selection, and its numbers are checked against the marts for those schools.

    prefecture 13, municipality 13101, hub H1 (湾岸ハブ)
      A1 中学校   terms 1-3 in 2024 and 2025
      A2 中学校   terms 1-3 in 2024, terms 1-2 in 2025: has not returned this term (3)
      A3 高等学校 前期/後期: terms 1-2 both years: returned this term (its term 2)
      A4 小学校   2024 only: no return in 2025
    prefecture 13, municipality 13102: A5 中学校 (hub H1), A6 高等学校 (no hub)
    prefecture 13, municipality 13101: A7 中学校 (no hub, 2025 only)
    prefecture 14, municipality 14100, hub H2 given by its code only:
      B1 中学校, B2 高等学校, B3 小学校 (2024 only)
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from app_pages import open_page, page_app
from build_rows import RawRows, build_and_open, code, rows
from streamlit.testing.v1 import AppTest

from dashboard.queries import areas as q_areas
from dashboard.queries import schools as q_schools
from dashboard.scope import Scope
from dashboard.text import md
from pipelines.i18n import t

EVERYTHING = Scope.everything()
YEAR = 2025
A1, A2, A3, A4, A5, A6, A7 = (
    code(k, "13", n) for n, k in enumerate("C1 C1 D1 B1 C1 D1 C1".split(), 1)
)
B1, B2, B3 = (code(k, "14", n) for n, k in enumerate("C1 D1 B1".split(), 1))

# The sidebar's choices, and the same schools as the marts define them.
SELECTIONS = {
    "hub": (
        dict(hub="H1"),
        "select school_code from marts.school_area where area_level = 'hub' and area_code = 'H1'",
    ),
    "municipality": (
        dict(area_level="municipality", area_code="13101"),
        "select school_code from marts.school_area "
        "where area_level = 'municipality' and area_code = '13101'",
    ),
    "school_type": (
        dict(school_type="C1"),
        "select school_code from marts.dim_school where school_type = 'C1'",
    ),
}
MART_AREAS = {"hub": ("hub", "H1"), "municipality": ("municipality", "13101")}


def achieved(n: int) -> dict[str, float]:
    """Scores with the first n of the eight benchmarks fully achieved."""
    return {f"B{i}": 100.0 if i <= n else 40.0 + i for i in range(1, 9)}


def load(raw: RawRows) -> None:
    raw.schools(
        [
            (A1, "第一中学校", "13101", "H1", "湾岸ハブ"),
            (A2, "第二中学校", "13101", "H1", "湾岸ハブ"),
            (A3, "第三高等学校", "13101", "H1", None),
            (A4, "第四小学校", "13101", "H1", "湾岸ハブ"),
            (A5, "第五中学校", "13102", "H1", "湾岸ハブ"),
            (A6, "第六高等学校", "13102", None, None),
            (A7, "第七中学校", "13101", None, None),
            (B1, "横浜中学校", "14100", "H2", None),
            (B2, "横浜高等学校", "14100", "H2", None),
            (B3, "横浜小学校", "14100", "H2", None),
        ]
    )
    raw.returns(
        [
            (A1, 2024, 1, date(2024, 7, 10), achieved(1)),
            (A1, 2024, 2, date(2024, 12, 10), achieved(2)),
            (A1, 2024, 3, date(2025, 3, 10), achieved(3)),
            (A1, 2025, 1, date(2025, 7, 10), achieved(3)),
            (A1, 2025, 2, date(2025, 12, 10), achieved(4)),
            (A1, 2025, 3, date(2026, 3, 10), achieved(6)),
            (A2, 2024, 1, date(2024, 7, 10), achieved(2)),
            (A2, 2024, 2, date(2024, 12, 10), achieved(2)),
            (A2, 2024, 3, date(2025, 3, 10), achieved(2)),
            (A2, 2025, 1, date(2025, 7, 10), achieved(1)),
            (A2, 2025, 2, date(2025, 12, 10), achieved(1)),
            (A3, 2024, 1, date(2024, 9, 30), achieved(4)),
            (A3, 2024, 2, date(2025, 3, 10), achieved(5)),
            (A3, 2025, 1, date(2025, 9, 30), achieved(6)),
            (A3, 2025, 2, date(2026, 3, 10), achieved(8)),
            (A4, 2024, 3, date(2025, 3, 10), achieved(0)),
            (A5, 2024, 3, date(2025, 3, 10), achieved(5)),
            (A5, 2025, 3, date(2026, 3, 10), achieved(8)),
            (A6, 2024, 3, date(2025, 3, 10), achieved(7)),
            (A6, 2025, 3, date(2026, 3, 10), achieved(2)),
            (A7, 2025, 3, date(2026, 3, 10), achieved(3)),
            (B1, 2024, 3, date(2025, 3, 10), achieved(1)),
            (B1, 2025, 3, date(2026, 3, 10), achieved(1)),
            (B2, 2025, 3, date(2026, 3, 10), achieved(0)),
            (B3, 2024, 1, date(2024, 7, 10), achieved(8)),
        ]
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    raw = RawRows(tmp_path_factory.mktemp("selection") / "shirube.duckdb")
    load(raw)
    build_and_open(raw, build_date=date(2026, 3, 20)).close()
    return raw.db_path


@pytest.fixture(scope="module")
def cursor(warehouse):
    from pipelines.warehouse import current_snapshot, open_snapshot

    con = open_snapshot(current_snapshot(warehouse)[1])
    yield con.cursor()
    con.close()


def _school_years(cursor, schools_sql: str) -> list[tuple]:
    """(benchmarks_achieved, all_achieved) of the selected schools' effective returns in YEAR."""
    return rows(
        cursor,
        "select benchmarks_achieved, all_achieved from marts.school_year_summary "
        f"where academic_year = ? and school_code in ({schools_sql})",
        [YEAR],
    )


# --- overview --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SELECTIONS)
def test_overview_headline_and_bars_are_the_selected_schools_figures(cursor, name):
    choices, schools_sql = SELECTIONS[name]
    summary = q_areas.selection_summary(cursor, EVERYTHING, year=YEAR, **choices)
    mine = summary.row(-1, named=True)
    registered = rows(cursor, f"select count(*) from ({schools_sql})")[0][0]
    years = _school_years(cursor, schools_sql)
    assert mine["schools_registered"] == registered
    assert mine["schools_reporting"] == len(years)
    assert mine["avg_benchmarks_achieved"] == pytest.approx(sum(a for a, _ in years) / len(years))
    assert mine["pct_all_achieved"] == pytest.approx(100 * sum(x for _, x in years) / len(years))
    # The response figure is returned this term, the returns page's list (marts.return_status).
    listed = q_schools.return_status(cursor, EVERYTHING, year=YEAR, **choices)
    returned = rows(
        cursor,
        "select count(*) filter (where has_return), count(*) from marts.return_status "
        f"where academic_year = ? and is_due and school_code in ({schools_sql})",
        [YEAR],
    )[0]
    assert mine["schools_returned_this_term"] == returned[0] == int(listed["has_return"].sum())
    assert mine["schools_registered"] == returned[1] == listed.height
    assert mine["pct_returned_this_term"] == pytest.approx(100 * returned[0] / returned[1])
    assert mine["due_term"] == 3
    bars = q_areas.selection_benchmarks(cursor, EVERYTHING, year=YEAR, **choices)
    expected = rows(
        cursor,
        "select benchmark_id, count(*), 100.0 * count(*) filter (where fully_achieved) / count(*) "
        "from marts.school_year_benchmark "
        f"where academic_year = ? and school_code in ({schools_sql}) group by 1 order by 1",
        [YEAR],
    )
    assert list(bars.select("benchmark_id", "schools_reporting").iter_rows()) == [
        r[:2] for r in expected
    ]
    assert bars["pct_fully_achieved"].to_list() == pytest.approx([r[2] for r in expected])
    if name in MART_AREAS:
        mart = rows(
            cursor,
            "select schools_registered, schools_reporting, avg_benchmarks_achieved "
            "from marts.area_year_summary where area_level = ? and area_code = ? "
            "and academic_year = ?",
            [*MART_AREAS[name], YEAR],
        )[0]
        assert (mine["schools_registered"], mine["schools_reporting"]) == mart[:2]
        assert mine["avg_benchmarks_achieved"] == pytest.approx(mart[2])


# --- compare ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SELECTIONS)
def test_compare_spread_of_benchmarks_achieved_is_the_selections_not_the_nations(cursor, name):
    choices, schools_sql = SELECTIONS[name]
    spread = q_areas.selection_distribution(cursor, EVERYTHING, year=YEAR, **choices)
    counted = {a: n for a, n in spread.select("benchmarks_achieved", "schools").iter_rows() if n}
    expected: dict[int, int] = {}
    for benchmarks_achieved, _ in _school_years(cursor, schools_sql):
        expected[benchmarks_achieved] = expected.get(benchmarks_achieved, 0) + 1
    assert counted == expected
    national = rows(
        cursor, "select count(*) from marts.school_year_summary where academic_year = ?", [YEAR]
    )
    assert sum(counted.values()) < national[0][0]


def test_compare_spread_of_a_hub_is_its_achieved_distribution_mart(cursor):
    spread = q_areas.selection_distribution(cursor, EVERYTHING, year=YEAR, hub="H1")
    mart = rows(
        cursor,
        "select benchmarks_achieved, schools from marts.achieved_distribution "
        "where area_level = 'hub' and area_code = 'H1' and academic_year = ? order by 1",
        [YEAR],
    )
    assert list(spread.select("benchmarks_achieved", "schools").iter_rows()) == mart


# --- district --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SELECTIONS)
def test_district_trend_is_the_selections_by_year(cursor, name):
    choices, schools_sql = SELECTIONS[name]
    trend = q_areas.selection_trend(cursor, EVERYTHING, **choices).filter(benchmark_id="ALL")
    for year, reporting, mean in trend.select(
        "academic_year", "schools_reporting", "mean_score"
    ).iter_rows():
        expected = rows(
            cursor,
            "select count(*), avg(benchmarks_achieved) from marts.school_year_summary "
            f"where academic_year = ? and school_code in ({schools_sql})",
            [year],
        )[0]
        assert (reporting, mean) == (expected[0], pytest.approx(expected[1]))
    assert trend["academic_year"].to_list() == [2024, 2025]
    if name in MART_AREAS:
        mart = rows(
            cursor,
            "select academic_year, schools_reporting, mean_score, pct_fully_achieved "
            "from marts.trend where area_level = ? and area_code = ? order by benchmark_id, 1",
            list(MART_AREAS[name]),
        )
        mine = q_areas.selection_trend(cursor, EVERYTHING, **choices)
        assert len(mine) == len(mart)
        assert mine.select(
            "academic_year", "schools_reporting", "mean_score", "pct_fully_achieved"
        ).rows() == [(y, n, pytest.approx(m), pytest.approx(p)) for y, n, m, p in mart]


# --- returns ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SELECTIONS)
def test_returns_list_is_each_selected_school_at_its_own_term(cursor, name):
    choices, schools_sql = SELECTIONS[name]
    listed = q_schools.return_status(cursor, EVERYTHING, year=YEAR, **choices)
    mart = rows(
        cursor,
        "select school_code, term, has_return from marts.return_status "
        f"where academic_year = ? and is_due and school_code in ({schools_sql}) order by 1",
        [YEAR],
    )
    assert sorted(listed.select("school_code", "term", "has_return").iter_rows()) == mart


def test_returns_of_the_hub_count_a_semester_school_at_term_2_and_a_missed_term_3(cursor):
    listed = q_schools.return_status(cursor, EVERYTHING, year=YEAR, hub="H1")
    got = {r["school_code"]: (r["term"], r["has_return"]) for r in listed.iter_rows(named=True)}
    assert got == {
        A1: (3, True),
        A2: (3, False),  # returned terms 1 and 2 only: not returned this term
        A3: (2, True),  # 前期/後期: its term 2 is this term
        A4: (3, False),
        A5: (3, True),
    }
    assert set(listed["latest_term"]) == {3}


def test_every_school_not_returned_this_term_is_on_the_needs_support_list(cursor):
    listed = q_schools.return_status(cursor, EVERYTHING, year=YEAR)
    missing = set(listed.filter(has_return=False)["school_code"])
    assert missing == {A2, A4, B3}
    flagged = q_schools.flagged_schools(cursor, EVERYTHING, year=YEAR)
    no_return = {
        s
        for s, kinds in flagged.select("school_code", "flag_kinds").iter_rows()
        if "no_return" in kinds
    }
    assert no_return == missing


def test_school_tables_name_a_hub_given_only_by_its_code(cursor):
    listed = q_schools.return_status(cursor, EVERYTHING, year=YEAR, hub="H2")
    assert set(listed["hub_name"]) == {"H2"}
    assert set(listed["municipality_name"]) == {"14100"}


def test_a_hub_coordinator_with_no_filter_sees_their_hub_named_and_counted(cursor):
    coordinator = Scope.areas("hub", ("H1",))
    mine = q_areas.selection_summary(cursor, coordinator, year=YEAR).row(-1, named=True)
    spread = q_areas.selection_distribution(cursor, coordinator, year=YEAR)
    trend = q_areas.selection_trend(cursor, coordinator).filter(benchmark_id="ALL")
    assert mine["schools_registered"] == 5
    assert spread["schools"].sum() == mine["schools_reporting"] == 4
    assert set(trend["area_code"]) == {"H1"}


# --- the pages, through Streamlit ------------------------------------------------------------


@pytest.fixture
def app(warehouse, monkeypatch):
    return page_app(warehouse, monkeypatch)


def _open(app: AppTest, page: str, **query: str) -> AppTest:
    open_page(app, page, **query)
    assert not app.exception
    return app


def _figures(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def _metric(app: AppTest, key: str) -> str:
    return next(m.value for m in app.metric if m.label == t(f"dashboard.{key}", "ja"))


def test_compare_page_with_a_hub_charts_the_hubs_spread_under_its_name(app, cursor):
    _open(app, "views/compare.py", year=str(YEAR), hub="H1", view="ranking")
    spread = next(f for f in _figures(app) if "湾岸ハブ" in f["layout"]["title"]["text"])
    reporting = len(_school_years(cursor, SELECTIONS["hub"][1]))
    assert sum(spread["data"][0]["y"]) == reporting == 4


# The Table view's summary columns, left to right after the area's name.
TABLE_SUMMARY = (
    "metric_registered",
    "metric_reporting",
    "metric_response_rate",
    "metric_avg_achieved_short",
    "metric_pct_all_short",
)


@pytest.mark.parametrize("measure", ["pct_fully_achieved", "mean_score"])
@pytest.mark.parametrize("level", ["hub", "municipality"])
def test_compare_table_gives_each_areas_measure_per_benchmark_from_the_mart_one_format_a_column(
    app, cursor, level, measure
):
    """The Table view's B1-B8 columns: the heatmap's measure of each area (H1, H2; 13101,
    13102, 14100) from marts.area_year_benchmark, as the caption names it; each column's
    numbers in one format (95.0% beside 100.0%, not 95 beside 100)."""
    _open(app, "views/compare.py", year=str(YEAR), compare=level, view="table", heat=measure)
    table = next(df.value for df in app.dataframe)
    area = t("dashboard.col_area", "ja")
    mart = rows(
        cursor,
        f"select a.area_name_ja, x.benchmark_id, x.{measure} "
        "from marts.area_year_benchmark x join marts.dim_area a using (area_level, area_code) "
        "where x.area_level = ? and x.academic_year = ?",
        [level, YEAR],
    )
    ids = [f"B{i}" for i in range(1, 9)]
    shown = {
        (name, b): value
        for name, *values in table[[area, *ids]].itertuples(index=False)
        for b, value in zip(ids, values, strict=True)
    }
    assert len(mart) == len(shown) >= 2 * 8
    # Shown to one decimal, halves to even as every figure of the dashboard (86.25 -> 86.2).
    assert {(name, b): round(value, 1) for name, b, value in mart} == shown
    named = t(f"dashboard.heat_{measure}", "ja")
    caption = t("dashboard.compare_table_benchmarks", "ja", first="B1", last="B8", measure=named)
    assert caption in [c.value for c in app.caption]
    # Every number of a column in one format, a share with its % (the header may not say so).
    formats = {
        name: config.get("type_config", {}).get("format")
        for name, config in json.loads(app.dataframe[0].proto.columns).items()
    }
    share = "%.1f%%" if measure == "pct_fully_achieved" else "%.1f"
    assert [formats[b] for b in ids] == [share] * 8
    assert [formats.get(t(f"dashboard.{key}", "ja")) for key in TABLE_SUMMARY] == [
        None,
        None,
        "%.1f%%",
        "%.2f",
        "%.1f%%",
    ]


def test_compare_table_downloads_name_measure_and_unit_in_each_header_with_the_marts_figures(
    app, cursor, monkeypatch
):
    """The Table view's CSV and Excel downloads travel without the page's caption, so each
    benchmark column's header names the measure, a share's header its %, and each hub's code
    stands beside its name; the figures are marts.area_year_benchmark's for that year."""
    from dashboard import tables

    sent = []
    original = tables.downloads

    def passed_on(table, **kwargs):
        sent.append((table, kwargs))
        return original(table, **kwargs)

    monkeypatch.setattr(tables, "downloads", passed_on)
    _open(app, "views/compare.py", year=str(YEAR), compare="hub", view="table", heat="mean_score")
    ((table, kwargs),) = sent
    assert kwargs["stem"] == f"compare_hub_{YEAR}_mean_score"
    buttons = {b.proto.id.rsplit("-", 1)[-1] for b in app.get("download_button")}
    assert {"compare_table_csv", "compare_table_xlsx"} <= buttons
    named = t("dashboard.heat_mean_score", "ja")
    headers = [
        t("dashboard.compare_export_benchmark", "ja", benchmark=f"B{i}", measure=named)
        for i in range(1, 9)
    ]
    assert table.columns[-8:] == headers == [f"B{i} 平均得点" for i in range(1, 9)]
    for key in ("metric_response_rate", "metric_pct_all_short"):
        label = t(f"dashboard.{key}", "ja")
        assert f"{label}(%)" in table.columns and label not in table.columns
    code = t("dashboard.col_area_code", "ja")
    exported = {
        (row[code], header.split()[0]): row[header]
        for row in table.iter_rows(named=True)
        for header in headers
    }
    mart = rows(
        cursor,
        "select area_code, benchmark_id, mean_score from marts.area_year_benchmark "
        "where area_level = 'hub' and academic_year = ?",
        [YEAR],
    )
    assert {c for c, _ in exported} == {"H1", "H2"}
    assert exported == {(c, b): round(v, 1) for c, b, v in mart}


def test_district_page_with_a_hub_names_the_hub_and_draws_its_trend(app):
    _open(app, "views/district.py", hub="H1")
    assert t("dashboard.district_caption", "ja", area=md("湾岸ハブ")) in [
        c.value for c in app.caption
    ]
    lines = _figures(app)[0]["data"]
    assert lines[0]["name"] == "湾岸ハブ"
    assert "全国" in [line["name"] for line in lines]


def test_overview_and_returns_pages_give_the_hub_the_same_returned_this_term(app):
    _open(app, "views/overview.py", year=str(YEAR), hub="H1")
    assert _metric(app, "metric_returned_this_term") == "60.0%"  # 3 of 5
    _open(app, "views/quality.py", year=str(YEAR), hub="H1")
    assert _metric(app, "returns_done") == "3校"
    assert _metric(app, "returns_missing") == "2校"
