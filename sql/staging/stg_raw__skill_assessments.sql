-- materialized: view
-- One row per skills assessment row loaded (one student, date and assessor; resubmissions included).
-- Key: (file_id, row_number)
-- Incremental: file_id
with source as (
    select * from raw.skill_assessments
),

final as (
    select
        file_id,
        row_number,
        school_code,
        student_ref,
        grade,
        assessed_on,
        academic_year,
        assessor,
        framework_version,
    from source
)

select * from final
