"""School-level figures: the school profile, the needs-support list, district schools, returns.

Every query keeps to schools inside the viewer's scope.
"""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.queries.common import DEFAULT_VERSION, frame, school_selection
from dashboard.scope import Scope, school_filter
from pipelines.vocabulary import SEVERITY_RANKS

_SCHOOL_COLUMNS = """s.school_code, s.school_name, s.school_type, s.school_type_ja,
    s.school_type_en, s.establishment_ja, s.establishment_en, s.prefecture_code,
    s.prefecture_ja, s.prefecture_en, s.municipality_code, s.municipality_name, s.hub_code,
    s.hub_name, s.enrolment, s.secondary"""


def find_schools(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, text: str, limit: int = 50
) -> pl.DataFrame:
    """Schools whose name contains `text` or whose code starts with it (case-insensitive)."""
    in_scope, params = school_filter(scope, "s.school_code")
    return frame(
        cursor,
        f"""
        select s.school_code, s.school_name, s.prefecture_ja, s.prefecture_en,
               s.municipality_name
        from marts.dim_school s
        where (s.school_name ilike '%' || ? || '%' or upper(s.school_code) like upper(?) || '%')
          and {in_scope}
        order by s.school_code limit ?
    """,
        [text, text, *params, limit],
    )


def school_info(cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str) -> pl.DataFrame:
    in_scope, params = school_filter(scope, "s.school_code")
    return frame(
        cursor,
        f"""
        select {_SCHOOL_COLUMNS} from marts.dim_school s
        where s.school_code = ? and {in_scope}
    """,
        [school, *params],
    )


def school_comparison(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str, year: int
) -> pl.DataFrame:
    """The school's scores against its hub, municipality, prefecture and national means.

    A school's own login gets the areas' public (suppressed) means: a hub of two schools must
    not tell one school the other's score.
    """
    in_scope, params = school_filter(scope, "c.school_code")
    if scope.is_school:
        return frame(cursor, _PUBLIC_COMPARISON.format(in_scope=in_scope), [school, year, *params])
    return frame(
        cursor,
        f"""
        select c.benchmark_id, c.score, c.hub_mean, c.municipality_mean, c.prefecture_mean,
               c.national_mean, c.prefecture_percentile
        from marts.school_comparison c
        where c.school_code = ? and c.academic_year = ?
          and c.framework_version = {DEFAULT_VERSION} and {in_scope}
        order by c.benchmark_id
    """,
        [school, year, *params],
    )


_PUBLIC_AREA_JOIN = """
        left join marts.public_area_year_benchmark {alias}
          on {alias}.area_level = '{level}' and {alias}.area_code = {code}
         and {alias}.academic_year = c.academic_year
         and {alias}.framework_version = c.framework_version
         and {alias}.benchmark_id = c.benchmark_id"""
_PUBLIC_COMPARISON = (
    """
        select c.benchmark_id, c.score, hub.mean_score as hub_mean,
               municipality.mean_score as municipality_mean,
               prefecture.mean_score as prefecture_mean, national.mean_score as national_mean,
               case when not prefecture.suppressed then c.prefecture_percentile end
                   as prefecture_percentile
        from marts.school_comparison c"""
    + "".join(
        _PUBLIC_AREA_JOIN.format(alias=level, level=level, code=code)
        for level, code in (
            ("hub", "c.hub_code"),
            ("municipality", "c.municipality_code"),
            ("prefecture", "c.prefecture_code"),
            ("national", "'JP'"),
        )
    )
    + f"""
        where c.school_code = ? and c.academic_year = ?
          and c.framework_version = {DEFAULT_VERSION} and {{in_scope}}
        order by c.benchmark_id
    """
)


def school_years(cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str) -> pl.DataFrame:
    """The school's effective return per year: benchmarks achieved and their change."""
    in_scope, params = school_filter(scope, "r.school_code")
    return frame(
        cursor,
        f"""
        select r.academic_year, r.term, r.submitted_on, r.benchmarks_in_framework,
               r.benchmarks_reported, r.benchmarks_achieved, r.mean_score,
               r.change_benchmarks_achieved, r.change_mean_score
        from marts.school_year_summary r
        where r.school_code = ? and r.framework_version = {DEFAULT_VERSION} and {in_scope}
        order by r.academic_year
    """,
        [school, *params],
    )


