-- materialized: view
-- One row per skill step loaded: an assessment row's step for one skill (resubmissions included).
-- Key: (file_id, row_number, skill_id)
-- Incremental: file_id
with assessments as (
    select * from raw.skill_assessments
),

steps as (
    select * from raw.skill_steps
),

final as (
    select
        assessments.file_id,
        assessments.row_number,
        assessments.school_code,
        assessments.student_ref,
        assessments.grade,
        assessments.assessed_on,
        assessments.academic_year,
        assessments.assessor,
        assessments.framework_version,
        steps.skill_id,
        steps.step,
    from steps
    inner join assessments
        on steps.file_id = assessments.file_id
        and steps.row_number = assessments.row_number
)

select * from final
