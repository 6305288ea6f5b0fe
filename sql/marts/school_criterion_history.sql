-- One row per criterion answered in each loaded criteria return that was not resubmitted.
-- Key: (school_code, academic_year, term, submitted_on, criterion_id)
-- Incremental: academic_year
-- Narrow: school_code
-- What "the change since the previous return" reads: the school's earlier criteria returns.
with returns as (
    select * from intermediate.int_returns_ranked
    where not is_superseded
),

return_criteria as (
    select * from intermediate.int_return_criteria
),

final as (
    select
        returns.school_code,
        returns.academic_year,
        returns.term,
        returns.submitted_on,
        returns.file_id,
        returns.framework_version,
        return_criteria.benchmark_id,
        return_criteria.criterion_id,
        return_criteria.score as criterion_score,
        return_criteria.met,
        returns.is_effective,
    from returns
    inner join return_criteria
        on returns.file_id = return_criteria.file_id
        and returns.row_number = return_criteria.return_row_number
)

select * from final
