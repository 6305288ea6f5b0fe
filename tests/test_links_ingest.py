"""Student links (生徒の引継ぎ) through real ingest: recognised in every dress, every bad row
quarantined with a reason in Japanese and English, loops caught against what is loaded."""

from __future__ import annotations

import datetime as dt

import pytest
from test_ingest_reading import write_xlsx
from test_ingest_support import (
    ELEMENTARY,
    HIGH_SCHOOL,
    JUNIOR_HIGH,
    load,
    query,
    register_schools,
    write_csv,
)

from pipelines.codes import make_school_code
from pipelines.ingest.validate import today_in_japan

HEADER_JA = [
    "引継ぎ元学校コード",
    "引継ぎ元生徒番号",
    "引継ぎ先学校コード",
    "引継ぎ先生徒番号",
    "引継ぎ日",
]
HEADER_EN = [
    "from_school_code",
    "from_student_ref",
    "to_school_code",
    "to_student_ref",
    "linked_on",
]
UNREGISTERED = make_school_code("C1", "13", "2", 9999)
TOMORROW = (today_in_japan() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    register_schools(path, tmp_path)
    return path


def links_of(db) -> list[tuple]:
    return query(
        db,
        "select from_school_code, from_student_ref, to_school_code, to_student_ref, "
        "linked_on::varchar from raw.student_links order by file_id, row_number",
    )


def reasons(db, file_id: int) -> list[tuple]:
    return query(
        db,
        "select row_number, rule, reason_ja, reason_en from raw.quarantine "
        "where file_id = ? order by row_number, rule",
        [file_id],
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_links_file_with_japanese_header_loads(db, tmp_path, encoding):
    rows = [HEADER_JA, [ELEMENTARY, "e1", JUNIOR_HIGH, "j1", "令和7年4月1日"]]
    (result,) = load(db, write_csv(tmp_path / "l.csv", rows, encoding))
    assert (result.status, result.kind, result.rows_loaded) == ("loaded", "links", 1)
    assert links_of(db) == [(ELEMENTARY, "e1", JUNIOR_HIGH, "j1", "2025-04-01")]


def test_links_workbook_with_english_header_in_any_order_loads(db, tmp_path):
    header = [
        "Linked_On",
        " TO_STUDENT_REF",
        "to_school_code",
        "from_student_ref",
        "From_School_Code",
    ]
    rows = [header, ["2026/4/1", "h7", HIGH_SCHOOL, "j7", JUNIOR_HIGH]]
    (result,) = load(db, write_xlsx(tmp_path / "l.xlsx", rows, title_rows=2) or tmp_path / "l.xlsx")
    assert (result.status, result.kind, result.rows_quarantined) == ("loaded", "links", 0)
    assert links_of(db) == [(JUNIOR_HIGH, "j7", HIGH_SCHOOL, "h7", "2026-04-01")]


def test_every_bad_link_is_quarantined_with_a_reason_in_both_languages(db, tmp_path):
    rows = [
        HEADER_JA,
        [UNREGISTERED, "x1", JUNIOR_HIGH, "j1", "2025-04-01"],  # unknown from-school
        [ELEMENTARY, "e2", JUNIOR_HIGH, "e2", "2025-04-01"],  # fine: different schools
        [JUNIOR_HIGH, "j3", JUNIOR_HIGH, "j4", "2025-04-01"],  # same school
        [JUNIOR_HIGH, "j5", JUNIOR_HIGH, "j5", "2025-04-01"],  # same student both ends
        [ELEMENTARY, "e6", JUNIOR_HIGH, "j6", "2025-13-45"],  # not a date
        [ELEMENTARY, "e7", JUNIOR_HIGH, "j7", TOMORROW],  # in the future
        [ELEMENTARY, "", JUNIOR_HIGH, "j8", "2025-04-01"],  # from-student missing
    ]
    (result,) = load(db, write_csv(tmp_path / "l.csv", rows))
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (7, 1, 6)
    found = reasons(db, result.file_id)
    assert [(r, rule) for r, rule, *_ in found] == [
        (2, "school_unknown"),
        (4, "link_same_school"),
        (5, "link_same_student"),
        (6, "date_invalid"),
        (7, "date_in_future"),
        (8, "required_missing"),
    ]
    for _, _, ja, en in found:
        assert ja and en and ja != en
    same_school_en = next(en for _, rule, _, en in found if rule == "link_same_school")
    assert "not the same as from" in same_school_en
    assert links_of(db) == [(ELEMENTARY, "e2", JUNIOR_HIGH, "e2", "2025-04-01")]


def test_a_link_closing_a_loop_is_quarantined_against_loaded_links_and_earlier_rows(db, tmp_path):
    first = [
        HEADER_JA,
        [ELEMENTARY, "e1", JUNIOR_HIGH, "j1", "2025-04-01"],
        [JUNIOR_HIGH, "j1", HIGH_SCHOOL, "h1", "2025-04-01"],
    ]
    (loaded,) = load(db, write_csv(tmp_path / "a.csv", first))
    assert loaded.rows_quarantined == 0
    second = [
        HEADER_EN,
        [HIGH_SCHOOL, "h1", ELEMENTARY, "e1", "2025-05-01"],  # h1 -> e1 -> j1 -> h1: loop
        [ELEMENTARY, "e9", JUNIOR_HIGH, "j9", "2025-05-01"],  # fine
        [JUNIOR_HIGH, "j9", ELEMENTARY, "e9", "2025-05-01"],  # loop with the row above
    ]
    (result,) = load(db, write_csv(tmp_path / "b.csv", second))
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    found = reasons(db, result.file_id)
    assert [(r, rule) for r, rule, *_ in found] == [
        (2, "link_closes_loop"),
        (4, "link_closes_loop"),
    ]
    assert "loop" in found[0][3] and "輪" in found[0][2]
    assert f"{ELEMENTARY} e1" in found[0][3]  # names the student the link leads to


def test_a_replaced_link_does_not_make_a_loop_of_history(db, tmp_path):
    """e1 -> j1 is replaced by e2 -> j1 (same to-student); j1 -> e1 then closes no loop, since
    e1 no longer leads to j1. The replaced row stays in the raw history."""
    rows = [HEADER_JA, [ELEMENTARY, "e1", JUNIOR_HIGH, "j1", "2025-04-01"]]
    load(db, write_csv(tmp_path / "a.csv", rows))
    rows = [
        HEADER_JA,
        [ELEMENTARY, "e2", JUNIOR_HIGH, "j1", "2025-04-02"],
        [JUNIOR_HIGH, "j1", ELEMENTARY, "e1", "2025-04-03"],
    ]
    (result,) = load(db, write_csv(tmp_path / "b.csv", rows))
    assert result.rows_quarantined == 0
    assert len(links_of(db)) == 3


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("はい", True),
        ("いいえ", False),
        ("YES", True),
        ("no", False),
        ("○", True),
        ("×", False),
        ("1", True),
        ("０", False),
        ("True", True),
        ("ＦＡＬＳＥ", False),
        ("", None),
    ],
)
def test_prepared_and_reflected_in_every_spelling(db, tmp_path, written, stored):
    header = ["学校コード", "生徒番号", "学年", "活動種別", "実施日", "事前学習", "振り返り"]
    rows = [header, [JUNIOR_HIGH, "s1", "2", "workplace_experience", "2025-07-01", written, "yes"]]
    (result,) = load(db, write_csv(tmp_path / "a.csv", rows, "cp932"))
    assert (result.kind, result.rows_quarantined) == ("activities", 0)
    assert query(db, "select prepared, reflected from raw.activities") == [(stored, True)]


def test_a_bad_prepared_value_is_quarantined_and_old_files_still_load(db, tmp_path):
    header = ["school_code", "student_ref", "grade", "activity_type", "activity_date", "Prepared"]
    rows = [
        header,
        [JUNIOR_HIGH, "s1", "2", "workplace_experience", "2025-07-01", "maybe"],
        [JUNIOR_HIGH, "s2", "2", "workplace_experience", "2025-07-01", "yes"],
    ]
    (result,) = load(db, write_csv(tmp_path / "a.csv", rows))
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    ((row, rule, ja, en),) = reasons(db, result.file_id)
    assert (row, rule) == (2, "yes_no_invalid")
    assert "maybe" in en and "Prepared" in en and "はい" in ja
    old = [header[:5], [JUNIOR_HIGH, "s3", "2", "employer_encounter", "2025-07-02"]]
    (result,) = load(db, write_xlsx(tmp_path / "old.xlsx", old) or tmp_path / "old.xlsx")
    assert result.rows_loaded == 1
    assert query(db, "select student_ref, prepared, reflected from raw.activities order by 1") == [
        ("s2", True, None),
        ("s3", None, None),
    ]
