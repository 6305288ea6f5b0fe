"""Returns: the effective return per school-year, resubmissions, and the school-year measures."""

from datetime import date
from pathlib import Path

import pytest
from build_rows import RawRows, build_and_open, code, rows

from pipelines.reference import __file__ as reference_init

DEFAULT = "asknet-default-2025"
A = code("C1", "13", 1)
B = code("C1", "13", 2)


@pytest.fixture
def raw(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools(
        [(A, "第一中学校", "13101", "H1", "ハブ1"), (B, "第二中学校", "13101", "H1", "ハブ1")]
    )
    yield raw
    raw.close()


def test_effective_return_is_highest_term_then_latest_date_then_last_ingested(raw):
    raw.returns(
        [
            (A, 2025, 1, date(2025, 7, 1), {"B1": 90}),
            (A, 2025, 2, date(2025, 9, 1), {"B1": 50}),
            (A, 2025, 2, date(2025, 10, 1), {"B1": 60}),  # highest term, latest date: effective
            (B, 2025, 2, date(2025, 10, 1), {"B1": 10}),
        ]
    )
    raw.returns([(B, 2025, 2, date(2025, 10, 1), {"B1": 20})])  # same key, later file: wins
    snap = build_and_open(raw)

    assert rows(snap, "select school_code, score from marts.school_year_benchmark order by 1") == [
        (A, 60.0),
        (B, 20.0),
    ]
    assert rows(snap, "select count(*) from marts.school_year_summary") == [(2,)]


def test_resubmitted_return_replaces_earlier_one_and_the_earlier_stays_in_history(raw):
    first = raw.returns([(A, 2025, 1, date(2025, 7, 1), {"B1": 40, "B2": 40})])
    second = raw.returns([(A, 2025, 1, date(2025, 7, 1), {"B1": 100})])
    snap = build_and_open(raw)

    history = rows(
        snap,
        "select file_id, benchmark_id, score, is_effective, is_superseded "
        "from marts.return_history order by file_id, benchmark_id",
    )
    assert history == [
        (first, "B1", 40.0, False, True),
        (first, "B2", 40.0, False, True),
        (second, "B1", 100.0, True, False),
    ]
    # The resubmission's scores only: B2 is no longer reported.
    assert rows(
        snap,
        "select benchmarks_reported, benchmarks_achieved, mean_score "
        "from marts.school_year_summary",
    ) == [(1, 1, 100.0)]


def test_school_year_measures_count_reported_and_fully_achieved_only_at_exactly_100(raw):
    raw.returns([(A, 2025, 1, date(2025, 7, 1), {"B1": 100, "B2": 100, "B3": 99.99, "B4": 0})])
    snap = build_and_open(raw)

    assert rows(
        snap,
        "select benchmark_id, fully_achieved from marts.school_year_benchmark order by 1",
    ) == [("B1", True), ("B2", True), ("B3", False), ("B4", False)]
    assert rows(
        snap,
        "select framework_version, benchmarks_in_framework, benchmarks_reported, "
        "benchmarks_achieved, all_achieved, mean_score from marts.school_year_summary",
    ) == [(DEFAULT, 8, 4, 2, False, pytest.approx((100 + 100 + 99.99 + 0) / 4))]


def test_change_is_against_the_previous_academic_year_of_the_same_school(raw):
    raw.returns(
        [
            (A, 2023, 1, date(2023, 7, 1), {"B1": 100, "B2": 100, "B3": 100}),
            (A, 2024, 1, date(2024, 7, 1), {"B1": 100, "B2": 50, "B3": 30}),
            (A, 2025, 1, date(2025, 7, 1), {"B1": 100, "B2": 100, "B3": 70}),
            (B, 2025, 1, date(2025, 7, 1), {"B1": 100}),  # no previous year: no change
        ]
    )
    snap = build_and_open(raw)

    got = rows(
        snap,
        "select school_code, academic_year, prev_benchmarks_achieved, change_benchmarks_achieved, "
        "prev_mean_score, change_mean_score from marts.school_year_summary order by 1, 2",
    )
    assert got == [
        (A, 2023, None, None, None, None),
        (A, 2024, 3, -2, 100.0, pytest.approx(60.0 - 100.0)),
        (A, 2025, 1, 1, pytest.approx(60.0), pytest.approx(90.0 - 60.0)),
        (B, 2025, None, None, None, None),
    ]


def test_no_change_is_computed_across_framework_versions(tmp_path, monkeypatch):
    default_file = Path(reference_init).parent / "framework_default.toml"
    other = tmp_path / "other.toml"
    other.write_text(
        'version = "other-v1"\n[[benchmark]]\nid = "B1"\nname_ja = "一"\nname_en = "One"\n',
        encoding="utf-8",
    )
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[framework]\nfiles = ["{default_file}", "{other}"]\n', encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools([(A, "第一中学校", "13101", None, None)])
    raw.returns([(A, 2024, 1, date(2024, 7, 1), {"B1": 100})])
    raw.returns([(A, 2025, 1, date(2025, 7, 1), {"B1": 20})], framework="other-v1")
    snap = build_and_open(raw)

    assert rows(
        snap,
        "select academic_year, framework_version, benchmarks_in_framework, all_achieved, "
        "change_benchmarks_achieved, change_mean_score "
        "from marts.school_year_summary order by 1",
    ) == [(2024, DEFAULT, 8, False, None, None), (2025, "other-v1", 1, False, None, None)]


def test_return_status_expects_no_third_term_from_a_school_on_two_semesters(raw):
    raw.returns(
        [
            (A, 2024, 1, date(2024, 7, 1), {"B1": 90}),
            (A, 2024, 3, date(2025, 3, 1), {"B1": 90}),  # A runs three terms
            (B, 2024, 1, date(2024, 9, 30), {"B1": 50}),
            (B, 2024, 2, date(2025, 3, 1), {"B1": 60}),  # B: 前期/後期, never a term 3
            (A, 2025, 1, date(2025, 7, 1), {"B1": 95}),
        ]
    )
    snap = build_and_open(raw)
    got = rows(
        snap,
        "select school_code, academic_year, term, calendar_terms, is_expected, has_return "
        "from marts.return_status where academic_year = 2024 order by 1, 2, 3",
    )
    assert got == [
        (A, 2024, 1, 3, True, True),
        (A, 2024, 2, 3, True, False),  # A missed its term 2: a missing return
        (A, 2024, 3, 3, True, True),
        (B, 2024, 1, 2, True, True),
        (B, 2024, 2, 2, True, True),
        (B, 2024, 3, 2, False, False),  # B has no term 3: not a missing return
    ]
