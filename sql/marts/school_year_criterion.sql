-- One row per criterion of a school's effective return for a year (a return answered by criteria).
-- Key: (school_code, academic_year, criterion_id)
-- Incremental: academic_year
-- Narrow: school_code
with effective_returns as (
    select * from intermediate.int_returns_ranked
    where is_effective
),

return_criteria as (
    select * from intermediate.int_return_criteria
),

final as (
    select
        effective_returns.school_code,
        effective_returns.academic_year,
        effective_returns.framework_version,
        return_criteria.benchmark_id,
        return_criteria.criterion_id,
        return_criteria.position,
        return_criteria.score as criterion_score,
        -- Met: the criterion scores 100.
        return_criteria.met,
        effective_returns.term,
        effective_returns.submitted_on,
        effective_returns.file_id,
    from effective_returns
    inner join return_criteria
        on effective_returns.file_id = return_criteria.file_id
        and effective_returns.row_number = return_criteria.return_row_number
)

select * from final
