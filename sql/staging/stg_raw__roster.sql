-- materialized: view
-- One row per roster row loaded (a student may appear in several files; latest wins downstream).
-- Key: (file_id, row_number)
-- Incremental: file_id
with source as (
    select * from raw.roster
),

final as (
    select
        file_id,
        row_number,
        school_code,
        academic_year,
        student_ref,
        grade,
    from source
)

select * from final
