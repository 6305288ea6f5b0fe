"""The audit log, for ASKNET staff only: who looked at, downloaded or uploaded what, and when."""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.queries.common import frame
from dashboard.scope import Scope


def audit_log(cursor: duckdb.DuckDBPyConnection, scope: Scope, limit: int = 5000) -> pl.DataFrame:
    """Newest events first; nothing for a viewer whose scope is not the whole country.

    A snapshot built before the audit log existed has no marts.audit_log: an empty frame.
    """
    present = frame(
        cursor,
        "select 1 from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'audit_log'",
    )
    if present.is_empty():
        return pl.DataFrame(
            schema={
                "occurred_at": pl.Datetime,
                "user_email": pl.String,
                "action": pl.String,
                "target": pl.String,
                "detail": pl.String,
            }
        )
    return frame(
        cursor,
        """
        select occurred_at, user_email, action, target, detail from marts.audit_log
        where ?::boolean order by occurred_at desc limit ?
    """,
        [scope.is_everything, limit],
    )