def school_history(cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str) -> pl.DataFrame:
    """Every loaded return of the school by term (superseded resubmissions left out)."""
    in_scope, params = school_filter(scope, "h.school_code")
    return frame(
        cursor,
        f"""
        select h.academic_year, h.term, h.submitted_on, h.benchmark_id, h.score,
               h.is_effective
        from marts.return_history h
        where h.school_code = ? and not h.is_superseded
          and h.framework_version = {DEFAULT_VERSION} and {in_scope}
        order by h.academic_year, h.term, h.benchmark_id
    """,
        [school, *params],
    )


def school_coverage(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str, year: int
) -> pl.DataFrame:
    """Share of students reached per grade for the coverage benchmarks."""
    in_scope, params = school_filter(scope, "c.school_code")
    return frame(
        cursor,
        f"""
        select c.grade, c.benchmark_id, c.students_on_roll, c.students_reached, c.coverage_pct
        from marts.coverage c
        join marts.dim_benchmark b on b.benchmark_id = c.benchmark_id
             and b.framework_version = {DEFAULT_VERSION} and b.coverage_benchmark
        where c.school_code = ? and c.academic_year = ? and {in_scope}
        order by c.grade, c.benchmark_id
    """,
        [school, year, *params],
    )


_SEVERITY_RANK = (
    "case f.severity "
    + " ".join(f"when '{name}' then {rank}" for name, rank in SEVERITY_RANKS.items())
    + " end"
)


def school_flags(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str, year: int
) -> pl.DataFrame:
    in_scope, params = school_filter(scope, "f.school_code")
    return frame(
        cursor,
        f"""
        select f.flag, f.severity, f.detail_ja, f.detail_en from marts.support_flags f
        where f.school_code = ? and f.academic_year = ? and {in_scope}
        order by {_SEVERITY_RANK} desc, f.flag,
            length(f.benchmark_id), f.benchmark_id, f.grade
    """,
        [school, year, *params],
    )


def flagged_schools(
    cursor: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    year: int,
    severities: tuple[str, ...] = ("high", "medium", "low"),
    **choices: str | None,
) -> pl.DataFrame:
    """One row per flagged school of the selection (`choices`: the sidebar's, see
    dashboard.selection) whose most severe concern is one of `severities`, most severe first,
    then by the number of kinds of concern (from the build's marts.school_flag_summary)."""
    selected, params = school_selection(scope, choices)
    ranks = [SEVERITY_RANKS[severity] for severity in severities]
    return frame(
        cursor,
        f"""
        select s.school_code, s.school_name, s.prefecture_ja, s.prefecture_en,
               s.municipality_name, s.hub_name, s.school_type_ja, s.school_type_en,
               f.severity_rank, f.flag_kinds_count as flags, f.flag_kinds,
               f.reasons_ja, f.reasons_en
        from marts.school_flag_summary f join marts.dim_school s using (school_code)
        where f.academic_year = ? and list_contains(?::integer[], f.severity_rank)
          and {selected}
        order by f.severity_rank desc, f.flag_kinds_count desc, s.school_code
    """,
        [year, ranks, *params],
    )


def district_schools(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, **choices: str | None
) -> pl.DataFrame:
    """Benchmarks achieved by each selected school in each year (long form)."""
    selected, params = school_selection(scope, choices)
    return frame(
        cursor,
        f"""
        select s.school_code, s.school_name, r.academic_year, r.benchmarks_achieved,
               r.mean_score, r.change_benchmarks_achieved
        from marts.school_year_summary r join marts.dim_school s using (school_code)
        where r.framework_version = {DEFAULT_VERSION} and {selected}
        order by s.school_code, r.academic_year
    """,
        params,
    )


def return_status(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, year: int, **choices: str | None
) -> pl.DataFrame:
    """Whether each selected school has returned this term in `year` (marts.return_status's
    one definition): `term` is the school's due term, `latest_term` the year's latest term in
    the data (a school on two semesters is due term 2 when the year is at term 3)."""
    selected, params = school_selection(scope, choices)
    return frame(
        cursor,
        f"""
        select s.school_code, s.school_name, s.municipality_name, s.hub_name, r.term,
               r.latest_term, r.calendar_terms, r.has_return, r.submitted_on
        from marts.return_status r join marts.dim_school s using (school_code)
        where r.academic_year = ? and r.is_due and {selected}
        order by r.has_return, s.school_code
    """,
        [year, *params],
    )


def school_codes(cursor: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Every registered school code inside scope (a coordinator's upload may load only these)."""
    in_scope, params = school_filter(scope, "s.school_code")
    return frame(
        cursor,
        f"select s.school_code from marts.dim_school s where {in_scope} order by 1",
        params,
    )
