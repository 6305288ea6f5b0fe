-- One row per reason a school needs support in an academic year.
-- Key: (school_code, academic_year, flag, benchmark_id, grade)
-- Incremental: academic_year >= touched
-- Narrow: school_code
-- narrow through: hub
-- Narrow guard (why): a school's flags hang on its own rows, its hub's means (narrow through:
-- the schools of a changed hub are rebuilt) and the date staleness is counted to (the newest
-- return, capped at the build date), read across schools: narrowed while the new returns are
-- no newer than that date (the first file of a day that moves it rebuilds the year).
-- narrow guard: select coalesce((select max(submitted_on) from raw.returns
-- narrow guard: where file_id in ({files})) <= (select least(any_value(build_date.build_date),
-- narrow guard: max(ranked.submitted_on)) from intermediate.int_returns_ranked as ranked,
-- narrow guard: ref.build_date as build_date), true)
-- Guard (why): the latest year (high no_return, where stale_data rows go) must be one of
-- the years rebuilt, before as after: the last build's latest year is at or after {start}.
-- guard: select coalesce(max(academic_year) >= {start}, false) from marts.school_year_summary
-- A table, not a view: computed once per build, then read by the flags and copied when published.
-- Thresholds come from ref.build_params (settings [support_flags]); sentences from ref.messages.
-- Severity rules:
--   no_return           not returned this term (marts.return_status.is_due): high for the
--                       latest academic year in the data, low for earlier years.
--   below_hub_mean      high when the gap to the hub mean is at least twice the threshold.
--   fall_in_achieved    high when the fall is at least twice the threshold.
--   fall_in_mean_score  high when the fall is at least twice the threshold.
--   low_coverage        high when under half the threshold share of the grade was reached.
--   no_workplace_so_far students in the last year of a school stage (year of schooling 6, 9
--                       or 12) without any workplace experience so far, at any school of their
--                       journey (marts.cumulative_coverage): medium (a plan for the coming
--                       months, not an emergency like a missing return).
--   stale_data          medium when older than twice the threshold, else low; age is counted
--                       to the newest return received (capped at the build date, ref.build_date:
--                       only these rows, in the latest year, may move with the date).
--   Otherwise medium.
with params as (
    select * from ref.build_params
),

build_date as (
    select * from ref.build_date
),

messages as (
    select * from ref.messages
),

schools as (
    select * from marts.dim_school
),

school_years as (
    select * from marts.school_year_summary
),

-- Read apart from school_years (not through it): a CTE read without the changed schools' filter
-- would be computed for every school when one school's flags are rebuilt.
latest_year as (
    select max(academic_year) as academic_year from marts.school_year_summary
),

hub_means as (
    select
        area_code as hub_code,
        academic_year,
        framework_version,
        avg_benchmarks_achieved as hub_mean,
    from marts.area_year_summary
    where area_level = 'hub' and schools_reporting > 0
),

return_status as (
    select * from marts.return_status
),

