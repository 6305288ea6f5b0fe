-- Bad rows: a student's latest or first step outside 0 .. the skill's highest step, or a skill
-- the framework in force does not have.
select
    students.school_code as subject,
    students.academic_year,
    students.skill_id,
    students.latest_step as value,
from marts.skills_student_year as students
left join marts.dim_skill as skills on students.skill_id = skills.skill_id
where skills.skill_id is null
    or students.latest_step < 0 or students.latest_step > skills.max_step
    or students.first_step < 0 or students.first_step > skills.max_step
