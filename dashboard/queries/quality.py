"""The ingest log and quarantine, for the returns and data-quality page.

File names and rejected rows are not tied to areas, so only a nation-wide viewer sees them.
"""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.queries.common import frame
from dashboard.scope import Scope


def ingest_files(cursor: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    return frame(
        cursor,
        """
        select file_id, original_name, kind, status, rows_read, rows_loaded, rows_quarantined,
               reason_ja, reason_en, finished_at, ingested_by
        from marts.ingest_files where ?::boolean
        order by file_id desc
    """,
        [scope.is_everything],
    )


def quarantine(cursor: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    return frame(
        cursor,
        """
        select file_id, original_name, row_number, column_name, value, reason_ja, reason_en
        from marts.quarantine where ?::boolean
        order by file_id desc, row_number
    """,
        [scope.is_everything],
    )
