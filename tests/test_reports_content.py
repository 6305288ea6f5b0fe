"""Report content: the figures gathered from the snapshot's public marts, and how they display."""

import pytest
from report_fixture import NO_RETURN, make_report_fixture, mart_row, mart_rows, schools, score

from pipelines.i18n import t
from pipelines.reports import suggested_filename
from pipelines.reports.content import gather_report, parse_area
from pipelines.reports.display import show
from pipelines.reports.model import ReportError, Stat
from pipelines.settings import default_framework
from pipelines.warehouse import open_snapshot


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    return make_report_fixture(tmp_path_factory.mktemp("warehouse") / "shirube.duckdb")


def gather(snapshot, area, year=2025, lang="ja"):
    con = open_snapshot(snapshot)
    try:
        return gather_report(con, year=year, area=area, lang=lang)
    finally:
        con.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("national", ("national", "JP")),
        ("region:r4", ("region", "R4")),
        ("prefecture:23", ("prefecture", "23")),
        ("prefecture:1", ("prefecture", "01")),
        ("municipality:23100", ("municipality", "23100")),
        ("municipality:231002", ("municipality", "23100")),  # with the JIS check digit
        ("hub:H-AICHI", ("hub", "H-AICHI")),
    ],
)
def test_area_argument_is_parsed_into_level_and_code(text, expected):
    assert parse_area(text) == expected


@pytest.mark.parametrize("text", ["", "tokyo", "prefecture:", "ward:13101", "municipality:abc"])
def test_malformed_area_argument_is_a_report_error(text):
    with pytest.raises(ReportError) as raised:
        parse_area(text)
    assert raised.value.key == "error_bad_area"


def test_headline_figures_and_changes_equal_the_public_area_summary(snapshot):
    content = gather(snapshot, "prefecture:23")
    version = default_framework().version
    now = mart_row(
        snapshot,
        "public_area_year_summary",
        area_level="prefecture",
        area_code="23",
        academic_year=2025,
        framework_version=version,
    )
    before = mart_row(
        snapshot,
        "public_area_year_summary",
        area_level="prefecture",
        area_code="23",
        academic_year=2024,
        framework_version=version,
    )
    nation = mart_row(
        snapshot,
        "public_area_year_summary",
        area_level="national",
        area_code="JP",
        academic_year=2025,
        framework_version=version,
    )
    by_measure = {row.measure: row for row in content.headline}
    for measure in (
        "schools_registered",
        "schools_reporting",
        "response_rate",
        "avg_benchmarks_achieved",
        "pct_all_achieved",
    ):
        row = by_measure[measure]
        assert row.area == Stat(float(now[measure]))
        assert row.nation == Stat(float(nation[measure]))
        assert row.previous == Stat(float(before[measure]))
    assert by_measure["response_rate"].change.value == pytest.approx(now["change_response_rate"])
    assert by_measure["avg_benchmarks_achieved"].change.value == pytest.approx(
        now["change_avg_benchmarks_achieved"]
    )


def test_headline_figures_follow_the_fixture_scores(snapshot):
    """愛知県 2025 worked out from the scoring rule, by the data contract's definitions."""
    aichi = [s["index"] for s in schools() if s["prefecture_code"] == "23"]
    reporting = [i for i in aichi if i not in NO_RETURN[2025]]
    positions = [b.position for b in default_framework().benchmarks]
    achieved = [sum(score(i, p, 2025) == 100.0 for p in positions) for i in reporting]
    by_measure = {row.measure: row for row in gather(snapshot, "prefecture:23").headline}
    assert by_measure["schools_registered"].area == Stat(7.0)
    assert by_measure["schools_reporting"].area == Stat(float(len(reporting)))
    assert by_measure["response_rate"].area.value == pytest.approx(100.0 * len(reporting) / 7)
    assert by_measure["avg_benchmarks_achieved"].area.value == pytest.approx(
        sum(achieved) / len(achieved)
    )
    all_eight = sum(a == len(positions) for a in achieved)
    assert by_measure["pct_all_achieved"].area.value == pytest.approx(
        100.0 * all_eight / len(reporting)
    )


def test_the_report_states_the_thresholds_its_snapshot_was_built_with(
    snapshot, tmp_path, monkeypatch
):
    built_with = mart_row(snapshot, "build_info")
    assert (built_with["min_schools"], built_with["min_students"]) == (5, 10)  # the defaults
    changed = tmp_path / "settings.toml"
    changed.write_text("[suppression]\nmin_schools = 2\nmin_students = 3\n", encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(changed))  # the settings changed since the build
    content = gather(snapshot, "prefecture:23")
    assert (content.min_schools, content.min_students) == (5, 10)


def test_suppressed_area_carries_no_figure_built_on_returns(snapshot):
    content = gather(snapshot, "prefecture:14")
    by_measure = {row.measure: row for row in content.headline}
    registered = mart_row(
        snapshot,
        "public_area_year_summary",
        area_level="prefecture",
        area_code="14",
        academic_year=2025,
    )["schools_registered"]
    assert by_measure["schools_registered"].area == Stat(float(registered))
    for measure in (
        "schools_reporting",
        "response_rate",
        "avg_benchmarks_achieved",
        "pct_all_achieved",
    ):
        row = by_measure[measure]
        assert row.area == Stat(None, suppressed=True)
        assert row.change == Stat(None, suppressed=True)
    assert all(
        b.pct_fully_achieved.suppressed and b.mean_score.value is None for b in content.benchmarks
    )
    assert all(d.schools.suppressed for d in content.distribution)


