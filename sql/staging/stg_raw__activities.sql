-- materialized: view
-- One row per student activity row loaded (resubmissions included; deduplicated downstream).
-- Key: (file_id, row_number)
-- Incremental: file_id
with source as (
    select * from raw.activities
),

final as (
    select
        file_id,
        row_number,
        school_code,
        student_ref,
        grade,
        activity_type,
        activity_date,
        academic_year,
        hours,
        provider,
        prepared,
        reflected,
    from source
)

select * from final
