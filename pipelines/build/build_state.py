"""What a writer's warehouse remembers of its last build, for the next one to plan from
(pipelines/build/incremental.py): `build_state.last` holds the version, the watermark (the newest
file_id it covered), the fingerprint of everything it read besides the raw rows and the date, and
the build date. Written inside the build's transaction, so it is committed with the marts or not
at all.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.build.reference_tables import reference_fingerprint
from pipelines.warehouse import raw_schema_sql

if TYPE_CHECKING:
    from pipelines.build.incremental import Plan

STATE_SCHEMA = "build_state"
STATE_TABLE = f"{STATE_SCHEMA}.last"


def fingerprint(sql_dir: Path) -> str:
    """Everything a build reads besides raw rows and the date: SQL, reference data, settings."""
    digest = hashlib.sha256()
    for path in sorted(sql_dir.rglob("*.sql")):
        digest.update(str(path.relative_to(sql_dir)).encode())
        digest.update(path.read_bytes())
    digest.update(raw_schema_sql().encode())
    digest.update(reference_fingerprint().encode())
    return digest.hexdigest()


def read_state(con: duckdb.DuckDBPyConnection) -> tuple[str, int, str, date] | None:
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? and table_name = 'last'",
        [STATE_SCHEMA],
    ).fetchone()
    if not found or not found[0]:
        return None
    row = con.execute(
        f"select version, watermark, fingerprint, build_date from {STATE_TABLE}"
    ).fetchone()
    return (row[0], int(row[1]), row[2], row[3]) if row else None


def write_state(
    con: duckdb.DuckDBPyConnection, version: str, plan: Plan, print_: str, build_date: date
) -> None:
    """Inside the build's transaction: committed with the marts, or not at all."""
    con.execute(f"create schema if not exists {STATE_SCHEMA}")
    con.execute(
        f"create or replace table {STATE_TABLE} (version varchar, watermark bigint, "
        "fingerprint varchar, build_date date, full_build boolean)"
    )
    con.execute(
        f"insert into {STATE_TABLE} values (?, ?, ?, ?, ?)",
        [version, plan.watermark, print_, build_date, plan.full],
    )
