-- One row per assessment after resubmissions: the newest file's row, then the later row.
-- Key: (school_code, student_ref, assessed_on, assessor, skill_id)
-- Incremental: academic_year
-- The key of one assessment is (school, student, assessed_on, assessor, skill) (data contract,
-- second edition); year_of_schooling = grade + the school type's offset (ref.schooling_offsets).
with skill_rows as (
    select
        *,
        file_id * 4294967296 + row_number as ingest_order,
    from staging.stg_raw__skills
),

schooling_offsets as (
    select * from ref.schooling_offsets
),

deduplicated as (
    select
        school_code,
        student_ref,
        assessed_on,
        assessor,
        skill_id,
        arg_max(academic_year, ingest_order) as academic_year,
        arg_max(grade, ingest_order) as grade,
        arg_max(step, ingest_order) as step,
        max(ingest_order) as ingest_order,
    from skill_rows
    group by school_code, student_ref, assessed_on, assessor, skill_id
),

final as (
    select
        deduplicated.*,
        deduplicated.grade + schooling_offsets.schooling_offset as year_of_schooling,
    from deduplicated
    left join schooling_offsets
        on left(deduplicated.school_code, 2) = schooling_offsets.type_code
)

select * from final