-- Not returned this term (marts.return_status: the school's due term of the year), the same
-- definition the returns page and the overview use. A school with no return at all that year
-- and one that returned earlier terms but not its due term get different sentences.
no_return as (
    select
        return_status.school_code,
        return_status.academic_year,
        'no_return' as flag,
        case
            when return_status.academic_year = latest_year.academic_year then 'high' else 'low'
        end as severity,
        replace(replace(
            case when school_years.school_code is null then no_year.ja else no_term.ja end,
            '{year}', return_status.academic_year::varchar),
            '{term}', return_status.term::varchar) as detail_ja,
        replace(replace(
            case when school_years.school_code is null then no_year.en else no_term.en end,
            '{year}', return_status.academic_year::varchar),
            '{term}', return_status.term::varchar) as detail_en,
    from return_status
    cross join latest_year
    inner join messages as no_year on no_year.key = 'flag_no_return'
    inner join messages as no_term on no_term.key = 'flag_no_return_term'
    left join school_years
        on return_status.school_code = school_years.school_code
        and return_status.academic_year = school_years.academic_year
    where return_status.is_due and not return_status.has_return
),

below_hub_mean as (
    select
        school_years.school_code,
        school_years.academic_year,
        'below_hub_mean' as flag,
        case
            when hub_means.hub_mean - school_years.benchmarks_achieved
                >= 2 * params.below_hub_mean_benchmarks then 'high'
            else 'medium'
        end as severity,
        replace(replace(replace(replace(messages.ja,
            '{achieved}', school_years.benchmarks_achieved::varchar),
            '{hub_mean}', printf('%.1f', hub_means.hub_mean)),
            '{gap}', printf('%.1f', hub_means.hub_mean - school_years.benchmarks_achieved)),
            '{threshold}', printf('%g', params.below_hub_mean_benchmarks)) as detail_ja,
        replace(replace(replace(replace(messages.en,
            '{achieved}', school_years.benchmarks_achieved::varchar),
            '{hub_mean}', printf('%.1f', hub_means.hub_mean)),
            '{gap}', printf('%.1f', hub_means.hub_mean - school_years.benchmarks_achieved)),
            '{threshold}', printf('%g', params.below_hub_mean_benchmarks)) as detail_en,
    from school_years
    inner join schools on school_years.school_code = schools.school_code
    inner join hub_means
        on schools.hub_code = hub_means.hub_code
        and school_years.academic_year = hub_means.academic_year
        and school_years.framework_version = hub_means.framework_version
    cross join params
    inner join messages on messages.key = 'flag_below_hub_mean'
    -- The small epsilon keeps a gap of exactly the threshold flagged despite float rounding.
    where school_years.benchmarks_achieved
        <= hub_means.hub_mean - params.below_hub_mean_benchmarks + 1e-9
),

fall_in_achieved as (
    select
        school_years.school_code,
        school_years.academic_year,
        'fall_in_achieved' as flag,
        case
            when -school_years.change_benchmarks_achieved
                >= 2 * params.fall_benchmarks_achieved then 'high'
            else 'medium'
        end as severity,
        replace(replace(replace(messages.ja,
            '{before}', school_years.prev_benchmarks_achieved::varchar),
            '{after}', school_years.benchmarks_achieved::varchar),
            '{change}', printf('%+d', school_years.change_benchmarks_achieved)) as detail_ja,
        replace(replace(replace(messages.en,
            '{before}', school_years.prev_benchmarks_achieved::varchar),
            '{after}', school_years.benchmarks_achieved::varchar),
            '{change}', printf('%+d', school_years.change_benchmarks_achieved)) as detail_en,
    from school_years
    cross join params
    inner join messages on messages.key = 'flag_fall_in_achieved'
    where school_years.change_benchmarks_achieved <= -params.fall_benchmarks_achieved
),

fall_in_mean_score as (
    select
        school_years.school_code,
        school_years.academic_year,
        'fall_in_mean_score' as flag,
        case
            when -school_years.change_mean_score
                >= 2 * params.fall_mean_score_points then 'high'
            else 'medium'
        end as severity,
        replace(replace(replace(messages.ja,
            '{before}', printf('%.1f', school_years.prev_mean_score)),
            '{after}', printf('%.1f', school_years.mean_score)),
            '{change}', printf('%+.1f', school_years.change_mean_score)) as detail_ja,
        replace(replace(replace(messages.en,
            '{before}', printf('%.1f', school_years.prev_mean_score)),
            '{after}', printf('%.1f', school_years.mean_score)),
            '{change}', printf('%+.1f', school_years.change_mean_score)) as detail_en,
    from school_years
    cross join params
    inner join messages on messages.key = 'flag_fall_in_mean_score'
    where school_years.change_mean_score <= -params.fall_mean_score_points + 1e-9
),

low_coverage as (
    select
        coverage.school_code,
        coverage.academic_year,
        'low_coverage' as flag,
        case
            when coverage.coverage_pct < params.coverage_below_pct / 2 then 'high'
            else 'medium'
        end as severity,
        coverage.benchmark_id,
        coverage.grade,
        replace(replace(replace(replace(replace(replace(messages.ja,
            '{grade}', coverage.grade::varchar),
            '{benchmark}', benchmarks.name_ja),
            '{reached}', coverage.students_reached::varchar),
            '{on_roll}', coverage.students_on_roll::varchar),
            '{pct}', printf('%.1f', coverage.coverage_pct)),
            '{threshold}', printf('%g', params.coverage_below_pct)) as detail_ja,
        replace(replace(replace(replace(replace(replace(messages.en,
            '{grade}', coverage.grade::varchar),
            '{benchmark}', benchmarks.name_en),
            '{reached}', coverage.students_reached::varchar),
            '{on_roll}', coverage.students_on_roll::varchar),
            '{pct}', printf('%.1f', coverage.coverage_pct)),
            '{threshold}', printf('%g', params.coverage_below_pct)) as detail_en,
    from marts.coverage as coverage
    inner join ref.benchmarks as benchmarks
        on coverage.framework_version = benchmarks.framework_version
        and coverage.benchmark_id = benchmarks.benchmark_id
    cross join params
    inner join messages on messages.key = 'flag_low_coverage'
    where coverage.coverage_benchmark
        and coverage.coverage_pct < params.coverage_below_pct
),

-- The benchmark workplace experiences count toward (B6 in the default framework).
workplace_benchmarks as (
    select distinct benchmark_activity_types.benchmark_id
    from ref.benchmark_activity_types as benchmark_activity_types
    inner join params
        on benchmark_activity_types.framework_version = params.default_framework_version
    where benchmark_activity_types.activity_type = 'workplace_experience'
),

no_workplace_so_far as (
    select
        cumulative.school_code,
        cumulative.academic_year,
        'no_workplace_so_far' as flag,
        'medium' as severity,
        replace(replace(replace(messages.ja,
            '{grade}', cumulative.grade::varchar),
            '{missing}', (cumulative.students_on_roll - cumulative.students_reached_ever)::varchar),
            '{on_roll}', cumulative.students_on_roll::varchar) as detail_ja,
        replace(replace(replace(messages.en,
            '{grade}', cumulative.grade::varchar),
            '{missing}', (cumulative.students_on_roll - cumulative.students_reached_ever)::varchar),
            '{on_roll}', cumulative.students_on_roll::varchar) as detail_en,
        cumulative.benchmark_id,
        cumulative.grade,
    from marts.cumulative_coverage as cumulative
    inner join workplace_benchmarks
        on cumulative.benchmark_id = workplace_benchmarks.benchmark_id
    inner join messages on messages.key = 'flag_no_workplace_so_far'
    where cumulative.year_of_schooling in (6, 9, 12)
        and cumulative.students_reached_ever < cumulative.students_on_roll
),

latest_submission as (
    select
        school_code,
        max(submitted_on) as submitted_on,
    from intermediate.int_returns_ranked
    group by school_code
),

-- Staleness is measured against the newest return received (never later than the build date):
-- a warehouse that has not been fed for a while is a data problem, not every school's.
data_as_of as (
    select
        least(build_date.build_date, max(ranked.submitted_on)) as as_of,
    from intermediate.int_returns_ranked as ranked
    cross join build_date
    group by build_date.build_date
),

stale_data as (
    select
        latest_submission.school_code,
        latest_year.academic_year,
        'stale_data' as flag,
        case
            when date_diff('day', latest_submission.submitted_on, data_as_of.as_of)
                > 2 * params.stale_after_days then 'medium'
            else 'low'
        end as severity,
        replace(replace(replace(replace(messages.ja,
            '{submitted_on}', latest_submission.submitted_on::varchar),
            '{days}', date_diff('day', latest_submission.submitted_on, data_as_of.as_of)::varchar),
            '{threshold}', params.stale_after_days::varchar),
            '{as_of}', data_as_of.as_of::varchar) as detail_ja,
        replace(replace(replace(replace(messages.en,
            '{submitted_on}', latest_submission.submitted_on::varchar),
            '{days}', date_diff('day', latest_submission.submitted_on, data_as_of.as_of)::varchar),
            '{threshold}', params.stale_after_days::varchar),
            '{as_of}', data_as_of.as_of::varchar) as detail_en,
    from latest_submission
    inner join schools on latest_submission.school_code = schools.school_code
    cross join latest_year
    cross join params
    cross join data_as_of
    inner join messages on messages.key = 'flag_stale_data'
    where date_diff('day', latest_submission.submitted_on, data_as_of.as_of)
        > params.stale_after_days
),

final as (
    select
        school_code,
        academic_year,
        flag,
        severity,
        detail_ja,
        detail_en,
        benchmark_id,
        grade,
    from (
        select * from no_return
        union all by name
        select * from below_hub_mean
        union all by name
        select * from fall_in_achieved
        union all by name
        select * from fall_in_mean_score
        union all by name
        select * from low_coverage
        union all by name
        select * from no_workplace_so_far
        union all by name
        select * from stale_data
    )
)

select * from final
