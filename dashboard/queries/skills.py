"""Essential skills (エッセンシャルスキル): an area's or a school's steps against the nation.

Areas inside the viewer's scope are read from marts.skills_area_year; areas outside it (the
nation for a coordinator, every area for a school's own login) from marts.public_skills_area_year,
suppressed below min_students. A school's own rows (level `school`) are read whole when the
school is inside the scope, else suppressed.
"""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.queries.common import frame, scoped_area_table
from dashboard.scope import Scope, school_filter

_COLUMNS = (
    "x.area_level, x.area_code, x.academic_year, x.year_of_schooling, x.skill_id, x.assessor, "
    "x.schools, x.students_assessed, x.mean_step, x.students_with_progress, x.mean_progress"
)


def skills(cursor: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:  # noqa: ARG001
    """The skills framework in force, in its order, with the provisional-translation note."""
    return frame(
        cursor,
        "select skill_id, position, name_ja, name_en, max_step, provisional_ja, note_ja, note_en "
        "from marts.dim_skill order by position",
    )


def _rows(scope: Scope, level: str, code: str, year: int) -> tuple[str, list]:
    where = "x.area_level = ? and x.area_code = ? and x.academic_year = ?"
    params: list = [level, code, year]
    if level != "school":
        return scoped_area_table(scope, "skills_area_year", _COLUMNS, where, params)
    in_scope, scope_params = school_filter(scope, "x.area_code")
    sql = f"""
        select {_COLUMNS}, false as suppressed from marts.skills_area_year x
        where ({where}) and ({in_scope})
        union all
        select {_COLUMNS}, x.suppressed from marts.public_skills_area_year x
        where ({where}) and not ({in_scope})
    """
    return sql, [*params, *scope_params, *params, *scope_params]


def area_skills(
    cursor: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    level: str,
    code: str,
    year: int,
    compare_level: str = "national",
    compare_code: str = "JP",
) -> pl.DataFrame:
    """The area's rows (`which` = 'area') and the comparison area's ('compare', the nation by
    default) for `year`: every skill, assessor and year of schooling (null = all years)."""
    area_sql, area_params = _rows(scope, level, code, year)
    other_sql, other_params = _rows(scope, compare_level, compare_code, year)
    return frame(
        cursor,
        f"""
        select 'area' as which, * from ({area_sql})
        union all
        select 'compare' as which, * from ({other_sql})
        order by which, skill_id, assessor, year_of_schooling nulls first
    """,
        [*area_params, *other_params],
    )


def step_distribution(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, level: str, code: str, year: int
) -> pl.DataFrame:
    """Students by latest step, per skill and assessor, over the area's schools inside the
    viewer's scope (counts only; no student is named)."""
    in_scope, scope_params = school_filter(scope, "s.school_code")
    area = (
        "s.school_code = ?"
        if level == "school"
        else "s.school_code in (select a.school_code from marts.school_area a "
        "where a.area_level = ? and a.area_code = ?)"
    )
    area_params = [code] if level == "school" else [level, code]
    return frame(
        cursor,
        f"""
        select s.skill_id, s.assessor, s.latest_step, count(*) as students
        from marts.skills_student_year s
        where s.academic_year = ? and {area} and ({in_scope})
        group by all
        order by s.skill_id, s.assessor, s.latest_step
    """,
        [year, *area_params, *scope_params],
    )


def skill_years(cursor: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:  # noqa: ARG001
    """Academic years with any skills assessment (national, public figures)."""
    return frame(
        cursor,
        "select distinct academic_year from marts.public_skills_area_year "
        "where area_level = 'national' order by academic_year desc",
    )
