-- materialized: view
-- One row per skill step loaded: an assessment row's step for one skill (resubmissions included).
-- Key: (file_id, row_number, skill_id)
-- Incremental: file_id
-- Its assessment is the stg_raw__skill_assessments row (file_id, row_number).
with source as (
    select * from raw.skill_steps
),

final as (
    select
        file_id,
        row_number,
        skill_id,
        step,
    from source
)

select * from final
