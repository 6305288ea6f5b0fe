-- materialized: view
-- One row per criterion answer loaded (criteria-answer files and the browser questionnaire).
-- Key: (file_id, row_number)
-- Incremental: file_id
with source as (
    select * from raw.criterion_answers
),

final as (
    select
        file_id,
        row_number,
        -- The return the answer belongs to: stg_raw__returns (file_id, return_row_number).
        return_row_number,
        criterion_id,
        answer,
        score::double as score,
    from source
)

select * from final
