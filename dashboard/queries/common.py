"""Shared pieces of the queries: running SQL, the default framework, selection and scope filters."""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.scope import Scope, area_filter, school_filter
from dashboard.selection import resolve

# The framework version the dashboard shows unless asked otherwise (docs/architecture.md).
DEFAULT_VERSION = "(select default_framework_version from marts.build_info limit 1)"


def frame(cursor: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    return cursor.sql(sql, params=params or []).pl()


def school_selection(scope: Scope, choices: dict[str, str | None]) -> tuple[str, list]:
    """A WHERE fragment (marts.dim_school as `s`) for the schools of the sidebar's `choices`
    inside the viewer's scope, and its parameters (dashboard.selection decides what they are)."""
    sql, params = resolve(scope, **choices).school_sql()
    in_scope, scope_params = school_filter(scope, "s.school_code")
    return f"({sql}) and ({in_scope})", [*params, *scope_params]


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
