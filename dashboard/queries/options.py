"""Choices for the sidebar filters and the framework shown."""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.queries.common import DEFAULT_VERSION, frame
from dashboard.scope import Scope, area_filter, school_filter


def build_info(cursor: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    return frame(cursor, "select * from marts.build_info")


def academic_years(cursor: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Years with returns in the default framework, newest first."""
    return frame(
        cursor,
        f"""
        select distinct academic_year from marts.area_year_summary
        where framework_version = {DEFAULT_VERSION} and schools_reporting > 0
        order by academic_year desc
    """,
    )


def benchmarks(cursor: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """The default framework's benchmarks in framework order."""
    return frame(
        cursor,
        f"""
        select benchmark_id, position, name_ja, name_en, description_ja, description_en,
               coverage_benchmark
        from marts.dim_benchmark where framework_version = {DEFAULT_VERSION}
        order by position
    """,
    )


def areas(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, level: str, parent_code: str | None = None
) -> pl.DataFrame:
    """Areas of a level that have schools in scope (optionally within a parent area)."""
    in_scope, params = school_filter(scope, "sa.school_code")
    return frame(
        cursor,
        f"""
        select a.area_code, a.area_name_ja, a.area_name_en, a.parent_code,
               a.grid_row, a.grid_col
        from marts.dim_area a
        where a.area_level = ? and (?::varchar is null or a.parent_code = ?)
          and exists (select 1 from marts.school_area sa where sa.area_level = a.area_level
                      and sa.area_code = a.area_code and {in_scope})
        order by a.area_code
    """,
        [level, parent_code, parent_code, *params],
    )


def school_kinds(cursor: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """School types and establishments present, for the filters."""
    in_scope, params = school_filter(scope, "s.school_code")
    return frame(
        cursor,
        f"""
        select distinct 'type' as kind, school_type as code, school_type_ja as name_ja,
               school_type_en as name_en
        from marts.dim_school s where {in_scope}
        union all
        select distinct 'establishment', establishment, establishment_ja, establishment_en
        from marts.dim_school s where {in_scope}
        order by kind, code
    """,
        [*params, *params],
    )


def areas_within_scope(cursor: duckdb.DuckDBPyConnection, scope: Scope, level: str) -> pl.DataFrame:
    """Areas of a level every school of which is inside scope (a hub report of one's own hub)."""
    in_scope, params = area_filter(scope, "a.area_level", "a.area_code")
    return frame(
        cursor,
        f"""
        select a.area_code, a.area_name_ja, a.area_name_en
        from marts.dim_area a
        where a.area_level = ? and {in_scope}
          and exists (select 1 from marts.school_area sa where sa.area_level = a.area_level
                      and sa.area_code = a.area_code)
        order by a.area_code
    """,
        [level, *params],
    )
