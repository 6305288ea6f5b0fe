"""Area marts: benchmark and summary measures at every level, distribution, trend, the suppressed
public views, and a school read beside its areas."""

from datetime import date
from pathlib import Path

import pytest
from build_rows import RawRows, build_and_open, code, rows

from pipelines.reference import __file__ as reference_init

DEFAULT = "asknet-default-2025"
A, B, C = code("C1", "13", 1), code("C1", "13", 2), code("C1", "13", 3)
D, E = code("D1", "27", 4), code("D1", "27", 5)
ALL_EIGHT = {f"B{i}": 100 for i in range(1, 9)}


def load_areas(raw: RawRows) -> None:
    raw.schools(
        [
            (A, "A中", "13101", "H1", "ハブ1"),
            (B, "B中", "13101", "H1", "ハブ1"),
            (C, "C中", "13102", "H1", "ハブ1"),
            (D, "D高", "27100", None, None),
            (E, "E高", "27100", None, None),  # registered, never returns
        ]
    )
    raw.returns([(A, 2024, 1, date(2024, 7, 1), {"B1": 100, "B2": 100})])
    raw.returns(
        [
            (A, 2025, 1, date(2025, 7, 1), {"B1": 100, "B2": 80}),  # achieved 1
            (B, 2025, 1, date(2025, 7, 1), {"B1": 50, "B2": 100}),  # achieved 1
            (C, 2025, 1, date(2025, 7, 1), ALL_EIGHT),  # achieved 8, all achieved
            (D, 2025, 1, date(2025, 7, 1), {"B1": 70}),  # achieved 0
        ]
    )


@pytest.fixture
def snap(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_areas(raw)
    return build_and_open(raw)


def test_area_year_benchmark_averages_over_schools_scoring_the_benchmark(snap):
    got = rows(
        snap,
        "select area_level, area_code, benchmark_id, schools_reporting, mean_score, "
        "pct_fully_achieved from marts.area_year_benchmark where academic_year = 2025 "
        "and benchmark_id in ('B1', 'B2') and area_level in ('national', 'prefecture', 'hub') "
        "order by 1, 2, 3",
    )
    assert got == [
        ("hub", "H1", "B1", 3, pytest.approx(250 / 3), pytest.approx(200 / 3)),
        ("hub", "H1", "B2", 3, pytest.approx(280 / 3), pytest.approx(200 / 3)),
        ("national", "JP", "B1", 4, pytest.approx(80.0), pytest.approx(50.0)),
        ("national", "JP", "B2", 3, pytest.approx(280 / 3), pytest.approx(200 / 3)),
        ("prefecture", "13", "B1", 3, pytest.approx(250 / 3), pytest.approx(200 / 3)),
        ("prefecture", "13", "B2", 3, pytest.approx(280 / 3), pytest.approx(200 / 3)),
        ("prefecture", "27", "B1", 1, pytest.approx(70.0), pytest.approx(0.0)),
    ]


def test_area_year_summary_counts_registered_and_reporting_and_all_achieved(snap):
    got = rows(
        snap,
        "select area_level, area_code, academic_year, schools_registered, schools_reporting, "
        "response_rate, avg_benchmarks_achieved, pct_all_achieved "
        "from marts.area_year_summary where area_level in ('national', 'region') "
        "and area_code in ('JP', 'R3', 'R5') order by 1, 2, 3",
    )
    assert got == [
        ("national", "JP", 2024, 5, 1, pytest.approx(20.0), pytest.approx(2.0), 0.0),
        ("national", "JP", 2025, 5, 4, pytest.approx(80.0), pytest.approx(2.5), 25.0),
        ("region", "R3", 2024, 3, 1, pytest.approx(100 / 3), pytest.approx(2.0), 0.0),
        (
            "region",
            "R3",
            2025,
            3,
            3,
            pytest.approx(100.0),
            pytest.approx(10 / 3),
            pytest.approx(100 / 3),
        ),
        ("region", "R5", 2024, 2, 0, 0.0, None, None),  # no school reported: rate 0, no means
        ("region", "R5", 2025, 2, 1, pytest.approx(50.0), pytest.approx(0.0), 0.0),
    ]


def test_area_year_summary_change_is_against_the_previous_year(snap):
    got = rows(
        snap,
        "select prev_avg_benchmarks_achieved, change_avg_benchmarks_achieved, "
        "prev_pct_all_achieved, change_pct_all_achieved, prev_response_rate, "
        "change_response_rate from marts.area_year_summary "
        "where area_level = 'national' and academic_year = 2025",
    )
    assert got == [(2.0, pytest.approx(0.5), 0.0, 25.0, pytest.approx(20.0), pytest.approx(60.0))]


def test_achieved_distribution_counts_reporting_schools_for_every_count_0_to_8(snap):
    got = rows(
        snap,
        "select benchmarks_achieved, schools from marts.achieved_distribution "
        "where area_level = 'national' and academic_year = 2025 order by 1",
    )
    assert got == [(0, 1), (1, 2), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 1)]


