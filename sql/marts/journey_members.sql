-- One row per (school, student) on any roster or in any link, with their journey and place in it.
-- Key: (school_code, student_ref)
-- Student-level, school users only (see marts.journey_activities). journey_length = the number
-- of schools in the journey; a student in no link is a journey of one.
with journeys as (
    select * from intermediate.int_journeys
),

rostered as (
    select distinct school_code, student_ref from intermediate.int_roster
),

members as (
    select
        coalesce(journeys.school_code, rostered.school_code) as school_code,
        coalesce(journeys.student_ref, rostered.student_ref) as student_ref,
        coalesce(
            journeys.journey_id, rostered.school_code || ':' || rostered.student_ref
        ) as journey_id,
        coalesce(journeys.journey_step, 0) as journey_step,
    from journeys
    full outer join rostered
        on journeys.school_code = rostered.school_code
        and journeys.student_ref = rostered.student_ref
),

final as (
    select
        *,
        count(*) over (partition by journey_id) as journey_length,
    from members
)

select * from final
