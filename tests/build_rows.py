"""Raw rows for tests, written the way ingest writes them, then the real build.

Every test that reads marts (models, dashboard, reports) states its input as raw.* rows with
these helpers and runs `pipelines.build.build_warehouse` on them, so a test always sees what the
SQL models in sql/ make of those rows. Nothing here computes a mart figure.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from pipelines.build import build_warehouse
from pipelines.codes import make_school_code
from pipelines.warehouse import connect_writer, current_snapshot, open_snapshot

BUILD_DATE = date(2026, 3, 1)
DEFAULT_FRAMEWORK = "asknet-default-2025"


def code(type_code: str, prefecture: str, number: int) -> str:
    """A valid school code: type ("C1"), prefecture ("13"), public, school number."""
    return make_school_code(type_code, prefecture, "2", number)


def academic_year(day: date) -> int:
    """The academic year (April to March) a date falls in."""
    return day.year if day.month >= 4 else day.year - 1


class RawRows:
    """Append raw rows the way ingest would: each call is one file with its own file_id."""

    def __init__(self, db_path: Path) -> None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self.db_path = db_path
        self.con: duckdb.DuckDBPyConnection = connect_writer(db_path)
        (self.file_id,) = self.con.execute(
            "select coalesce(max(file_id), 0) from raw.ingest_log"
        ).fetchone()

    def _next_file(
        self,
        kind: str | None,
        *,
        name: str | None = None,
        status: str = "loaded",
        rows: tuple[int, int, int] = (0, 0, 0),
        reason: tuple[str | None, str | None] = (None, None),
    ) -> int:
        self.file_id += 1
        self.con.execute(
            "insert into raw.ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "now()::timestamp, now()::timestamp, 'test')",
            [
                self.file_id,
                f"sha{self.file_id}",
                name or f"{kind}{self.file_id}.csv",
                None,
                None,
                kind,
                status,
                *rows,
                *reason,
            ],
        )
        return self.file_id

    def _insert(self, table: str, records: list[tuple]) -> None:
        """Many rows at once (executemany is slow in DuckDB: a few hundred rows a second)."""
        if not records:
            return
        columns = [c[0] for c in self.con.execute(f"describe raw.{table}").fetchall()]
        frame = pl.DataFrame(records, schema=columns, orient="row")  # noqa: F841 - read by SQL
        self.con.execute(f"insert into raw.{table} by name select * from frame")

    def schools(self, rows: list[tuple]) -> int:
        """rows: (school_code, school_name, municipality_code, hub_code, hub_name[, enrolment
        [, municipality_name]])."""
        file_id = self._next_file("schools")
        records = []
        for number, row in enumerate(rows, start=2):
            code_, name, municipality, hub, hub_name, *rest = row
            enrolment = rest[0] if rest else None
            municipality_name = rest[1] if len(rest) > 1 else None
            records.append(
                (file_id, number, code_, name, municipality, municipality_name, hub, hub_name)
                + (enrolment,)
            )
        self._insert("schools", records)
        return file_id

    def returns(self, rows: list[tuple], framework: str = DEFAULT_FRAMEWORK) -> int:
        """rows: (school_code, academic_year, term, submitted_on, {benchmark_id: score})."""
        file_id = self._next_file("returns")
        returns, scores = [], []
        for number, (school, year, term, submitted_on, by_benchmark) in enumerate(rows, start=2):
            returns.append((file_id, number, school, year, term, submitted_on, framework))
            scores += [(file_id, number, b, float(s)) for b, s in by_benchmark.items()]
        self._insert("returns", returns)
        self._insert("return_scores", scores)
        return file_id

    def roster(self, rows: list[tuple]) -> int:
        """rows: (school_code, academic_year, student_ref, grade)."""
        file_id = self._next_file("roster")
        self._insert("roster", [(file_id, n, *row) for n, row in enumerate(rows, start=2)])
        return file_id

    def activities(self, rows: list[tuple]) -> int:
        """rows: (school_code, student_ref, grade, activity_type, activity_date[, hours
        [, prepared, reflected]]); prepared/reflected True, False or None (unknown)."""
        file_id = self._next_file("activities")
        records = []
        for n, (school, student, grade, kind, day, *rest) in enumerate(rows, start=2):
            hours = float(rest[0]) if rest and rest[0] is not None else None
            prepared = rest[1] if len(rest) > 1 else None
            reflected = rest[2] if len(rest) > 2 else None
            records.append(
                (file_id, n, school, student, grade, kind, day, academic_year(day), hours, None)
                + (prepared, reflected)
            )
        self._insert("activities", records)
        return file_id

    def links(self, rows: list[tuple]) -> int:
        """rows: (from_school_code, from_student_ref, to_school_code, to_student_ref, linked_on).
        Written as loaded: the loop check is ingest's (test it through real ingest)."""
        file_id = self._next_file("links")
        self._insert("student_links", [(file_id, n, *row) for n, row in enumerate(rows, start=2)])
        return file_id

    def quarantined(self, name: str, kind: str, rows_read: int, bad_rows: list[tuple]) -> int:
        """A file with rows that broke a rule; bad_rows: (row_number, column, value, rule,
        reason_ja, reason_en). Its good rows are not written (add them with another call)."""
        file_id = self._next_file(
            kind, name=name, rows=(rows_read, rows_read - len(bad_rows), len(bad_rows))
        )
        self._insert("quarantine", [(file_id, *row) for row in bad_rows])
        return file_id

    def rejected(self, name: str, reason_ja: str, reason_en: str) -> int:
        """A file that could not be read at all."""
        return self._next_file(None, name=name, status="rejected", reason=(reason_ja, reason_en))

    def skills(self, rows: list[tuple], framework: str = "skills-builder-universal-2024") -> int:
        """rows: (school_code, student_ref, grade, assessed_on, assessor, {skill_id: step})."""
        file_id = self._next_file("skills")
        assessments, steps = [], []
        for number, (school, student, grade, day, assessor, by_skill) in enumerate(rows, 2):
            assessments.append(
                (file_id, number, school, student, grade, day, academic_year(day), assessor)
                + (framework,)
            )
            steps += [(file_id, number, k, int(v)) for k, v in by_skill.items()]
        self._insert("skill_assessments", assessments)
        self._insert("skill_steps", steps)
        return file_id

    def close(self) -> None:
        self.con.close()


def build_snapshot(raw: RawRows, build_date: date = BUILD_DATE) -> Path:
    """Close the raw writer, run the real build, and return the published snapshot's path."""
    raw.close()
    build_warehouse(raw.db_path, lang="en", build_date=build_date)
    return current_snapshot(raw.db_path)[1]


def build_and_open(raw: RawRows, build_date: date = BUILD_DATE) -> duckdb.DuckDBPyConnection:
    """Close the raw writer, build, and open the published snapshot read-only."""
    return open_snapshot(build_snapshot(raw, build_date))


def rows(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> list[tuple]:
    return con.execute(query, params or []).fetchall()
