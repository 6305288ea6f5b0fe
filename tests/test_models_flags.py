"""Support flags: which schools need support, why, how urgently, in words a coordinator reads."""

from datetime import date

import pytest
from build_rows import RawRows, build_and_open, code, rows

A, B, C, F = (code("C1", "13", n) for n in (1, 2, 3, 6))
D, E = code("C1", "13", 4), code("D1", "27", 5)
BUILD_DATE = date(2026, 3, 1)
LATE = date(2026, 1, 15)  # 45 days before the build date: not stale


def load_flags(raw: RawRows) -> None:
    raw.schools(
        [
            (A, "A中", "13101", "H1", "ハブ1"),
            (B, "B中", "13101", "H1", "ハブ1"),
            (C, "C中", "13101", "H1", "ハブ1"),
            (F, "F中", "13101", "H1", "ハブ1"),
            (D, "D中", "13102", None, None),
            (E, "E高", "27100", None, None),
        ]
    )
    raw.returns(
        [
            (A, 2024, 1, date(2024, 7, 1), {f"B{i}": 100 for i in range(1, 7)}),  # achieved 6
            (B, 2024, 1, date(2024, 7, 1), {"B1": 80}),  # achieved 0
            (C, 2024, 1, date(2024, 7, 1), {"B1": 100}),  # achieved 1
            (D, 2024, 1, date(2024, 7, 1), {"B1": 80}),
            (E, 2024, 1, date(2024, 7, 1), {"B1": 100}),
        ]
    )
    raw.returns(
        [
            # achieved 6 -> 3 and mean 100 -> 85: both falls exactly at their thresholds
            (A, 2025, 1, LATE, {"B1": 100, "B2": 100, "B3": 100, "B4": 70, "B5": 70, "B6": 70}),
            (B, 2025, 1, LATE, {"B1": 100, "B2": 100, "B3": 100, "B4": 100, "B5": 65}),
            (C, 2025, 1, LATE, {f"B{i}": 100 for i in range(1, 6)}),
            # The newest return in the data, on the build date: staleness is counted to it.
            (F, 2025, 1, BUILD_DATE, {f"B{i}": 100 for i in range(1, 9)}),
            (D, 2025, 1, date(2025, 10, 1), {"B1": 65.1}),  # mean falls 14.9: under the threshold
        ]
    )
    raw.roster([(A, 2025, f"s{n}", 2) for n in range(1, 5)])
    raw.activities([(A, "s1", 2, "employer_encounter", date(2025, 6, 1))])  # 1 of 4 reached


