-- materialized: view
-- One row per activity after resubmissions: the newest file's row per school, student, type, date.
-- Key: (school_code, student_ref, activity_type, activity_date)
-- Incremental: academic_year
-- A view: coverage only needs who was reached (see marts.coverage), so the
-- deduplicated rows with their hours and provider are computed only when someone asks.
with activity_rows as (
    select
        *,
        file_id * 4294967296 + row_number as ingest_order,
    from staging.stg_raw__activities
),

final as (
    select
        school_code,
        student_ref,
        activity_type,
        activity_date,
        arg_max(academic_year, ingest_order) as academic_year,
        arg_max(grade, ingest_order) as grade,
        arg_max(hours, ingest_order) as hours,
        arg_max(provider, ingest_order) as provider,
        arg_max(prepared, ingest_order) as prepared,
        arg_max(reflected, ingest_order) as reflected,
        max(file_id) as file_id,
        arg_max(row_number, ingest_order) as row_number,
    from activity_rows
    group by school_code, student_ref, activity_type, activity_date
)

select * from final
