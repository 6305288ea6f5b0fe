-- materialized: view
-- One row per self-assessment return loaded (its scores are in stg_raw__return_scores).
-- Key: (file_id, row_number)
-- Incremental: file_id
with source as (
    select * from raw.returns
),

final as (
    select
        file_id,
        row_number,
        school_code,
        academic_year,
        term,
        submitted_on,
        framework_version,
    from source
)

select * from final
