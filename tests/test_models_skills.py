"""skills_student_year and skills_area_year per the contract, from raw rows written here."""

from __future__ import annotations

from datetime import date

import pytest
from build_rows import RawRows, build_and_open, code, rows

JUNIOR = code("C1", "13", 1)  # 中学校: grade 2 is year 8
HIGH = code("D1", "13", 2)  # 高等学校: grade 1 is year 10
OTHER_JUNIOR = code("C1", "14", 3)  # another prefecture, no hub
JUNE, FEB = date(2025, 6, 15), date(2026, 2, 10)


@pytest.fixture
def con(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools(
        [
            (JUNIOR, "一中", "13101", "HUB1", "ハブ1"),
            (HIGH, "一高", "13101", "HUB1", "ハブ1"),
            (OTHER_JUNIOR, "横中", "14101", None, None),
        ]
    )
    raw.skills(
        [
            # j1: teacher twice (June 5, February 8), self once (June 9).
            (JUNIOR, "j1", 2, JUNE, "teacher", {"listening": 5, "teamwork": 4}),
            (JUNIOR, "j1", 2, FEB, "teacher", {"listening": 8}),
            (JUNIOR, "j1", 2, JUNE, "self", {"listening": 9}),
            # j2: the June row is resubmitted in a later file (7 wins over 3).
            (JUNIOR, "j2", 2, JUNE, "teacher", {"listening": 3}),
            (HIGH, "h1", 1, JUNE, "teacher", {"listening": 10}),
            (HIGH, "h1", 1, FEB, "teacher", {"listening": 12}),
            (OTHER_JUNIOR, "k1", 3, JUNE, "teacher", {"listening": 2}),
        ]
    )
    raw.skills(
        [
            (JUNIOR, "j2", 2, JUNE, "teacher", {"listening": 6}),
            (JUNIOR, "j2", 2, JUNE, "teacher", {"listening": 7}),  # same file: later row wins
        ]
    )
    connection = build_and_open(raw)
    yield connection
    connection.close()


def student(con, ref, skill="listening", assessor="teacher"):
    return rows(
        con,
        "select assessments, first_step, latest_step, progress, year_of_schooling "
        "from marts.skills_student_year where student_ref = ? and skill_id = ? and assessor = ?",
        [ref, skill, assessor],
    )


def test_first_and_latest_step_and_progress_with_two_dates(con):
    assert student(con, "j1") == [(2, 5, 8, 3, 8)]
    assert student(con, "h1") == [(2, 10, 12, 2, 10)]


def test_progress_is_null_with_one_date(con):
    assert student(con, "j1", "teamwork") == [(1, 4, 4, None, 8)]


def test_self_and_teacher_are_kept_apart(con):
    assert student(con, "j1", assessor="self") == [(1, 9, 9, None, 8)]


def test_same_date_newer_file_then_later_row_wins(con):
    assert student(con, "j2") == [(1, 7, 7, None, 8)]


def area(con, level, area_code, year_of_schooling, assessor="teacher"):
    op = "is not distinct from"
    return rows(
        con,
        "select schools, students_assessed, mean_step, students_with_progress, mean_progress "
        "from marts.skills_area_year where area_level = ? and area_code = ? "
        f"and academic_year = 2025 and year_of_schooling {op} ? and skill_id = 'listening' "
        "and assessor = ?",
        [level, area_code, year_of_schooling, assessor],
    )


def test_area_by_year_of_schooling_across_school_types(con):
    # 中2 = year 8: j1 (8) and j2 (7); 高1 = year 10: h1 (12) only; 中3 = year 9 is Kanagawa.
    assert area(con, "hub", "HUB1", 8) == [(1, 2, 7.5, 1, 3.0)]
    assert area(con, "hub", "HUB1", 10) == [(1, 1, 12.0, 1, 2.0)]
    assert area(con, "hub", "HUB1", 9) == []
    assert area(con, "national", "JP", 9) == [(1, 1, 2.0, 0, None)]


def test_null_year_of_schooling_is_all_years_together(con):
    assert area(con, "prefecture", "13", None) == [(2, 3, (8 + 7 + 12) / 3, 2, 2.5)]
    assert area(con, "national", "JP", None) == [(3, 4, (8 + 7 + 12 + 2) / 4, 2, 2.5)]
    assert area(con, "national", "JP", None, "self") == [(1, 1, 9.0, 0, None)]


def test_school_level_and_the_hub_level_agree_on_one_school(con):
    assert area(con, "school", HIGH, None) == [(1, 1, 12.0, 1, 2.0)]
    assert area(con, "municipality", "14101", None) == [(1, 1, 2.0, 0, None)]


def test_public_view_suppresses_below_min_students(con):
    (public,) = rows(
        con,
        "select suppressed, mean_step, mean_progress, suppression_note_en "
        "from marts.public_skills_area_year where area_level = 'national' "
        "and year_of_schooling is null and skill_id = 'listening' and assessor = 'teacher'",
    )
    assert public[:3] == (True, None, None)  # 4 students < min_students (10)
    assert "10" in public[3]


def test_dim_skill_lists_the_frameworks_eight_skills_with_the_provisional_note(con):
    skills = rows(
        con, "select skill_id, max_step, provisional_ja from marts.dim_skill order by position"
    )
    assert [s[0] for s in skills] == [
        "listening",
        "speaking",
        "problem_solving",
        "creativity",
        "staying_positive",
        "aiming_high",
        "leadership",
        "teamwork",
    ]
    assert {s[1] for s in skills} == {15} and all(s[2] for s in skills)
