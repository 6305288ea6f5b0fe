-- materialized: view
-- One row per benchmark score of every loaded return, effective or not, for the history by term.
-- Key: (file_id, row_number, benchmark_id)
-- Incremental: academic_year
-- Narrow: school_code
-- A view in the writer DB: nothing reads it there; publishing writes it once, into the snapshot.
with returns as (
    select * from intermediate.int_returns_ranked
),

scores as (
    select * from intermediate.int_return_scores
),

final as (
    select
        returns.school_code,
        returns.academic_year,
        returns.term,
        returns.submitted_on,
        returns.file_id,
        returns.row_number,
        returns.framework_version,
        scores.benchmark_id,
        scores.score,
        returns.is_effective,
        returns.is_superseded,
    from returns
    inner join scores
        on returns.file_id = scores.file_id
        and returns.row_number = scores.row_number
)

select * from final
