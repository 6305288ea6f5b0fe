"""Audits: SQL queries in sql/audits/ that return the rows breaking a rule. Zero rows = pass."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.build.models import SQL_DIR
from pipelines.i18n import catalogue

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class AuditResult:
    name: str  # file stem, e.g. "score_within_0_100"
    bad_rows: int
    columns: tuple[str, ...]
    sample: tuple[tuple, ...]  # the first few bad rows, for the failure message

    @property
    def passed(self) -> bool:
        return self.bad_rows == 0


def discover_audits(sql_dir: Path = SQL_DIR) -> list[Path]:
    return sorted((sql_dir / "audits").glob("*.sql"))


def run_audit(con: duckdb.DuckDBPyConnection, path: Path) -> AuditResult:
    query = path.read_text(encoding="utf-8").strip().rstrip(";")
    (count,) = con.execute(f"select count(*) from ({query})").fetchall()[0]
    cursor = con.execute(f"select * from ({query}) limit {SAMPLE_ROWS}")
    columns = tuple(column[0] for column in cursor.description)
    return AuditResult(path.stem, int(count), columns, tuple(cursor.fetchall()))


def run_audits(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> list[AuditResult]:
    """Run every audit on the models as they stand on `con` (all, even after one fails)."""
    return [run_audit(con, path) for path in discover_audits(sql_dir)]


def audit_description(name: str, lang: str) -> str:
    """What the audit checks, from the catalogue key build.audit_<name> (empty if none)."""
    texts = catalogue().get(f"build.audit_{name}")
    return texts[lang] if texts else ""


def format_bad_rows(result: AuditResult) -> str:
    lines = ["  " + " | ".join(result.columns)]
    lines += ["  " + " | ".join("" if v is None else str(v) for v in row) for row in result.sample]
    return "\n".join(lines)
