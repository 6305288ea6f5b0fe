"""Area figures: the overview's headlines and map, area comparisons, district progress."""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.queries.common import (
    DEFAULT_VERSION,
    frame,
    school_selection,
    scoped_area_table,
)
from dashboard.scope import Scope
from dashboard.selection import resolve


def selection_summary(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, year: int, **choices: str | None
) -> pl.DataFrame:
    """Headline figures of the selected schools for `year` and the year before.

    `choices` are the sidebar's (area_level, area_code, hub, school_type, establishment;
    dashboard.selection). Summed from the school rows of the marts, with the area-year
    definitions; for a selection that is one area they equal marts.area_year_summary. Returned
    this term is marts.return_status's one definition (each school's due term; due_term is the
    year's latest term): schools_returned_this_term, pct_returned_this_term.
    """
    selected, params = school_selection(scope, choices)
    return frame(
        cursor,
        f"""
        with schools as (
            select s.school_code from marts.dim_school s where {selected}
        ),
        years as (select unnest([?::integer - 1, ?::integer]) as academic_year),
        due as (
            select t.academic_year, max(t.latest_term) as due_term,
                   count(*) filter (where t.has_return) as schools_returned_this_term
            from marts.return_status t
            where t.is_due and t.academic_year in (select academic_year from years)
              and t.school_code in (select school_code from schools)
            group by t.academic_year
        ),
        figures as (
            select y.academic_year,
                   (select count(*) from schools) as schools_registered,
                   count(r.school_code) as schools_reporting,
                   100.0 * count(r.school_code) / nullif((select count(*) from schools), 0)
                       as response_rate,
                   avg(r.benchmarks_achieved) as avg_benchmarks_achieved,
                   100.0 * count(*) filter (where r.all_achieved)
                       / nullif(count(r.school_code), 0) as pct_all_achieved,
                   max(r.benchmarks_in_framework) as benchmarks_in_framework
            from years y
            left join marts.school_year_summary r on r.academic_year = y.academic_year
                 and r.framework_version = {DEFAULT_VERSION}
                 and r.school_code in (select school_code from schools)
            group by y.academic_year
        )
        select f.*, d.due_term,
               coalesce(d.schools_returned_this_term, 0) as schools_returned_this_term,
               100.0 * coalesce(d.schools_returned_this_term, 0)
                   / nullif(f.schools_registered, 0) as pct_returned_this_term
        from figures f left join due d using (academic_year)
        order by f.academic_year
    """,
        [*params, year, year],
    )


def selection_benchmarks(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, year: int, **choices: str | None
) -> pl.DataFrame:
    """Per benchmark over the selected schools: schools reporting, mean score, % achieved."""
    selected, params = school_selection(scope, choices)
    return frame(
        cursor,
        f"""
        select b.benchmark_id, count(*) as schools_reporting, avg(b.score) as mean_score,
               100.0 * count(*) filter (where b.fully_achieved) / count(*) as pct_fully_achieved
        from marts.school_year_benchmark b join marts.dim_school s using (school_code)
        where b.academic_year = ? and b.framework_version = {DEFAULT_VERSION} and {selected}
        group by b.benchmark_id order by b.benchmark_id
    """,
        [year, *params],
    )


def selection_distribution(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, year: int, **choices: str | None
) -> pl.DataFrame:
    """How many selected schools achieved 0..N benchmarks in `year`.

    A selection that is one area reads marts.achieved_distribution (suppressed outside the
    viewer's scope); a narrower one counts the selected schools' rows.
    """
    selection = resolve(scope, **choices)
    if selection.area is not None:
        level, code = selection.area
        return achieved_distribution(cursor, scope, level=level, code=code, year=year)
    selected, params = school_selection(scope, choices)
    return frame(
        cursor,
        f"""
        select r.benchmarks_achieved, count(*) as schools, false as suppressed
        from marts.school_year_summary r join marts.dim_school s using (school_code)
        where r.academic_year = ? and r.framework_version = {DEFAULT_VERSION} and {selected}
        group by r.benchmarks_achieved order by r.benchmarks_achieved
    """,
        [year, *params],
    )


def selection_trend(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, **choices: str | None
) -> pl.DataFrame:
    """Every benchmark and `ALL` (the area-year headline) by year, for the selected schools.

    A selection that is one area reads marts.trend (as area_trend); a narrower one is computed
    from the selected schools' rows with the same definitions, as area `selection`.
    """
    selection = resolve(scope, **choices)
    if selection.area is not None:
        level, code = selection.area
        return area_trend(cursor, scope, level=level, code=code)
    selected, params = school_selection(scope, choices)
    return frame(
        cursor,
        f"""
        with by_benchmark as (
            select b.benchmark_id, b.academic_year, count(*) as schools_reporting,
                   avg(b.score) as mean_score,
                   100.0 * count(*) filter (where b.fully_achieved) / count(*)
                       as pct_fully_achieved
            from marts.school_year_benchmark b join marts.dim_school s using (school_code)
            where b.framework_version = {DEFAULT_VERSION} and {selected}
            group by all
        ),
        overall as (
            select 'ALL' as benchmark_id, r.academic_year, count(*) as schools_reporting,
                   avg(r.benchmarks_achieved) as mean_score,
                   100.0 * count(*) filter (where r.all_achieved) / count(*)
                       as pct_fully_achieved
            from marts.school_year_summary r join marts.dim_school s using (school_code)
            where r.framework_version = {DEFAULT_VERSION} and {selected}
            group by all
        )
        select 'selection' as area_level, 'selection' as area_code, u.benchmark_id,
               u.academic_year, u.schools_reporting, u.mean_score, u.pct_fully_achieved,
               false as suppressed, null::varchar as area_name_ja, null::varchar as area_name_en
        from (select * from by_benchmark union all by name select * from overall) u
        order by u.benchmark_id, u.academic_year
    """,
        [*params, *params],
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
