-- One row per activity (resubmissions resolved) with the journey of the student it belongs to.
-- Key: (school_code, student_ref, activity_type, activity_date)
-- Incremental: academic_year
-- Student-level: for the student's record (生徒の記録), read only by the school's own users, and
-- never published outside the building. journey_id as in intermediate.int_journeys (a student
-- in no link is a journey of one, school:ref, step 0).
with activities as (
    select * from intermediate.int_activities
),

journeys as (
    select * from intermediate.int_journeys
),

final as (
    select
        coalesce(journeys.journey_id, activities.school_code || ':' || activities.student_ref)
            as journey_id,
        coalesce(journeys.journey_step, 0) as journey_step,
        activities.school_code,
        activities.student_ref,
        activities.academic_year,
        activities.grade,
        activities.activity_type,
        activities.activity_date,
        activities.hours,
        activities.prepared,
        activities.reflected,
        coalesce(activities.prepared and activities.reflected, false) as meaningful,
    from activities
    left join journeys
        on activities.school_code = journeys.school_code
        and activities.student_ref = journeys.student_ref
)

select * from final
