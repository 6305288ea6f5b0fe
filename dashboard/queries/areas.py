"""Area figures: the overview's headlines and map, area comparisons, district progress."""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.queries.common import (
    DEFAULT_VERSION,
    SELECTION_SQL,
    frame,
    scoped_area_table,
    selection_params,
)
from dashboard.scope import Scope, school_filter


def selection_summary(
    cursor: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    year: int,
    area_level: str | None = None,
    area_code: str | None = None,
    hub: str | None = None,
    school_type: str | None = None,
    establishment: str | None = None,
) -> pl.DataFrame:
    """Headline figures of the filtered schools for `year` and the year before.

    Summed from the school rows of the marts, with the area-year definitions; with no hub, type
    or establishment filter they equal marts.area_year_summary for the area.
    """
    in_scope, scope_params = school_filter(scope, "s.school_code")
    return frame(
        cursor,
        f"""
        with schools as (
            select s.school_code from marts.dim_school s where {SELECTION_SQL} and {in_scope}
        ),
        years as (select unnest([?::integer - 1, ?::integer]) as academic_year)
        select y.academic_year,
               (select count(*) from schools) as schools_registered,
               count(r.school_code) as schools_reporting,
               100.0 * count(r.school_code) / nullif((select count(*) from schools), 0)
                   as response_rate,
               avg(r.benchmarks_achieved) as avg_benchmarks_achieved,
               100.0 * count(*) filter (where r.all_achieved) / nullif(count(r.school_code), 0)
                   as pct_all_achieved,
               max(r.benchmarks_in_framework) as benchmarks_in_framework
        from years y
        left join marts.school_year_summary r on r.academic_year = y.academic_year
             and r.framework_version = {DEFAULT_VERSION}
             and r.school_code in (select school_code from schools)
        group by y.academic_year order by y.academic_year
    """,
        [
            *selection_params(area_level, area_code, hub, school_type, establishment),
            *scope_params,
            year,
            year,
        ],
    )


def selection_benchmarks(
    cursor: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    year: int,
    area_level: str | None = None,
    area_code: str | None = None,
    hub: str | None = None,
    school_type: str | None = None,
    establishment: str | None = None,
) -> pl.DataFrame:
    """Per benchmark over the filtered schools: schools reporting, mean score, % achieved."""
    in_scope, scope_params = school_filter(scope, "s.school_code")
    return frame(
        cursor,
        f"""
        select b.benchmark_id, count(*) as schools_reporting, avg(b.score) as mean_score,
               100.0 * count(*) filter (where b.fully_achieved) / count(*) as pct_fully_achieved
        from marts.school_year_benchmark b join marts.dim_school s using (school_code)
        where b.academic_year = ? and b.framework_version = {DEFAULT_VERSION}
          and {SELECTION_SQL} and {in_scope}
        group by b.benchmark_id order by b.benchmark_id
    """,
        [
            year,
            *selection_params(area_level, area_code, hub, school_type, establishment),
            *scope_params,
        ],
    )


_SUMMARY_COLUMNS = """x.area_level, x.area_code, x.academic_year, x.schools_registered,
    x.schools_reporting, x.response_rate, x.avg_benchmarks_achieved, x.pct_all_achieved,
    x.change_avg_benchmarks_achieved, x.change_pct_all_achieved, x.change_response_rate"""


def area_summaries(
    cursor: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    level: str,
    year: int,
    parent_code: str | None = None,
) -> pl.DataFrame:
    """marts.area_year_summary for every area of `level` (within a parent area if given)."""
    where = f"""x.area_level = ? and x.academic_year = ?
        and x.framework_version = {DEFAULT_VERSION}
        and (?::varchar is null or x.area_code in (select area_code from marts.dim_area
             where area_level = x.area_level and parent_code = ?))"""
    sql, params = scoped_area_table(
        scope, "area_year_summary", _SUMMARY_COLUMNS, where, [level, year, parent_code, parent_code]
    )
    return frame(
        cursor,
        f"""
        select u.*, a.area_name_ja, a.area_name_en, a.grid_row, a.grid_col
        from ({sql}) u join marts.dim_area a using (area_level, area_code)
        order by u.area_code
    """,
        params,
    )


def area_benchmarks(
    cursor: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    level: str,
    year: int,
    parent_code: str | None = None,
    area_code: str | None = None,
) -> pl.DataFrame:
    """marts.area_year_benchmark per area of `level` and benchmark, with area names."""
    where = f"""x.area_level = ? and x.academic_year = ?
        and x.framework_version = {DEFAULT_VERSION}
        and (?::varchar is null or x.area_code = ?)
        and (?::varchar is null or x.area_code in (select area_code from marts.dim_area
             where area_level = x.area_level and parent_code = ?))"""
    columns = """x.area_level, x.area_code, x.benchmark_id, x.schools_reporting, x.mean_score,
        x.pct_fully_achieved"""
    sql, params = scoped_area_table(
        scope,
        "area_year_benchmark",
        columns,
        where,
        [level, year, area_code, area_code, parent_code, parent_code],
    )
    return frame(
        cursor,
        f"""
        select u.*, a.area_name_ja, a.area_name_en
        from ({sql}) u join marts.dim_area a using (area_level, area_code)
        order by u.area_code, u.benchmark_id
    """,
        params,
    )


def achieved_distribution(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, level: str, code: str, year: int
) -> pl.DataFrame:
    """How many reporting schools of one area achieved 0..N benchmarks."""
    where = f"""x.area_level = ? and x.area_code = ? and x.academic_year = ?
        and x.framework_version = {DEFAULT_VERSION}"""
    sql, params = scoped_area_table(
        scope,
        "achieved_distribution",
        "x.benchmarks_achieved, x.schools",
        where,
        [level, code, year],
    )
    return frame(cursor, f"select * from ({sql}) order by benchmarks_achieved", params)


def area_trend(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, level: str, code: str
) -> pl.DataFrame:
    """marts.trend for one area: every benchmark and `ALL` (the area-year headline) by year."""
    where = f"""x.area_level = ? and x.area_code = ?
        and x.framework_version = {DEFAULT_VERSION}"""
    columns = """x.area_level, x.area_code, x.benchmark_id, x.academic_year,
        x.schools_reporting, x.mean_score, x.pct_fully_achieved"""
    sql, params = scoped_area_table(scope, "trend", columns, where, [level, code])
    return frame(
        cursor,
        f"""
        select u.*, a.area_name_ja, a.area_name_en
        from ({sql}) u join marts.dim_area a using (area_level, area_code)
        order by u.benchmark_id, u.academic_year
    """,
        params,
    )


def area_parents(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, level: str, code: str
) -> pl.DataFrame:
    """The area itself and its ancestors up to the nation (for district comparisons)."""
    return frame(
        cursor,
        """
        with recursive chain(area_level, area_code, depth) as (
            select ?::varchar, ?::varchar, 0
            union all
            select a.parent_level, a.parent_code, c.depth + 1
            from chain c join marts.dim_area a
              on a.area_level = c.area_level and a.area_code = c.area_code
            where a.parent_level is not null
        )
        select c.area_level, c.area_code, c.depth, a.area_name_ja, a.area_name_en
        from chain c join marts.dim_area a using (area_level, area_code)
        order by c.depth
    """,
        [level, code],
    )
