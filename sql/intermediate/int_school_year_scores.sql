-- materialized: view
-- One row per school, academic year and benchmark scored in the school's effective return.
-- Key: (school_code, academic_year, benchmark_id)
-- Incremental: academic_year
-- Narrow: school_code
-- A view: its one reader (school_year_benchmark) joins once; writing its 1M+ rows out would
-- cost more than that join.
with effective_returns as (
    select * from intermediate.int_returns_ranked
    where is_effective
),

scores as (
    select * from intermediate.int_return_scores
),

framework_benchmarks as (
    select * from ref.benchmarks
),

final as (
    select
        effective_returns.school_code,
        effective_returns.academic_year,
        effective_returns.framework_version,
        effective_returns.term,
        effective_returns.submitted_on,
        effective_returns.file_id,
        scores.benchmark_id,
        framework_benchmarks.position,
        scores.score,
        scores.fully_achieved,
        -- False would mean a score for a benchmark its framework version does not have
        -- (audited by benchmark_in_framework).
        framework_benchmarks.benchmark_id is not null as in_framework,
    from effective_returns
    inner join scores
        on effective_returns.file_id = scores.file_id
        and effective_returns.row_number = scores.row_number
    left join framework_benchmarks
        on effective_returns.framework_version = framework_benchmarks.framework_version
        and scores.benchmark_id = framework_benchmarks.benchmark_id
)

select * from final
