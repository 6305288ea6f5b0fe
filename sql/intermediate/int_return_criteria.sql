-- One row per criterion answered in a loaded criteria return: the answer that counts.
-- Key: (file_id, return_row_number, criterion_id)
-- Incremental: file_id
-- A criterion answered twice in the same return: the later row wins (the other stays in raw).
with answers as (
    select * from staging.stg_raw__criterion_answers
),

returns as (
    select * from staging.stg_raw__returns
),

criteria as (
    select * from ref.criteria
),

latest as (
    select
        *,
        row_number() over (
            partition by file_id, return_row_number, criterion_id
            order by row_number desc
        ) as answer_rank,
    from answers
),

final as (
    select
        latest.file_id,
        latest.return_row_number,
        latest.criterion_id,
        returns.framework_version,
        criteria.benchmark_id,
        criteria.position,
        criteria.kind,
        latest.row_number,
        latest.answer,
        latest.score,
        -- Met: the criterion scores 100 (yes, achieved, or every student).
        latest.score = 100 as met,
    from latest
    inner join returns
        on latest.file_id = returns.file_id
        and latest.return_row_number = returns.row_number
    inner join criteria
        on returns.framework_version = criteria.framework_version
        and latest.criterion_id = criteria.criterion_id
    where latest.answer_rank = 1
)

select * from final
