-- materialized: view
-- One row per benchmark scored in a loaded return, whether sent as percentages or as criteria.
-- Key: (file_id, row_number, benchmark_id)
-- Incremental: file_id
-- From criteria: the mean of the benchmark's criteria scores, only when every criterion of the
-- benchmark is answered in the return; otherwise the benchmark is not assessed (no row).
with percentage_scores as (
    select * from staging.stg_raw__return_scores
),

return_criteria as (
    select * from intermediate.int_return_criteria
),

criteria_per_benchmark as (
    select distinct
        framework_version,
        benchmark_id,
        criteria_in_benchmark,
    from ref.criteria
),

criteria_scores as (
    select
        return_criteria.file_id,
        return_criteria.return_row_number as row_number,
        return_criteria.benchmark_id,
        avg(return_criteria.score) as score,
        count(*) as criteria_answered,
        any_value(criteria_per_benchmark.criteria_in_benchmark) as criteria_in_benchmark,
    from return_criteria
    inner join criteria_per_benchmark
        on return_criteria.framework_version = criteria_per_benchmark.framework_version
        and return_criteria.benchmark_id = criteria_per_benchmark.benchmark_id
    group by all
),

scores as (
    select
        file_id,
        row_number,
        benchmark_id,
        score,
    from percentage_scores
    union all
    select
        file_id,
        row_number,
        benchmark_id,
        score,
    from criteria_scores
    where criteria_answered = criteria_in_benchmark
),

final as (
    select
        *,
        -- Fully achieved only at exactly 100 (Compass convention): defined here, once, for
        -- every reader of a return's scores.
        score = 100 as fully_achieved,
    from scores
)

select * from final
