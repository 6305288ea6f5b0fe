"""Criteria returns in the marts: the benchmark score is the mean of its criteria, only when every
criterion is answered; a criteria return is a return like any other (effective return,
resubmission); school_year_criterion and area_year_criterion, suppressed below min_schools.

Every figure comes from files written here, ingested and built by the real pipeline.
"""

from __future__ import annotations

import pytest
from criteria_support import all_met, build_and_read, criteria_rows, send_criteria
from test_ingest_support import JUNIOR_HIGH, load, register_schools, write_csv

from pipelines.codes import make_school_code


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    register_schools(path, tmp_path)
    return path


def scores(con, school=JUNIOR_HIGH) -> dict[str, float]:
    return dict(
        con.execute(
            "select benchmark_id, score from marts.school_year_benchmark where school_code = ?",
            [school],
        ).fetchall()
    )


def test_each_kind_of_criterion_turns_into_a_benchmark_score(db, tmp_path):
    # B1: yes_no x3 and progress x1; B2: share, yes_no, progress.
    answers = [
        ("B1-1", "はい"),
        ("B1-2", "いいえ"),
        ("B1-3", "○"),
        ("B1-4", "取組中"),
        ("B2-1", "85%"),
        ("B2-2", "yes"),
        ("B2-3", "達成"),
    ]
    send_criteria(
        db, tmp_path / "c.csv", criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", answers)
    )
    con = build_and_read(db)
    assert scores(con) == {
        "B1": pytest.approx((100 + 0 + 100 + 50) / 4),
        "B2": pytest.approx((85 + 100 + 100) / 3),
    }


def test_benchmark_fully_achieved_exactly_when_every_criterion_is_met(db, tmp_path):
    answers = all_met("B1") + [("B2-1", "99"), ("B2-2", "はい"), ("B2-3", "達成")]
    send_criteria(
        db, tmp_path / "c.csv", criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", answers)
    )
    con = build_and_read(db)
    achieved = con.execute(
        "select benchmark_id, fully_achieved from marts.school_year_benchmark order by 1"
    ).fetchall()
    assert achieved == [("B1", True), ("B2", False)]
    summary = con.execute(
        "select benchmarks_reported, benchmarks_achieved from marts.school_year_summary"
    ).fetchall()
    assert summary == [(2, 1)]


def test_an_unanswered_criterion_leaves_its_benchmark_not_assessed(db, tmp_path):
    answers = all_met("B1")[:-1] + all_met("B3")  # B1-4 unanswered
    send_criteria(
        db, tmp_path / "c.csv", criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", answers)
    )
    con = build_and_read(db)
    assert scores(con) == {"B3": 100.0}
    answered = con.execute(
        "select count(*) from marts.school_year_criterion where benchmark_id = 'B1'"
    ).fetchall()
    assert answered == [(3,)]  # the answers still show, criterion by criterion


def test_a_quarantined_answer_leaves_its_benchmark_not_assessed(db, tmp_path):
    answers = all_met("B3")[:-1] + [(all_met("B3")[-1][0], "たぶん")]
    result = send_criteria(
        db, tmp_path / "c.csv", criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", answers)
    )
    assert result.rows_quarantined == 1
    assert scores(build_and_read(db)) == {}


def test_criterion_answered_twice_in_the_same_return_the_later_row_wins(db, tmp_path):
    answers = [("B1-1", "いいえ"), *all_met("B1")[1:], ("B1-1", "はい")]
    send_criteria(
        db, tmp_path / "c.csv", criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", answers)
    )
    con = build_and_read(db)
    assert scores(con) == {"B1": 100.0}
    assert con.execute(
        "select criterion_score from marts.school_year_criterion where criterion_id = 'B1-1'"
    ).fetchall() == [(100.0,)]


def test_criteria_resubmission_replaces_an_earlier_percentage_return(db, tmp_path):
    percentages = [
        ["学校コード", "年度", "学期", "提出日", "B1", "B2"],
        [JUNIOR_HIGH, "2025", "2", "2025-12-01", "40", "60"],
    ]
    load(db, write_csv(tmp_path / "percent.csv", percentages))
    send_criteria(
        db,
        tmp_path / "c.csv",
        criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", all_met("B1")),
    )
    con = build_and_read(db)
    assert scores(con) == {"B1": 100.0}  # B2 was in the replaced return only
    history = con.execute(
        "select benchmark_id, score, is_superseded from marts.return_history order by file_id, 1"
    ).fetchall()
    assert history == [("B1", 40.0, True), ("B2", 60.0, True), ("B1", 100.0, False)]


def test_later_term_criteria_return_becomes_the_effective_return(db, tmp_path):
    percentages = [
        ["学校コード", "年度", "学期", "提出日", "B1"],
        [JUNIOR_HIGH, "2025", "1", "2025-07-01", "40"],
    ]
    load(db, write_csv(tmp_path / "percent.csv", percentages))
    send_criteria(
        db,
        tmp_path / "c.csv",
        criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", all_met("B2")),
    )
    con = build_and_read(db)
    assert scores(con) == {"B2": 100.0}
    assert con.execute("select term from marts.school_year_summary").fetchall() == [(2,)]


def test_a_percentage_return_has_no_criterion_rows(db, tmp_path):
    percentages = [
        ["学校コード", "年度", "学期", "提出日", "B1"],
        [JUNIOR_HIGH, "2025", "1", "2025-07-01", "40"],
    ]
    load(db, write_csv(tmp_path / "percent.csv", percentages))
    con = build_and_read(db)
    assert con.execute("select count(*) from marts.school_year_criterion").fetchall() == [(0,)]


def test_area_year_criterion_counts_schools_meeting_each_criterion(tmp_path):
    db = tmp_path / "w.duckdb"
    schools = [make_school_code("C1", "13", "2", 500 + i) for i in range(6)]
    register_schools(db, tmp_path, *schools)
    rows = []
    for i, school in enumerate(schools):
        # B1-1 met by the first four of six schools.
        rows += criteria_rows(
            school, "2025", "2", "2025-12-01", [("B1-1", "はい" if i < 4 else "いいえ")]
        )
    rows += criteria_rows(schools[0], "2025", "2", "2025-12-01", [("B1-2", "はい")])
    send_criteria(db, tmp_path / "c.csv", rows)
    con = build_and_read(db)
    national = con.execute(
        "select criterion_id, schools_answering, schools_met, pct_met "
        "from marts.area_year_criterion where area_level = 'national' order by 1"
    ).fetchall()
    assert national == [
        ("B1-1", 6, 4, pytest.approx(100 * 4 / 6)),
        ("B1-2", 1, 1, 100.0),
    ]
    public = con.execute(
        "select criterion_id, pct_met, suppressed, suppression_note_en "
        "from marts.public_area_year_criterion where area_level = 'national' order by 1"
    ).fetchall()
    assert public[0][:3] == ("B1-1", pytest.approx(100 * 4 / 6), False)
    assert public[1][:3] == ("B1-2", None, True) and "fewer than 5" in public[1][3]
