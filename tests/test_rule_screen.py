"""polars tells a clean batch from one with a broken row exactly as DuckDB does.

rule_screen gives polars the rules whose SQL it reads like DuckDB (column tests, comparisons,
AND / OR / NOT) and leaves the rest to DuckDB. Here real files (UTF-8 and CP932, Japanese
headers, values that break the rules) are read and typed by the real reader, and each rule
polars reads is evaluated by both engines on every row: the same rows must break it.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest
from test_ingest_support import ELEMENTARY, HIGH_SCHOOL, JUNIOR_HIGH, csv_bytes

from pipelines.codes import make_school_code
from pipelines.ingest import IngestSource
from pipelines.ingest.reading import first_rows, open_chunks
from pipelines.ingest.rule_screen import broken_rows, polars_reads
from pipelines.ingest.staging import typed_frame
from pipelines.ingest.textstream import scan
from pipelines.ingest.validate import rules_for, today_in_japan

UNREGISTERED = make_school_code("C1", "13", "2", 9999)
WRONG_CHECK = JUNIOR_HIGH[:12] + str((int(JUNIOR_HIGH[12]) + 1) % 10)
TOMORROW = (today_in_japan() + dt.timedelta(days=1)).isoformat()

ACTIVITIES = [
    ["学校コード", "生徒番号", "学年", "活動種別", "実施日", "時間", "事前学習"],
    [JUNIOR_HIGH, "S1", "2", "workplace_experience", "2025-06-01", "3", "はい"],
    ["", "S2", "2", "workplace_experience", "2025-06-01", "3", ""],  # no school code
    ["XYZ", "S3", "2", "workplace_experience", "2025-06-01", "3", ""],  # no code's form
    [WRONG_CHECK, "S4", "2", "workplace_experience", "2025-06-01", "3", ""],  # check digit
    [UNREGISTERED, "S5", "2", "workplace_experience", "2025-06-01", "3", ""],  # unknown school
    [JUNIOR_HIGH, "", "二年", "workplace_experience", "2025-06-01", "3", ""],  # no ref; grade
    [JUNIOR_HIGH, "S7", "5", "workplace_experience", "2025-06-01", "3", ""],  # grade 5 in a JHS
    [HIGH_SCHOOL, "S8", "1", "宇宙旅行", "2025-02-30", "-2", "たぶん"],  # type, date, hours, y/n
    [HIGH_SCHOOL, "S9", "1", "workplace_experience", TOMORROW, "三", ""],  # future; hours
    [ELEMENTARY, "S10", "６", "career_information", "令和7年6月1日", "１．５", "いいえ"],  # fine
]

RETURNS = [
    ["学校コード", "年度", "学期", "提出日", "B1", "B2", "B3"],
    [JUNIOR_HIGH, "令和6年度", "1", "2024-07-01", "80", "90%", "-"],
    [JUNIOR_HIGH, "1999", "4", "2024-07-01", "80", "", ""],  # year out of range; term
    [JUNIOR_HIGH, "来年", "1", "2024-13-01", "百", "120", "-5"],  # year; date; scores
    [HIGH_SCHOOL, "2024", "2", TOMORROW, "-", "-", "-"],  # future; nothing assessed
    [HIGH_SCHOOL, "", "", "", "80", "80", "80"],  # year, term and date missing
    [HIGH_SCHOOL, "2024", "3", "2024-03-01", "80", "80", "80"],  # before its year (DuckDB)
]

ROSTER = [
    ["学校コード", "年度", "生徒番号", "学年"],
    [ELEMENTARY, "2025", "S1", "6"],
    [ELEMENTARY, "R7", "", "7"],  # no ref; grade 7 in an elementary school
    [HIGH_SCHOOL, "2100", "S3", "三"],  # year out of range; grade
    [UNREGISTERED, "", "S4", ""],  # unknown school; no year, no grade
]


def typed(rows: list[list[object]], encoding: str, scope: set[str] | None = None):
    source = IngestSource("f.csv", csv_bytes(rows, encoding))
    parsed = first_rows(open_chunks("f.csv", source.open, scan(source.open), None, 1 << 30))
    known = pl.Series([JUNIOR_HIGH, HIGH_SCHOOL, ELEMENTARY])
    frame = typed_frame(parsed, known_schools=known, scope=scope, lookups={})
    rules = rules_for(parsed, allowed=scope is not None, today=today_in_japan())
    return frame.sort("row_number"), rules


def rows_breaking(frame: pl.DataFrame, condition: str) -> tuple[list[int], list[int]]:
    """The row numbers breaking `condition`, by polars and by DuckDB."""
    by_polars = frame.filter(pl.sql_expr(f"coalesce({condition}, false)"))["row_number"]
    rows = frame.to_arrow()  # noqa: F841 - read by DuckDB by name
    by_duckdb = duckdb.sql(
        f"select row_number from rows where coalesce({condition}, false) order by row_number"
    ).fetchall()
    return by_polars.to_list(), [r[0] for r in by_duckdb]


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
@pytest.mark.parametrize(
    ("rows", "scope", "expected"),
    [
        (
            ACTIVITIES,
            None,
            {
                "required_missing",
                "school_code_format",
                "school_code_check_digit",
                "school_unknown",
                "grade_invalid",
                "grade_out_of_range",
                "activity_type_unknown",
                "date_invalid",
                "date_in_future",
                "hours_invalid",
                "hours_negative",
                "yes_no_invalid",
            },
        ),
        (ACTIVITIES, {JUNIOR_HIGH}, {"school_out_of_scope"}),
        (
            RETURNS,
            None,
            {
                "required_missing",
                "academic_year_invalid",
                "academic_year_out_of_range",
                "term_invalid",
                "date_invalid",
                "date_in_future",
                "score_not_numeric",
                "score_out_of_range",
                "no_benchmark_assessed",
            },
        ),
        (ROSTER, None, {"required_missing", "grade_invalid", "grade_out_of_range"}),
    ],
    ids=["activities", "activities-scoped", "returns", "roster"],
)
def test_polars_and_duckdb_find_the_same_broken_rows(rows, scope, expected, encoding):
    frame, rules = typed(rows, encoding, scope)
    read = [r for r in rules if polars_reads(r.bad, frame.columns)]
    broken = set()
    for rule in read:
        by_polars, by_duckdb = rows_breaking(frame, rule.bad)
        assert by_polars == by_duckdb, rule
        if by_polars:
            broken.add(rule.name)
    assert expected <= broken  # the rows above do break these rules
    # Any error, as the screen asks it: the same rows, and not the first (row 2: well formed).
    any_error = " or ".join(f"coalesce({r.bad}, false)" for r in read if not r.warn)
    by_polars, by_duckdb = rows_breaking(frame, any_error)
    assert by_polars == by_duckdb and 3 in by_polars and 2 not in by_polars


@pytest.mark.parametrize(
    ("condition", "reads"),
    [
        ("f_hours is not null and hours_n is null", True),
        ("coalesce(hours_n < 0, false)", False),  # a function: DuckDB's
        ("activity_day > date '2026-12-06'", True),
        ("year is not null and (year < 2000 or year > 2027)", True),
        ("submitted < make_date(year, 4, 1)", False),
        ("length(f_provider) > 200", False),
        ("substr(municipality5, 1, 2) <> code_prefecture", False),
        ("prefecture_code <> 'X'", False),  # a string literal
        ("grade_n + 1 > grade_max", False),  # arithmetic
        ("missing_column is null", False),  # a name the batch does not have
    ],
)
def test_polars_reads_only_column_tests_comparisons_and_logic(condition, reads):
    columns = ["f_hours", "hours_n", "activity_day", "year", "submitted", "f_provider"]
    columns += ["municipality5", "code_prefecture", "prefecture_code", "grade_n", "grade_max"]
    assert polars_reads(condition, columns) is reads


def test_a_batch_broken_only_by_a_rule_polars_does_not_read_is_told_by_duckdb():
    # Submitted in March 2024 for the academic year 2024 (April 2024 to March 2025): only the
    # rule with make_date finds it, which DuckDB answers.
    asked = []

    def screen(rows: list[list[object]]) -> int:
        frame, rules = typed(rows, "utf-8")

        def count_in_duckdb(condition: str) -> int:
            asked.append(condition)
            rows = frame.to_arrow()  # noqa: F841 - read by DuckDB by name
            return duckdb.sql(f"select count(*) from rows where {condition}").fetchall()[0][0]

        return broken_rows(frame, rules, count_in_duckdb)

    assert screen([RETURNS[0], RETURNS[1], RETURNS[-1]]) == 1
    assert len(asked) == 1 and "make_date" in asked[0]
    assert screen(RETURNS[:2]) == 0
    assert len(asked) == 2  # a clean batch: polars found nothing, DuckDB asked the rest
