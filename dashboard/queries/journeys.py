"""Coverage that follows the student: reached this year, meaningfully, and ever (cumulative),
for one school or one area. School rows keep to the viewer's scope; an area outside it is read
from the suppressed public views."""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.queries.common import DEFAULT_VERSION, frame, scoped_area_table
from dashboard.scope import Scope, school_filter


def school_coverage_so_far(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str, year: int
) -> pl.DataFrame:
    """Per grade and coverage benchmark of the school's year: on roll, reached this year,
    meaningfully reached, activities whose preparation or reflection is unknown, reached ever
    and reached before arriving (at an earlier school of the journey)."""
    in_scope, params = school_filter(scope, "c.school_code")
    return frame(
        cursor,
        f"""
        select c.grade, c.year_of_schooling, c.benchmark_id, c.students_on_roll,
               c.students_reached, c.coverage_pct, c.meaningful_reached,
               c.meaningful_coverage_pct, c.prep_unknown_pct, k.students_reached_ever,
               k.coverage_ever_pct, k.students_reached_before, k.coverage_before_pct
        from marts.coverage c
        join marts.cumulative_coverage k on k.school_code = c.school_code
             and k.academic_year = c.academic_year and k.grade = c.grade
             and k.benchmark_id = c.benchmark_id
        join marts.dim_benchmark b on b.benchmark_id = c.benchmark_id
             and b.framework_version = {DEFAULT_VERSION} and b.coverage_benchmark
        where c.school_code = ? and c.academic_year = ? and {in_scope}
        order by c.grade, c.benchmark_id
    """,
        [school, year, *params],
    )


def area_coverage_so_far(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, level: str, code: str, year: int
) -> pl.DataFrame:
    """Per year of schooling and coverage benchmark of an area's year: this year's coverage,
    meaningful coverage and coverage ever (suppressed outside the viewer's scope)."""
    where = (
        "x.area_level = ? and x.area_code = ? and x.academic_year = ? "
        "and x.year_of_schooling is not null and x.coverage_benchmark"
    )
    now_sql, now_params = scoped_area_table(
        scope,
        "area_coverage",
        "x.year_of_schooling, x.benchmark_id, x.students_on_roll, x.coverage_pct, "
        "x.meaningful_coverage_pct, x.prep_unknown_pct",
        where,
        [level, code, year],
    )
    ever_sql, ever_params = scoped_area_table(
        scope,
        "area_cumulative_coverage",
        "x.year_of_schooling, x.benchmark_id, x.coverage_ever_pct, x.coverage_before_pct",
        where,
        [level, code, year],
    )
    return frame(
        cursor,
        f"""
        select n.year_of_schooling, n.benchmark_id, n.students_on_roll, n.coverage_pct,
               n.meaningful_coverage_pct, n.prep_unknown_pct, e.coverage_ever_pct,
               e.coverage_before_pct, n.suppressed or coalesce(e.suppressed, false) as suppressed
        from ({now_sql}) n
        left join ({ever_sql}) e on e.year_of_schooling = n.year_of_schooling
             and e.benchmark_id = n.benchmark_id
        order by n.year_of_schooling, n.benchmark_id
    """,
        [*now_params, *ever_params],
    )
