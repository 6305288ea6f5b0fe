-- One row per (school, student) joined to another by a link in effect, with its journey.
-- Key: (school_code, student_ref)
-- journey_id = school code and student ref of the journey's earliest member joined by ':';
-- journey_step = 0 for that member, +1 at each school after it. A student in no link has no
-- row here: their journey is themselves (models use coalesce(journey_id, school:ref), step 0).
with recursive links as (
    select * from intermediate.int_student_links
),

starts as (
    select distinct
        links.from_school_code as school_code,
        links.from_student_ref as student_ref,
    from links
    anti join links as earlier
        on links.from_school_code = earlier.to_school_code
        and links.from_student_ref = earlier.to_student_ref
),

walk as (
    select
        school_code,
        student_ref,
        school_code || ':' || student_ref as journey_id,
        0 as journey_step,
    from starts
    union all
    select
        links.to_school_code as school_code,
        links.to_student_ref as student_ref,
        walk.journey_id,
        walk.journey_step + 1 as journey_step,
    from walk
    inner join links
        on walk.school_code = links.from_school_code
        and walk.student_ref = links.from_student_ref
    where walk.journey_step < 20
),

final as (
    select
        school_code,
        student_ref,
        journey_id,
        journey_step,
    from walk
)

select * from final
