"""Audits: queries that return the rows breaking a rule. Zero rows = pass.

Two sources: the hand-written rules in sql/audits/*.sql, and one key audit per model generated
from its `-- Key:` header (pipelines.build.keys) that returns duplicated keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.build.keys import KEY_AUDIT_PREFIX, ModelKey, model_keys
from pipelines.build.models import SQL_DIR, discover_models
from pipelines.i18n import catalogue, t

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class AuditResult:
    name: str  # file stem, e.g. "score_within_0_100", or "unique_key:marts.coverage"
    bad_rows: int
    columns: tuple[str, ...]
    sample: tuple[tuple, ...]  # the first few bad rows, for the failure message

    @property
    def passed(self) -> bool:
        return self.bad_rows == 0


def discover_audits(sql_dir: Path = SQL_DIR) -> list[Path]:
    return sorted((sql_dir / "audits").glob("*.sql"))


def run_query_audit(con: duckdb.DuckDBPyConnection, name: str, query: str) -> AuditResult:
    query = query.strip().rstrip(";")
    cursor = con.execute(f"select * from ({query}) limit {SAMPLE_ROWS}")
    columns = tuple(column[0] for column in cursor.description)
    sample = tuple(cursor.fetchall())
    # A passing audit (the usual case) runs its query once; only a failing one is counted.
    count = len(sample)
    if count == SAMPLE_ROWS:
        (count,) = con.execute(f"select count(*) from ({query})").fetchall()[0]
    return AuditResult(name, int(count), columns, sample)


def run_audit(con: duckdb.DuckDBPyConnection, path: Path) -> AuditResult:
    return run_query_audit(con, path.stem, path.read_text(encoding="utf-8"))


def run_audits(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path = SQL_DIR,
    keys: list[ModelKey] | None = None,
) -> list[AuditResult]:
    """Run every audit on the models as they stand on `con` (all, even after one fails): the
    rules in sql/audits/, then each model's key (`keys`, default: read from the headers)."""
    keys = model_keys(discover_models(sql_dir)) if keys is None else keys
    return [run_audit(con, path) for path in discover_audits(sql_dir)] + [
        run_query_audit(con, key.audit_name, key.audit_sql()) for key in keys if key.columns
    ]


def audit_description(name: str, lang: str) -> str:
    """What the audit checks: build.audit_<name> from the catalogue (empty if none), or for a
    key audit, which model's key."""
    if name.startswith(KEY_AUDIT_PREFIX):
        return t("build.audit_unique_key", lang, model=name.removeprefix(KEY_AUDIT_PREFIX))
    texts = catalogue().get(f"build.audit_{name}")
    return texts[lang] if texts else ""


def format_bad_rows(result: AuditResult) -> str:
    lines = ["  " + " | ".join(result.columns)]
    lines += ["  " + " | ".join("" if v is None else str(v) for v in row) for row in result.sample]
    return "\n".join(lines)
