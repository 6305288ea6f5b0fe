"""Student coverage: rostered students reached by activities counting toward each benchmark."""

from datetime import date

import duckdb
import pytest
from build_rows import RawRows, build_and_open, code, rows

A, B = code("C1", "13", 1), code("C1", "13", 2)


def load_coverage(raw: RawRows) -> None:
    raw.schools([(A, "A中", "13101", None, None), (B, "B中", "13101", None, None)])
    raw.roster(
        [
            (A, 2025, "s1", 1),
            (A, 2025, "s2", 1),
            (A, 2025, "s3", 2),
            (B, 2025, "t1", 1),
            (B, 2025, "t2", 1),
            (B, 2025, "t3", 1),
        ]
    )
    raw.roster([(A, 2025, "s3", 3)])  # a later roster moves s3 to grade 3
    raw.activities(
        [
            (A, "s1", 1, "employer_encounter", date(2025, 5, 10)),
            (A, "s1", 1, "employer_encounter", date(2025, 6, 10)),  # same student again
            (A, "s2", 1, "workplace_experience", date(2025, 7, 1)),
            (A, "s9", 1, "employer_encounter", date(2025, 5, 10)),  # not on the roster
            (A, "s2", 1, "employer_encounter", date(2026, 4, 10)),  # academic year 2026
            (A, "s3", 2, "guidance_interview", date(2025, 9, 1)),
            (B, "t1", 1, "employer_encounter", date(2025, 5, 1)),
        ]
    )


def test_coverage_counts_distinct_rostered_students_reached_in_the_year(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_coverage(raw)
    snap = build_and_open(raw)

    got = rows(
        snap,
        "select grade, benchmark_id, students_on_roll, students_reached, coverage_pct "
        "from marts.coverage where school_code = ? and benchmark_id in ('B5', 'B6', 'B8') "
        "order by 1, 2",
        [A],
    )
    assert got == [
        (1, "B5", 2, 1, 50.0),
        (1, "B6", 2, 1, 50.0),
        (1, "B8", 2, 0, 0.0),
        (3, "B5", 1, 0, 0.0),
        (3, "B6", 1, 0, 0.0),
        (3, "B8", 1, 1, 100.0),  # the roster's grade, not the activity row's
    ]
    # Every benchmark that activities count toward has a row; B1 and B3 have none.
    assert rows(
        snap, "select distinct benchmark_id, coverage_benchmark from marts.coverage order by 1"
    ) == [("B2", False), ("B4", False), ("B5", True), ("B6", True), ("B7", True), ("B8", True)]


def test_area_coverage_sums_schools_by_year_of_schooling_and_for_all_years(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_coverage(raw)
    snap = build_and_open(raw)

    got = rows(
        snap,
        "select year_of_schooling, schools, students_on_roll, students_reached, coverage_pct "
        "from marts.area_coverage where area_level = 'prefecture' and area_code = '13' "
        "and academic_year = 2025 and benchmark_id = 'B5' order by year_of_schooling nulls last",
    )
    assert got == [  # junior highs: grade 1 is year 7 (中1), grade 3 year 9 (中3)
        (7, 2, 5, 2, pytest.approx(40.0)),
        (9, 1, 1, 0, 0.0),
        (None, 2, 6, 2, pytest.approx(100 * 2 / 6)),
    ]


def test_public_area_coverage_hides_small_groups_of_students_or_schools(tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text("[suppression]\nmin_schools = 2\nmin_students = 5\n", encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_coverage(raw)
    snap = build_and_open(raw)

    got = rows(
        snap,
        "select year_of_schooling, students_on_roll, students_reached, coverage_pct, suppressed, "
        "suppression_note_en from marts.public_area_coverage where area_level = 'prefecture' "
        "and benchmark_id = 'B5' order by year_of_schooling nulls last",
    )
    note = "Figures hidden: fewer than 5 students on roll or fewer than 2 schools."
    assert got == [
        (7, 5, 2, pytest.approx(40.0), False, None),
        (9, 1, None, None, True, note),
        (None, 6, 2, pytest.approx(100 * 2 / 6), False, None),
    ]


def test_resubmitted_activity_is_kept_once_with_the_newer_files_values(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools([(A, "A中", "13101", None, None)])
    raw.activities([(A, "s1", 1, "employer_encounter", date(2025, 5, 10), 1.0)])
    second = raw.activities([(A, "s1", 1, "employer_encounter", date(2025, 5, 10), 2.5)])
    build_and_open(raw).close()

    with duckdb.connect(str(raw.db_path), read_only=True) as writer_db:
        kept = writer_db.execute(
            "select file_id, hours from intermediate.int_activities"
        ).fetchall()
    assert kept == [(second, 2.5)]
