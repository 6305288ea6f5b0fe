-- One row per school and academic year with an effective return: the school-year measures.
-- Key: (school_code, academic_year)
-- Incremental: academic_year
-- Narrow: school_code
with effective_returns as (
    select * from intermediate.int_returns_ranked
    where is_effective
),

scores as (
    select * from intermediate.int_school_year_scores
),

framework_sizes as (
    select distinct
        framework_version,
        benchmarks_in_framework,
    from ref.benchmarks
),

measures as (
    select
        school_code,
        academic_year,
        count(*) as benchmarks_reported,
        count(*) filter (where fully_achieved) as benchmarks_achieved,
        avg(score) as mean_score,
    from scores
    group by school_code, academic_year
),

final as (
    select
        effective_returns.school_code,
        effective_returns.academic_year,
        effective_returns.framework_version,
        effective_returns.term,
        effective_returns.submitted_on,
        framework_sizes.benchmarks_in_framework,
        coalesce(measures.benchmarks_reported, 0) as benchmarks_reported,
        coalesce(measures.benchmarks_achieved, 0) as benchmarks_achieved,
        -- All achieved: every benchmark of the return's framework version fully achieved.
        coalesce(measures.benchmarks_achieved, 0) = framework_sizes.benchmarks_in_framework
            as all_achieved,
        measures.mean_score,
    from effective_returns
    left join measures
        on effective_returns.school_code = measures.school_code
        and effective_returns.academic_year = measures.academic_year
    left join framework_sizes
        on effective_returns.framework_version = framework_sizes.framework_version
)

select * from final