def test_school_comparison_reads_each_score_beside_its_areas_and_prefecture_percentile(snap):
    # Read from the marts when asked (no stored per-school copy of the area means).
    from dashboard.queries.schools import school_comparison
    from dashboard.scope import Scope

    columns = ["score", "hub_mean", "municipality_mean", "prefecture_mean", "national_mean"]
    got = [
        school_comparison(snap.cursor(), Scope.everything(), school=school, year=2025)
        .filter(benchmark_id="B1")
        .select(*columns, "prefecture_percentile")
        .row(0)
        for school in (A, B, C, D)
    ]
    assert got == [
        # Prefecture 13 scores 100, 50, 100: the tied 100s beat one of the two others.
        (100.0, pytest.approx(250 / 3), 75.0, pytest.approx(250 / 3), 80.0, 50.0),
        (50.0, pytest.approx(250 / 3), 75.0, pytest.approx(250 / 3), 80.0, 0.0),
        (100.0, pytest.approx(250 / 3), 100.0, pytest.approx(250 / 3), 80.0, 50.0),
        (70.0, None, 70.0, 70.0, 80.0, None),  # no hub; alone in its prefecture
    ]


def test_trend_carries_each_benchmark_and_the_summary_as_all_by_year(snap):
    got = rows(
        snap,
        "select benchmark_id, academic_year, schools_reporting, mean_score, pct_fully_achieved "
        "from marts.trend where area_level = 'national' and benchmark_id in ('ALL', 'B1') "
        "order by 1, 2",
    )
    assert got == [
        ("ALL", 2024, 1, 2.0, 0.0),
        ("ALL", 2025, 4, 2.5, 25.0),
        ("B1", 2024, 1, 100.0, 100.0),
        ("B1", 2025, 4, 80.0, 50.0),
    ]


def test_public_views_hide_figures_on_fewer_schools_than_configured_and_say_so(
    tmp_path, monkeypatch
):
    settings = tmp_path / "settings.toml"
    settings.write_text("[suppression]\nmin_schools = 3\n", encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_areas(raw)
    snap = build_and_open(raw)

    benchmark = rows(
        snap,
        "select benchmark_id, schools_reporting, mean_score, suppressed, suppression_note_en "
        "from marts.public_area_year_benchmark where area_level = 'national' "
        "and academic_year = 2025 and benchmark_id in ('B1', 'B3') order by 1",
    )
    assert benchmark == [
        ("B1", 4, 80.0, False, None),
        ("B3", 1, None, True, "Figures hidden: fewer than 3 schools reporting."),
    ]
    summary = rows(
        snap,
        "select area_code, avg_benchmarks_achieved, pct_all_achieved, "
        "change_avg_benchmarks_achieved, response_rate, suppressed, suppression_note_ja "
        "from marts.public_area_year_summary where academic_year = 2025 "
        "and area_code in ('JP', 'R5') order by 1",
    )
    assert summary == [
        # 2024 had one school nationally: the change against it is hidden too.
        ("JP", 2.5, 25.0, None, 80.0, False, None),
        ("R5", None, None, None, 50.0, True, "回答校が 3 校未満のため、数値を非表示にしています。"),
    ]
    distribution = rows(
        snap,
        "select area_code, sum(schools), bool_and(suppressed) from "
        "marts.public_achieved_distribution where academic_year = 2025 "
        "and area_code in ('JP', 'R5') group by 1 order by 1",
    )
    assert distribution == [("JP", 4, False), ("R5", None, True)]
    trend = rows(
        snap,
        "select mean_score, suppressed from marts.public_trend where area_code = 'R5' "
        "and benchmark_id = 'ALL' and academic_year = 2025",
    )
    assert trend == [(None, True)]


def test_years_answered_against_another_framework_version_are_kept_apart(tmp_path, monkeypatch):
    other = tmp_path / "other.toml"
    other.write_text(
        'version = "other-v1"\n[[benchmark]]\nid = "B1"\nname_ja = "一"\nname_en = "One"\n',
        encoding="utf-8",
    )
    default_file = Path(reference_init).parent / "framework_default.toml"
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[framework]\nfiles = ["{default_file}", "{other}"]\n', encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_areas(raw)
    raw.returns([(E, 2025, 1, date(2025, 7, 1), {"B1": 0})], framework="other-v1")
    snap = build_and_open(raw)

    assert rows(
        snap,
        "select framework_version, schools_reporting, mean_score from marts.area_year_benchmark "
        "where area_level = 'national' and academic_year = 2025 and benchmark_id = 'B1' "
        "order by 1",
    ) == [(DEFAULT, 4, 80.0), ("other-v1", 1, 0.0)]
    assert rows(
        snap,
        "select framework_version, schools_registered, schools_reporting, response_rate "
        "from marts.area_year_summary where area_level = 'national' and academic_year = 2025 "
        "order by 1",
    ) == [(DEFAULT, 5, 4, 80.0), ("other-v1", 5, 1, 20.0)]
