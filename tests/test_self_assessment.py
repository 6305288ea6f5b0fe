"""The browser self-assessment's pipeline side: drafts kept in the warehouse, a preview by the
contract's rule, and a submit that is a criteria-answer file through the real ingest, so a return
made in the browser is indistinguishable in the marts from the same answers sent as a file."""

from __future__ import annotations

from datetime import date

import pytest
from criteria_support import all_met, build_and_read, criteria_rows, send_criteria
from test_ingest_support import JUNIOR_HIGH, query, register_schools

from pipelines.sample.dress import fullwidth_id
from pipelines.self_assessment import (
    load_draft,
    preview,
    save_draft_answer,
    submit_self_assessment,
)
from pipelines.warehouse import archive_dir

ANSWERS = [*all_met("B1"), ("B2-1", "85"), ("B2-2", "いいえ"), ("B2-3", "取組中"), ("B3-1", "40")]
DAY = date(2025, 12, 1)


def fill(db, answers, user="lead@school.jp", term=2):
    for criterion_id, answer in answers:
        save_draft_answer(
            db,
            school=JUNIOR_HIGH,
            year=2025,
            term=term,
            criterion_id=criterion_id,
            answer=answer,
            user=user,
        )


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    register_schools(path, tmp_path)
    return path


def test_a_draft_is_kept_in_the_warehouse_and_the_latest_answer_counts(db):
    fill(db, [("B1-1", "いいえ"), ("B1-2", "はい")])
    fill(db, [("B1-1", "はい"), ("B1-2", None)])  # changed, then cleared
    # A new session reads the same draft: nothing lives in the browser.
    assert load_draft(db, school=JUNIOR_HIGH, year=2025, term=2) == {"B1-1": "はい"}
    assert load_draft(db, school=JUNIOR_HIGH, year=2025, term=3) == {}


def test_a_partly_answered_benchmark_previews_as_not_assessed_with_what_is_missing():
    shown = {p.benchmark_id: p for p in preview(dict(ANSWERS))}
    assert shown["B1"].score == 100.0 and shown["B1"].missing == ()
    assert shown["B2"].score == pytest.approx((85 + 0 + 50) / 3)
    assert shown["B3"].score is None and shown["B3"].missing == ("B3-2", "B3-3")
    assert shown["B8"].missing == ("B8-1", "B8-2", "B8-3")


def test_submit_sends_the_draft_through_ingest_archived_and_logged(db):
    fill(db, ANSWERS)
    result = submit_self_assessment(
        db, school=JUNIOR_HIGH, year=2025, term=2, user="lead@school.jp", submitted_on=DAY
    )
    assert (result.status, result.kind, result.rows_loaded) == ("loaded", "criteria", len(ANSWERS))
    ((name, source, archive, by),) = query(
        db,
        "select original_name, source_path, archive_path, ingested_by from raw.ingest_log "
        "where file_id = ?",
        [result.file_id],
    )
    assert source == f"questionnaire:{name}" and by == "lead@school.jp"
    archived = (archive_dir(db) / archive).read_bytes().decode("utf-8-sig")
    assert archived.startswith("学校コード,年度,学期,提出日,観点,回答,フレームワーク")
    con = build_and_read(db)
    scores = dict(
        con.execute("select benchmark_id, score from marts.school_year_benchmark").fetchall()
    )
    assert scores == {"B1": 100.0, "B2": pytest.approx(45.0)}


def test_a_school_cannot_submit_for_another_school(db):
    fill(db, [("B1-1", "はい")])
    result = submit_self_assessment(
        db,
        school=JUNIOR_HIGH,
        year=2025,
        term=2,
        user="x@y.jp",
        submitted_on=DAY,
        allowed_schools={"C113200009999"},
    )
    assert result.rows_quarantined == 1 and result.rows_loaded == 0


MART_QUERIES = {
    "school_year_benchmark": "select * from marts.school_year_benchmark",
    "school_year_summary": "select * from marts.school_year_summary",
    "school_year_criterion": "select * exclude (file_id) from marts.school_year_criterion",
    "area_year_criterion": "select * from marts.area_year_criterion",
    "area_year_benchmark": "select * from marts.area_year_benchmark",
    "return_history": "select * exclude (file_id, row_number) from marts.return_history",
}


def marts_of(con) -> dict[str, list]:
    return {
        name: sorted(con.execute(sql).fetchall(), key=str) for name, sql in MART_QUERIES.items()
    }


def test_a_return_made_in_the_browser_is_indistinguishable_in_the_marts_from_a_file(tmp_path):
    browser_db, file_db = tmp_path / "browser" / "w.duckdb", tmp_path / "file" / "w.duckdb"
    for path in (browser_db, file_db):
        path.parent.mkdir()
        register_schools(path, path.parent)
    fill(browser_db, ANSWERS)
    submit_self_assessment(
        browser_db, school=JUNIOR_HIGH, year=2025, term=2, user="lead@school.jp", submitted_on=DAY
    )
    # The same answers as a school would send them: CP932, full-width ids, other spellings.
    spelled = {"はい": "○", "いいえ": "×", "達成": "achieved", "取組中": "in progress"}
    as_sent = [(fullwidth_id(c), spelled.get(a, a + "%")) for c, a in ANSWERS]
    send_criteria(
        file_db,
        file_db.parent / "c.csv",
        criteria_rows(JUNIOR_HIGH, "令和7年度", "2学期", "2025/12/1", as_sent),
        "cp932",
    )
    browser, sent = marts_of(build_and_read(browser_db)), marts_of(build_and_read(file_db))
    assert browser["school_year_benchmark"]  # not vacuous
    assert browser == sent
