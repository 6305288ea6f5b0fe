-- One row per (school, student) on any roster or in any link, with their journey and place in it.
-- Key: (school_code, student_ref)
-- Student-level, school users only (see marts.journey_activities). journey_length = the number
-- of schools in the journey (a student in no link is a journey of one). latest_year / latest_grade:
-- the student's latest roster year and grade at this school; on_current_roll when that year is the
-- school's latest roster year; final_year when that grade ends a school stage (year of schooling
-- 6, 9 or 12: the leaving cohort a handover sheet is for).
with journeys as (
    select * from intermediate.int_journeys
),

roster as (
    select * from intermediate.int_roster
),

schooling_offsets as (
    select * from ref.schooling_offsets
),

latest_rows as (
    select
        school_code,
        student_ref,
        max(academic_year) as latest_year,
        arg_max(grade, academic_year) as latest_grade,
    from roster
    group by all
),

school_years as (
    select
        school_code,
        max(academic_year) as school_latest_year,
    from roster
    group by all
),

members as (
    select
        coalesce(journeys.school_code, latest_rows.school_code) as school_code,
        coalesce(journeys.student_ref, latest_rows.student_ref) as student_ref,
        coalesce(
            journeys.journey_id, latest_rows.school_code || ':' || latest_rows.student_ref
        ) as journey_id,
        coalesce(journeys.journey_step, 0) as journey_step,
        latest_rows.latest_year,
        latest_rows.latest_grade,
    from journeys
    full outer join latest_rows
        on journeys.school_code = latest_rows.school_code
        and journeys.student_ref = latest_rows.student_ref
),

final as (
    select
        members.*,
        count(*) over (partition by members.journey_id) as journey_length,
        coalesce(members.latest_year = school_years.school_latest_year, false)
            as on_current_roll,
        coalesce(
            members.latest_grade + schooling_offsets.schooling_offset in (6, 9, 12), false
        ) as final_year,
    from members
    left join school_years on members.school_code = school_years.school_code
    left join schooling_offsets on left(members.school_code, 2) = schooling_offsets.type_code
)

select * from final