def test_benchmark_names_come_from_dim_benchmark_in_the_chosen_language(snapshot):
    dims = mart_rows(snapshot, "dim_benchmark", framework_version=default_framework().version)
    by_id = {d["benchmark_id"]: d for d in dims}
    for lang in ("ja", "en"):
        content = gather(snapshot, "national", lang=lang)
        assert [b.benchmark_id for b in content.benchmarks] == [
            d["benchmark_id"] for d in sorted(dims, key=lambda d: d["position"])
        ]
        assert all(b.name == by_id[b.benchmark_id][f"name_{lang}"] for b in content.benchmarks)


def test_distribution_covers_zero_to_all_benchmarks_and_matches_the_mart(snapshot):
    content = gather(snapshot, "national")
    rows = mart_rows(
        snapshot,
        "public_achieved_distribution",
        area_level="national",
        area_code="JP",
        academic_year=2025,
    )
    expected = {r["benchmarks_achieved"]: r["schools"] for r in rows}
    assert [d.benchmarks_achieved for d in content.distribution] == list(
        range(len(default_framework().benchmarks) + 1)
    )
    for d in content.distribution:
        assert d.schools.value == expected.get(d.benchmarks_achieved, 0)
    assert sum(d.share.value for d in content.distribution) == pytest.approx(100.0)


def test_coverage_rows_are_for_coverage_benchmarks_and_keep_suppression(snapshot):
    content = gather(snapshot, "prefecture:23")
    coverage_ids = {b.id for b in default_framework().benchmarks if b.coverage_benchmark}
    assert {r.benchmark_id for r in content.coverage} == coverage_ids
    # The fixture's schools are junior highs: grade 3 is year of schooling 9 (中3), grade 1 is 7.
    grade3 = [r for r in content.coverage if r.year_of_schooling == 9]
    assert grade3 and all(r.coverage_pct.suppressed for r in grade3)
    grade1 = {r.benchmark_id: r for r in content.coverage if r.year_of_schooling == 7}
    for row in mart_rows(
        snapshot,
        "public_area_coverage",
        area_level="prefecture",
        area_code="23",
        academic_year=2025,
        year_of_schooling=7,
    ):
        if row["benchmark_id"] in coverage_ids:  # the mart also measures B2 and B4
            assert grade1[row["benchmark_id"]].coverage_pct.value == row["coverage_pct"]
    assert all(r.coverage_pct.value is not None for r in grade1.values())


def test_unknown_area_and_year_without_data_are_report_errors(snapshot):
    with pytest.raises(ReportError) as unknown:
        gather(snapshot, "prefecture:47")  # 沖縄県 exists in dim_area but has no schools
    assert unknown.value.key == "error_no_data_for_year"
    with pytest.raises(ReportError) as missing:
        gather(snapshot, "hub:NO-SUCH-HUB")
    assert missing.value.key == "error_unknown_area"
    with pytest.raises(ReportError) as no_year:
        gather(snapshot, "national", year=2019)
    assert no_year.value.key == "error_no_data_for_year"
    assert "2024, 2025" in no_year.value.message("en")


def test_display_rounds_half_up_and_marks_suppressed_and_missing_figures():
    assert show(Stat(12.25), "pct", "ja") == "12.3"  # round() would give 12.2
    assert show(Stat(4.625), "avg", "ja") == "4.63"
    assert show(Stat(1234.0), "count", "en") == "1,234"
    assert show(Stat(-0.04), "pct", "en", signed=True) == "0.0"
    assert show(Stat(0.06), "pct", "en", signed=True) == "+0.1"
    assert show(Stat(None, suppressed=True), "pct", "ja") == t("report.suppressed_mark", "ja")
    assert show(Stat(None), "pct", "en") == t("report.no_data_mark", "en")


def test_suggested_filename_is_safe_for_any_hub_code():
    assert suggested_filename(year=2025, area="prefecture:23", fmt="pdf") == (
        "shirube-report-2025-prefecture-23.pdf"
    )
    assert suggested_filename(year=2025, area="hub:../=X Y", fmt="xlsx") == (
        "shirube-report-2025-hub-X_Y.xlsx"
    )


def test_report_charts_draw_each_benchmark_in_the_dashboards_colour(snapshot):
    from dashboard.charts import benchmark_colour
    from pipelines.reports.charts import coverage_chart

    positions = {b.id: b.position for b in default_framework().benchmarks}
    traces = coverage_chart(gather(snapshot, "prefecture:23")).data
    drawn = {trace.name.split()[0]: trace.marker.color for trace in traces}
    assert set(drawn) == {"B5", "B6", "B7", "B8"}
    assert drawn == {b: benchmark_colour(positions[b]) for b in drawn}
