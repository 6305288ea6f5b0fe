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
    """The school's scores against its hub, municipality, prefecture and national means, and
    its percentile in the prefecture, read from the marts when asked (so one school's new
    return changes only its own rows and its areas' rows, never every school's).

    prefecture_percentile = 100 x the share of the OTHER schools of the prefecture scoring that
    benchmark that year whose score is strictly lower (ties share the lower rank, as
    percent_rank()): 0 = lowest, 100 = highest; null when the school is the only one.
    A school's own login gets the areas' public (suppressed) means and no percentile where the
    prefecture is suppressed: a hub of two schools must not tell one school the other's score.
    """
    in_scope, params = school_filter(scope, "b.school_code")
    areas, shown = (
        ("public_area_year_benchmark", "not prefecture.suppressed and ")
        if scope.is_school
        else ("area_year_benchmark", "")
    )
    return frame(
        cursor,
        _COMPARISON.format(in_scope=in_scope, areas=areas, shown=shown),
        [school, year, *params, year],
    )


_AREA_JOIN = """
        left join marts.{areas} {level}
          on {level}.area_level = '{level}' and {level}.area_code = {code}
         and {level}.academic_year = own.academic_year
         and {level}.framework_version = own.framework_version
         and {level}.benchmark_id = own.benchmark_id"""
_COMPARISON = (
    f"""
        with own as (
            select b.academic_year, b.framework_version, b.benchmark_id, b.score,
                   s.hub_code, s.municipality_code, s.prefecture_code
            from marts.school_year_benchmark b join marts.dim_school s using (school_code)
            where b.school_code = ? and b.academic_year = ?
              and b.framework_version = {DEFAULT_VERSION} and {{in_scope}}
        ),
        peers as (
            select p.benchmark_id, p.score
            from marts.school_year_benchmark p join marts.dim_school ps using (school_code)
            where p.academic_year = ? and p.framework_version = {DEFAULT_VERSION}
              and ps.prefecture_code = (select any_value(prefecture_code) from own)
        ),
        ranks as (
            select own.benchmark_id, count(*) as scoring,
                   count(*) filter (where peers.score < own.score) as lower
            from own join peers using (benchmark_id)
            group by own.benchmark_id
        )
        select own.benchmark_id, own.score, hub.mean_score as hub_mean,
               municipality.mean_score as municipality_mean,
               prefecture.mean_score as prefecture_mean, national.mean_score as national_mean,
               case when {{shown}}prefecture.schools_reporting > 1
                    then 100.0 * (ranks.lower / (ranks.scoring - 1)) end as prefecture_percentile
        from own left join ranks using (benchmark_id)"""
    + "".join(
        _AREA_JOIN.format(areas="{areas}", level=level, code=code)
        for level, code in (
            ("hub", "own.hub_code"),
            ("municipality", "own.municipality_code"),
            ("prefecture", "own.prefecture_code"),
            ("national", "'JP'"),
        )
    )
    + """
        order by own.benchmark_id
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