@pytest.fixture
def snap(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_flags(raw)
    return build_and_open(raw, build_date=BUILD_DATE)


def test_each_rule_flags_exactly_the_schools_it_should_with_its_severity(snap):
    got = rows(
        snap,
        "select school_code, academic_year, flag, severity, benchmark_id, grade "
        "from marts.support_flags order by all",
    )
    expected = [
        (F, 2024, "no_return", "low", None, None),  # earlier year
        (E, 2025, "no_return", "high", None, None),  # latest year
        # Hub H1 2024: achieved 6, 0, 1 -> mean 2.33; B is 2.33 below it.
        (B, 2024, "below_hub_mean", "medium", None, None),
        # Hub H1 2025: achieved 3, 4, 5, 8 -> mean 5; A is exactly 2 below it.
        (A, 2025, "below_hub_mean", "medium", None, None),
        (A, 2025, "fall_in_achieved", "medium", None, None),
        (A, 2025, "fall_in_mean_score", "medium", None, None),
        (A, 2025, "low_coverage", "medium", "B5", 2),  # 25 %: not under half the threshold
        (A, 2025, "low_coverage", "high", "B6", 2),
        (A, 2025, "low_coverage", "high", "B7", 2),
        (A, 2025, "low_coverage", "high", "B8", 2),
        (D, 2025, "stale_data", "low", None, None),  # 151 days
        (E, 2025, "stale_data", "medium", None, None),  # 608 days: over twice the threshold
    ]
    assert got == sorted(expected, key=lambda r: tuple("" if v is None else str(v) for v in r))


def test_flag_details_give_the_numbers_in_japanese_and_english(snap):
    details = {
        (flag, benchmark): (ja, en)
        for flag, benchmark, ja, en in rows(
            snap,
            "select flag, benchmark_id, detail_ja, detail_en from marts.support_flags "
            "where school_code = ? and academic_year = 2025",
            [A],
        )
    }
    assert details[("fall_in_achieved", None)] == (
        "達成ベンチマーク数が 6 から 3 に減少(前年比 -3)。",
        "Benchmarks achieved fell from 6 to 3 (-3 on last year).",
    )
    assert details[("fall_in_mean_score", None)][1] == (
        "Mean score fell from 100.0 to 85.0 (-15.0 points on last year)."
    )
    assert details[("below_hub_mean", None)][1] == (
        "Benchmarks achieved 3 is 2.0 below the hub mean of 5.0 (threshold: 2)."
    )
    assert details[("low_coverage", "B5")] == (
        "2年生で「企業・働く人との出会い」の活動に参加した生徒は 4 人中 1 人(25.0%)で、"
        "基準の 50% を下回っています。",
        "Year 2: 1 of 4 students (25.0%) were reached for 'Encounters with employers and "
        "employees', under the 50% threshold.",
    )
    assert rows(
        snap,
        "select detail_en from marts.support_flags where school_code = ? and flag = 'stale_data'",
        [E],
    ) == [
        (
            "The latest return was submitted on 2024-07-01, 608 days before the newest data "
            "(2026-03-01; threshold: 120 days).",
        )
    ]
    assert rows(
        snap,
        "select detail_ja from marts.support_flags where school_code = ? and flag = 'no_return'",
        [E],
    ) == [("2025年度の自己評価が提出されていません。",)]


def test_thresholds_come_from_the_settings_file(tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text(
        "[support_flags]\nfall_benchmarks_achieved = 4\nfall_mean_score_points = 10.0\n"
        "coverage_below_pct = 20.0\nstale_after_days = 40\nbelow_hub_mean_benchmarks = 3.0\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_flags(raw)
    snap = build_and_open(raw, build_date=BUILD_DATE)

    got = set(
        rows(
            snap,
            "select school_code, flag from marts.support_flags "
            "where academic_year = 2025 and flag != 'no_return'",
        )
    )
    assert got == {
        (A, "fall_in_mean_score"),  # -15 is now past 10; the fall of 3 is under 4
        (D, "fall_in_mean_score"),  # -14.9 too
        (A, "low_coverage"),  # B6-B8 at 0 % are under 20 %; B5 at 25 % is not
        # 45 days is past 40; F returned on the newest date, so it is not stale
        *((school, "stale_data") for school in (A, B, C, D, E)),
    }
    assert rows(snap, "select count(*) from marts.support_flags where flag = 'low_coverage'") == [
        (3,)
    ]


def test_staleness_is_counted_to_the_newest_return_not_to_a_later_build_date(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_flags(raw)
    # Built a year after the newest return (2026-03-01): D and E are no staler than before,
    # and schools that returned on the newest date are not flagged.
    snap = build_and_open(raw, build_date=date(2027, 3, 1))
    got = rows(
        snap,
        "select school_code, severity from marts.support_flags where flag = 'stale_data' "
        "order by school_code",
    )
    assert got == sorted([(D, "low"), (E, "medium")])


def test_flag_summary_counts_kinds_of_concern_once_and_keeps_the_worst_severity(snap):
    got = rows(
        snap,
        "select severity_rank, flag_kinds_count, flag_kinds, flag_rows from "
        "marts.school_flag_summary where school_code = ? and academic_year = 2025",
        [A],
    )
    # A: below hub mean, two falls (medium) and low coverage for B5-B8 in grade 2 (B6-B8 high).
    assert got == [
        (3, 4, ["below_hub_mean", "fall_in_achieved", "fall_in_mean_score", "low_coverage"], 7)
    ]
    (reasons,) = rows(
        snap,
        "select reasons_en from marts.school_flag_summary "
        "where school_code = ? and academic_year = 2025",
        [A],
    )[0]
    assert reasons.startswith("Year 2: ") and "Benchmarks achieved fell from 6 to 3" in reasons
