"""Shared pieces of the queries: running SQL, the default framework, selection and scope filters."""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.scope import Scope, area_filter

# The framework version the dashboard shows unless asked otherwise (docs/architecture.md).
DEFAULT_VERSION = "(select default_framework_version from marts.build_info limit 1)"


def frame(cursor: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    return cursor.sql(sql, params=params or []).pl()


# Schools matching the sidebar filters; None for a filter means "any". national = no area filter.
SELECTION_SQL = """
    (?::varchar is null or s.school_code in (
        select sa.school_code from marts.school_area sa
        where sa.area_level = ? and sa.area_code = ?))
    and (?::varchar is null or s.hub_code = ?)
    and (?::varchar is null or s.school_type = ?)
    and (?::varchar is null or s.establishment = ?)
"""


def selection_params(
    area_level: str | None,
    area_code: str | None,
    hub: str | None,
    school_type: str | None,
    establishment: str | None,
) -> list:
    level = None if area_level in (None, "national") else area_level
    code = area_code if level else None
    return [level, level, code, hub, hub, school_type, school_type, establishment, establishment]


def scoped_area_table(
    scope: Scope, table: str, columns: str, where: str, where_params: list
) -> tuple[str, list]:
    """Rows of marts.<table> for areas inside scope, else of marts.public_<table> (suppressed).

    `table`, `columns` and `where` are constants from the caller; values go in `where_params`.
    """
    in_scope, scope_params = area_filter(scope, "x.area_level", "x.area_code")
    sql = f"""
        select {columns}, false as suppressed from marts.{table} x
        where ({where}) and ({in_scope})
        union all
        select {columns}, x.suppressed from marts.public_{table} x
        where ({where}) and not ({in_scope})
    """
    return sql, [*where_params, *scope_params, *where_params, *scope_params]
