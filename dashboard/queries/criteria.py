"""Criteria (観点): the questionnaire's wording, a school's next steps, an area's gaps.

School rows stay inside the viewer's scope; an area outside it (for a school's own login, every
area) is read from marts.public_area_year_criterion, suppressed below min_schools.
"""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.queries.common import DEFAULT_VERSION, frame, scoped_area_table
from dashboard.scope import Scope, school_filter

_AREA_COLUMNS = (
    "x.area_level, x.area_code, x.academic_year, x.framework_version, x.criterion_id, "
    "x.schools_answering, x.schools_met, x.pct_met"
)


def criteria(cursor: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:  # noqa: ARG001
    """The default framework's criteria in questionnaire order, with their wording."""
    return frame(
        cursor,
        f"""
        select criterion_id, benchmark_id, position, kind, text_ja, text_en, help_ja, help_en
        from marts.dim_criterion where framework_version = {DEFAULT_VERSION}
        order by position
    """,
    )


def _area(scope: Scope, alias: str, where: str, params: list) -> tuple[str, list]:
    """A subquery of area_year_criterion rows for one area (public when outside scope);
    `where` is a constant over `x`, its values in `params`."""
    sql, bound = scoped_area_table(scope, "area_year_criterion", _AREA_COLUMNS, where, params)
    return f"({sql}) {alias}", bound


_NATION = "x.area_level = 'national' and x.area_code = 'JP'"


def school_next_steps(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str, year: int
) -> pl.DataFrame:
    """The school's unmet criteria in its effective return of `year`: how many schools of its
    hub and of the nation meet each (null when suppressed), the school's score in its previous
    criteria return, most-met-by-peers first."""
    in_scope, scope_params = school_filter(scope, "c.school_code")
    hub, hub_params = _area(
        scope,
        "hub",
        "x.area_level = 'hub' and x.area_code = "
        "(select s.hub_code from marts.dim_school s where s.school_code = ?)",
        [school],
    )
    nation, nation_params = _area(scope, "nation", _NATION, [])
    return frame(
        cursor,
        f"""
        with current_criteria as (
            select c.* from marts.school_year_criterion c
            where c.school_code = ? and c.academic_year = ?
              and c.framework_version = {DEFAULT_VERSION} and {in_scope}
        ),
        current_return as (
            select distinct academic_year, term, submitted_on, file_id from current_criteria
        ),
        earlier as (
            select h.*, dense_rank() over (
                order by h.academic_year desc, h.term desc, h.submitted_on desc, h.file_id desc
            ) as recency
            from marts.school_criterion_history h, current_return r
            where h.school_code = ? and h.framework_version = {DEFAULT_VERSION}
              and (h.academic_year, h.term, h.submitted_on, h.file_id)
                  < (r.academic_year, r.term, r.submitted_on, r.file_id)
        ),
        previous as (select * from earlier where recency = 1)
        select c.criterion_id, c.benchmark_id, c.position, c.criterion_score,
               previous.criterion_score as previous_score,
               c.criterion_score - previous.criterion_score as change,
               hub.schools_met as hub_schools_met, hub.schools_answering as hub_schools_answering,
               hub.pct_met as hub_pct_met, hub.suppressed as hub_suppressed,
               nation.schools_met as national_schools_met,
               nation.schools_answering as national_schools_answering,
               nation.pct_met as national_pct_met, nation.suppressed as national_suppressed
        from current_criteria c
        left join previous on previous.criterion_id = c.criterion_id
        left join {hub}
          on hub.academic_year = c.academic_year and hub.framework_version = c.framework_version
         and hub.criterion_id = c.criterion_id
        left join {nation}
          on nation.academic_year = c.academic_year
         and nation.framework_version = c.framework_version
         and nation.criterion_id = c.criterion_id
        where not c.met
        order by coalesce(hub.pct_met, nation.pct_met, -1) desc,
                 coalesce(nation.pct_met, -1) desc, c.position
    """,
        [
            school,
            year,
            *scope_params,
            school,
            *hub_params,
            *nation_params,
        ],
    )


def area_criteria_gaps(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, level: str, code: str, year: int
) -> pl.DataFrame:
    """Each criterion's share of the area's schools meeting it against the nation's, sorted by
    the gap (furthest behind the nation first); suppressed figures are null."""
    area, area_params = _area(scope, "area", "x.area_level = ? and x.area_code = ?", [level, code])
    nation, nation_params = _area(scope, "nation", _NATION, [])
    return frame(
        cursor,
        f"""
        select d.criterion_id, d.benchmark_id, d.position, d.text_ja, d.text_en,
               area.schools_answering, area.schools_met, area.pct_met, area.suppressed,
               nation.pct_met as national_pct_met,
               area.pct_met - nation.pct_met as gap
        from marts.dim_criterion d
        inner join {area}
          on area.framework_version = d.framework_version and area.criterion_id = d.criterion_id
         and area.academic_year = ?
        left join {nation}
          on nation.framework_version = d.framework_version
         and nation.criterion_id = d.criterion_id and nation.academic_year = area.academic_year
        where d.framework_version = {DEFAULT_VERSION}
        order by gap asc nulls last, d.position
    """,
        [*area_params, year, *nation_params],
    )
