"""Criteria-answer files (観点別自己評価): recognised from the header in every dress, ids and
answers normalised per kind, every bad row quarantined with a reason in Japanese and English."""

from __future__ import annotations

import datetime as dt

import pytest
from criteria_support import HEADER_JA, criteria_rows, send_criteria
from test_ingest_reading import write_xlsx
from test_ingest_support import (
    HIGH_SCHOOL,
    JUNIOR_HIGH,
    load,
    quarantine_of,
    query,
    register_schools,
    table_counts,
    write_csv,
)

from pipelines.codes import make_school_code
from pipelines.ingest.validate import today_in_japan
from pipelines.warehouse import archive_dir

UNREGISTERED = make_school_code("C1", "13", "2", 9999)
WRONG_CHECK = JUNIOR_HIGH[:12] + str((int(JUNIOR_HIGH[12]) + 1) % 10)
TOMORROW = (today_in_japan() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    register_schools(path, tmp_path)
    return path


def answers_of(db) -> list[tuple]:
    return query(db, "select criterion_id, answer, score from raw.criterion_answers order by 1")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_criteria_file_is_recognised_from_its_japanese_header(db, tmp_path, encoding):
    rows = criteria_rows(JUNIOR_HIGH, "令和7年度", "2学期", "2025/12/1", [("B1-1", "はい")])
    result = send_criteria(db, tmp_path / "c.csv", rows, encoding)
    assert (result.status, result.kind, result.rows_loaded) == ("loaded", "criteria", 1)


def test_english_header_in_any_order_and_case_is_recognised(db, tmp_path):
    header = [" Answer", "CRITERION", "school_code", "term", "academic_year", "Submitted_On"]
    rows = [header, ["yes", "B1-1", JUNIOR_HIGH, "2", "2025", "2025-12-01"]]
    (result,) = load(db, write_csv(tmp_path / "c.csv", rows))
    assert (result.kind, result.rows_loaded) == ("criteria", 1)
    assert answers_of(db) == [("B1-1", "yes", 100.0)]


def test_kind_can_be_forced(db, tmp_path):
    rows = criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", [("B1-1", "はい")])
    path = write_csv(tmp_path / "c.csv", [HEADER_JA, *rows])
    (refused,) = load(db, path, kind="roster")
    assert refused.status == "rejected"
    (result,) = load(db, path, kind="criteria")
    assert (result.kind, result.status) == ("criteria", "loaded")


def test_criterion_ids_are_normalised_in_any_width_and_case(db, tmp_path):
    rows = criteria_rows(
        JUNIOR_HIGH,
        "2025",
        "2",
        "2025-12-01",
        [("Ｂ１－１", "はい"), ("b1-2", "はい"), (" B1ー3 ", "はい")],
    )
    send_criteria(db, tmp_path / "c.csv", rows)
    assert [r[0] for r in answers_of(db)] == ["B1-1", "B1-2", "B1-3"]


# (criterion, kind, answer as written, score) - the contract's list, per kind.
ANSWERS = [
    ("B1-1", "yes_no", "はい", 100.0),
    ("B1-1", "yes_no", "いいえ", 0.0),
    ("B1-1", "yes_no", "YES", 100.0),
    ("B1-1", "yes_no", "ｎｏ", 0.0),
    ("B1-1", "yes_no", "○", 100.0),
    ("B1-1", "yes_no", "×", 0.0),
    ("B1-1", "yes_no", "1", 100.0),
    ("B1-1", "yes_no", "０", 0.0),
    ("B1-1", "yes_no", "True", 100.0),
    ("B1-1", "yes_no", "FALSE", 0.0),
    ("B1-4", "progress", "未着手", 0.0),
    ("B1-4", "progress", "取組中", 50.0),
    ("B1-4", "progress", "達成", 100.0),
    ("B1-4", "progress", "Not Started", 0.0),
    ("B1-4", "progress", "in progress", 50.0),
    ("B1-4", "progress", "ACHIEVED", 100.0),
    ("B2-1", "share", "85", 85.0),
    ("B2-1", "share", "85%", 85.0),
    ("B2-1", "share", "８５％", 85.0),
    ("B2-1", "share", "85.5", 85.5),
    ("B2-1", "share", "0", 0.0),
]


@pytest.mark.parametrize(("criterion", "kind", "answer", "score"), ANSWERS)
def test_answer_of_each_kind_becomes_its_score(db, tmp_path, criterion, kind, answer, score):
    from pipelines.settings import default_framework

    assert default_framework().criterion(criterion).kind == kind
    rows = criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", [(criterion, answer)])
    result = send_criteria(db, tmp_path / "c.csv", rows)
    assert result.rows_loaded == 1, result.quarantine
    assert answers_of(db)[0][::2] == (criterion, score)


def test_excel_percentage_share_is_multiplied_by_100(db, tmp_path):
    rows = [
        HEADER_JA,
        [JUNIOR_HIGH, "2025", 2, dt.datetime(2025, 12, 1), "B2-1", 0.85],
        [JUNIOR_HIGH, "2025", 2, dt.datetime(2025, 12, 1), "B1-1", "はい"],
    ]
    formats = {(1, 3): {"num_format": "yyyy/mm/dd"}, (1, 5): {"num_format": "0%"}}
    path = write_xlsx(tmp_path / "c.xlsx", rows, title_rows=3, formats=formats)
    (result,) = load(db, path)
    assert (result.kind, result.rows_loaded) == ("criteria", 2)
    assert answers_of(db) == [("B1-1", "はい", 100.0), ("B2-1", "85", 85.0)]


# (column, bad value, rule, words in the Japanese reason, words in the English one)
BAD_ROWS = [
    ("観点", "B9-9", "criterion_unknown", ["B9-9", "asknet-default-2025"], ["not in framework"]),
    ("回答", "たぶん", "answer_invalid", ["B1-1", "はい/いいえ"], ["B1-1", "yes or no"]),
    ("回答", "", "required_missing", ["回答"], ["empty"]),
    ("観点", "", "required_missing", ["観点"], ["empty"]),
    ("学校コード", UNREGISTERED, "school_unknown", ["学校一覧"], ["registry"]),
    ("年度", "来年", "academic_year_invalid", ["令和7年度"], ["cannot be read"]),
    ("学期", "4", "term_invalid", ["前期"], ["1 to 3"]),
    ("提出日", "2025-02-30", "date_invalid", ["存在しない"], ["does not exist"]),
    ("提出日", "2024-12-01", "submitted_before_year", ["2025年度"], ["2025-04-01"]),
    ("提出日", TOMORROW, "date_in_future", ["未来"], ["future"]),
    ("年度", "1990", "academic_year_out_of_range", ["2000"], ["outside"]),
    ("学校コード", "X123", "school_code_format", ["X123", "13桁"], ["13-character"]),
    ("学校コード", WRONG_CHECK, "school_code_check_digit", ["13桁目"], ["should be"]),
]


@pytest.mark.parametrize(("column", "value", "rule", "ja_words", "en_words"), BAD_ROWS)
def test_bad_criteria_row_is_quarantined_with_its_reason(
    db, tmp_path, column, value, rule, ja_words, en_words
):
    good = dict(
        zip(HEADER_JA, [JUNIOR_HIGH, "2025", "2", "2025-12-01", "B1-1", "はい"], strict=True)
    )
    bad = {**good, column: value}
    rows = [HEADER_JA, list(good.values()), list(bad.values())]
    (result,) = load(db, write_csv(tmp_path / "c.csv", rows))
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)
    (row,) = quarantine_of(db, result.file_id)
    assert row[:4] == (3, column, value or None, rule)
    for word in ja_words:
        assert word in row[4]
    for word in en_words:
        assert word in row[5]


