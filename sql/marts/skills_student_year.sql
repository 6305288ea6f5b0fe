-- One row per student, skill and assessor in an academic year: first and latest step, progress.
-- Key: (school_code, academic_year, student_ref, skill_id, assessor)
-- Incremental: academic_year
-- assessments = distinct dates; first/latest step = the step on the earliest/latest date;
-- progress = latest - first, only with assessments on two or more dates (data contract, second
-- edition). grade and year_of_schooling: the student's latest assessment of the year (any skill,
-- either assessor; same date: the newer file's row), so a student counts in one year of schooling.
with assessments as (
    select * from intermediate.int_skill_assessments
),

student_years as (
    select
        school_code,
        academic_year,
        student_ref,
        arg_max(grade, (assessed_on, ingest_order)) as grade,
        arg_max(year_of_schooling, (assessed_on, ingest_order)) as year_of_schooling,
    from assessments
    group by school_code, academic_year, student_ref
),

per_skill as (
    select
        school_code,
        academic_year,
        student_ref,
        skill_id,
        assessor,
        count(*) as assessments,
        arg_min(step, assessed_on) as first_step,
        arg_max(step, assessed_on) as latest_step,
        min(assessed_on) as first_assessed_on,
        max(assessed_on) as latest_assessed_on,
    from assessments
    group by school_code, academic_year, student_ref, skill_id, assessor
),

final as (
    select
        per_skill.school_code,
        per_skill.academic_year,
        per_skill.student_ref,
        per_skill.skill_id,
        per_skill.assessor,
        per_skill.assessments,
        per_skill.first_step,
        per_skill.latest_step,
        case
            when per_skill.assessments >= 2 then per_skill.latest_step - per_skill.first_step
        end as progress,
        per_skill.first_assessed_on,
        per_skill.latest_assessed_on,
        student_years.grade,
        student_years.year_of_schooling,
    from per_skill
    inner join student_years
        on per_skill.school_code = student_years.school_code
        and per_skill.academic_year = student_years.academic_year
        and per_skill.student_ref = student_years.student_ref
)

select * from final
