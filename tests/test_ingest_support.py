"""Shared helpers for the ingest tests: real files written here, a real DuckDB file in tmp_path."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb

from pipelines.codes import make_school_code
from pipelines.ingest import FileResult, ingest_files

# Real-shaped codes with valid check digits (Tokyo, public), built by the code module.
JUNIOR_HIGH = make_school_code("C1", "13", "2", 101)
HIGH_SCHOOL = make_school_code("D1", "13", "2", 202)
ELEMENTARY = make_school_code("B1", "13", "2", 303)
TOKYO_WARD = "13101"  # 千代田区

RAW_TABLES = (
    "schools",
    "returns",
    "return_scores",
    "activities",
    "roster",
    "quarantine",
    "row_warnings",
    "ingest_log",
)


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    """Rows as CSV text the way Excel writes it (CRLF), in the given encoding."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_bytes(rows, encoding))
    return path


def schools_rows(*codes: str) -> list[list[object]]:
    return [["学校コード", "学校名", "市区町村コード"]] + [
        [code, f"学校{i}", TOKYO_WARD] for i, code in enumerate(codes, start=1)
    ]


def load(db: Path, *sources, **kwargs) -> list[FileResult]:
    return ingest_files(list(sources), db, **kwargs)


def register_schools(db: Path, tmp_path: Path, *codes: str) -> FileResult:
    """Load a schools file naming `codes` (default: the three test schools)."""
    path = write_csv(
        tmp_path / "registry.csv", schools_rows(*(codes or (JUNIOR_HIGH, HIGH_SCHOOL, ELEMENTARY)))
    )
    (result,) = load(db, path)
    assert result.status == "loaded" and result.rows_quarantined == 0, result
    return result


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: con.execute(f"select count(*) from raw.{t}").fetchall()[0][0] for t in RAW_TABLES
        }
    finally:
        con.close()


def quarantine_of(db: Path, file_id: int) -> list[tuple]:
    """(row, column, value, rule, reason_ja, reason_en) of one file, by row and rule."""
    return query(
        db,
        "select row_number, column_name, value, rule, reason_ja, reason_en "
        "from raw.quarantine where file_id = ? order by row_number, rule",
        [file_id],
    )