@pytest.mark.parametrize(
    ("criterion", "answer", "expected_en"),
    [
        ("B1-4", "はい", "not started, in progress or achieved"),
        ("B2-1", "120", "a share from 0 to 100"),
        ("B2-1", "達成", "a share from 0 to 100"),
    ],
)
def test_answer_that_does_not_fit_its_kind_names_what_fits(
    db, tmp_path, criterion, answer, expected_en
):
    rows = criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", [(criterion, answer)])
    result = send_criteria(db, tmp_path / "c.csv", rows)
    (row,) = quarantine_of(db, result.file_id)
    assert row[3] == "answer_invalid" and expected_en in row[5]


def test_unknown_framework_is_quarantined_not_taken_for_an_unknown_criterion(db, tmp_path):
    rows = [
        [*HEADER_JA, "フレームワーク"],
        [JUNIOR_HIGH, "2025", "2", "2025-12-01", "B1-1", "はい", "v9"],
    ]
    (result,) = load(db, write_csv(tmp_path / "c.csv", rows))
    assert [r[3] for r in quarantine_of(db, result.file_id)] == ["framework_unknown"]


def test_rows_of_other_schools_are_quarantined_for_a_school_uploader(db, tmp_path):
    rows = criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", [("B1-1", "はい")])
    rows += criteria_rows(HIGH_SCHOOL, "2025", "2", "2025-12-01", [("B1-1", "はい")])
    path = write_csv(tmp_path / "c.csv", [HEADER_JA, *rows])
    (result,) = load(db, path, allowed_schools={JUNIOR_HIGH})
    (row,) = quarantine_of(db, result.file_id)
    assert row[:4] == (3, "学校コード", HIGH_SCHOOL, "school_out_of_scope")
    assert HIGH_SCHOOL in row[4] and HIGH_SCHOOL in row[5]


def test_one_return_per_school_year_term_and_date_in_a_file(db, tmp_path):
    rows = criteria_rows(JUNIOR_HIGH, "2025", "1", "2025-07-01", [("B1-1", "はい")])
    rows += criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", [("B1-1", "はい")])
    rows += criteria_rows(JUNIOR_HIGH, "2025", "1", "2025-07-01", [("B1-2", "いいえ")])
    result = send_criteria(db, tmp_path / "c.csv", rows)
    assert query(db, "select row_number, term from raw.returns order by 1") == [(3, 2), (4, 1)]
    assert query(
        db, "select row_number, return_row_number from raw.criterion_answers order by 1"
    ) == [(2, 4), (3, 3), (4, 4)]
    assert result.rows_loaded == 3


def test_same_bytes_twice_change_nothing_and_the_file_is_archived(db, tmp_path):
    rows = criteria_rows(JUNIOR_HIGH, "2025", "2", "2025-12-01", [("B1-1", "はい")])
    first = send_criteria(db, tmp_path / "c.csv", rows)
    before = table_counts(db)
    answers_before = answers_of(db)
    second = send_criteria(db, tmp_path / "c.csv", rows)
    assert second.status == "duplicate"
    after = table_counts(db)
    assert {k: v for k, v in after.items() if k != "ingest_log"} == {
        k: v for k, v in before.items() if k != "ingest_log"
    }
    assert answers_of(db) == answers_before
    sql = "select archive_path from raw.ingest_log where file_id = ?"
    (archive,) = query(db, sql, [first.file_id])[0]
    assert (archive_dir(db) / archive).read_bytes() == (tmp_path / "c.csv").read_bytes()
