-- materialized: view
-- One row per student link loaded (replaced links included; resolved in int_student_links).
-- Key: (file_id, row_number)
with source as (
    select * from raw.student_links
),

final as (
    select
        file_id,
        row_number,
        from_school_code,
        from_student_ref,
        to_school_code,
        to_student_ref,
        linked_on,
        file_id * 4294967296 + row_number as ingest_order,
    from source
)

select * from final
