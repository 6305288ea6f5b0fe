"""Fixture rows for the build tests: raw.* rows written straight into a real writer DuckDB file.

Tests state their input rows with these helpers and their expected rows by hand; nothing here
computes a mart figure.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from pipelines.build import build_warehouse
from pipelines.codes import make_school_code
from pipelines.warehouse import connect_writer, current_snapshot, open_snapshot

BUILD_DATE = date(2026, 3, 1)


def code(type_code: str, prefecture: str, number: int) -> str:
    """A valid school code: type ("C1"), prefecture ("13"), public, school number."""
    return make_school_code(type_code, prefecture, "2", number)


class RawRows:
    """Append raw rows the way ingest would: each call is one file with its own file_id."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.con: duckdb.DuckDBPyConnection = connect_writer(db_path)
        self.file_id = 0

    def _next_file(self, kind: str) -> int:
        self.file_id += 1
        self.con.execute(
            "insert into raw.ingest_log values (?, ?, ?, ?, ?, ?, 'loaded', 0, 0, 0, null, null, "
            "now()::timestamp, now()::timestamp, 'test')",
            [self.file_id, f"sha{self.file_id}", f"{kind}{self.file_id}.csv", None, None, kind],
        )
        return self.file_id

    def schools(self, rows: list[tuple]) -> int:
        """rows: (school_code, school_name, municipality_code, hub_code, hub_name[, enrolment])."""
        file_id = self._next_file("schools")
        for number, row in enumerate(rows, start=2):
            code_, name, municipality, hub, hub_name, *rest = row
            enrolment = rest[0] if rest else None
            self.con.execute(
                "insert into raw.schools values (?, ?, ?, ?, ?, null, ?, ?, ?)",
                [file_id, number, code_, name, municipality, hub, hub_name, enrolment],
            )
        return file_id

    def returns(self, rows: list[tuple], framework: str = "asknet-default-2025") -> int:
        """rows: (school_code, academic_year, term, submitted_on, {benchmark_id: score})."""
        file_id = self._next_file("returns")
        for number, (school, year, term, submitted_on, scores) in enumerate(rows, start=2):
            self.con.execute(
                "insert into raw.returns values (?, ?, ?, ?, ?, ?, ?)",
                [file_id, number, school, year, term, submitted_on, framework],
            )
            for benchmark_id, score in scores.items():
                self.con.execute(
                    "insert into raw.return_scores values (?, ?, ?, ?)",
                    [file_id, number, benchmark_id, score],
                )
        return file_id

    def roster(self, rows: list[tuple]) -> int:
        """rows: (school_code, academic_year, student_ref, grade)."""
        file_id = self._next_file("roster")
        self.con.executemany(
            "insert into raw.roster values (?, ?, ?, ?, ?, ?)",
            [(file_id, n, *row) for n, row in enumerate(rows, start=2)],
        )
        return file_id

    def activities(self, rows: list[tuple]) -> int:
        """rows: (school_code, student_ref, grade, activity_type, activity_date[, hours])."""
        file_id = self._next_file("activities")
        self.con.executemany(
            "insert into raw.activities values (?, ?, ?, ?, ?, ?, ?, ?, ?, null)",
            [
                (
                    file_id,
                    n,
                    school,
                    student,
                    grade,
                    kind,
                    day,
                    day.year if day.month >= 4 else day.year - 1,
                    hours[0] if hours else None,
                )
                for n, (school, student, grade, kind, day, *hours) in enumerate(rows, start=2)
            ],
        )
        return file_id

    def close(self) -> None:
        self.con.close()


def build_and_open(raw: RawRows, build_date: date = BUILD_DATE) -> duckdb.DuckDBPyConnection:
    """Close the raw writer, build, and open the published snapshot read-only."""
    raw.close()
    build_warehouse(raw.db_path, lang="en", build_date=build_date)
    _version, path = current_snapshot(raw.db_path)
    return open_snapshot(path)


def rows(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> list[tuple]:
    return con.execute(query, params or []).fetchall()
