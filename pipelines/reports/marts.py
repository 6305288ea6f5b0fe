"""Reading the snapshot's public marts into Stats: the one rule for what a suppressed row shows."""

from __future__ import annotations

import duckdb

from pipelines.reports.model import Stat

# Every figure of a suppressed row is hidden, even the counts the public_* marts keep (how many
# schools of a small area returned is itself built on returns); the registry's count is not.
ALWAYS_PUBLIC = ("schools_registered",)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def stat(row: dict | None, column: str, *, always_public: bool | None = None) -> Stat:
    """A figure of a public_* row; every figure of a suppressed row is suppressed."""
    if row is None:
        return Stat(None)
    public = column in ALWAYS_PUBLIC if always_public is None else always_public
    if row.get("suppressed") and not public:
        return Stat(None, suppressed=True)
    value = row.get(column)
    return Stat(None if value is None else float(value))
