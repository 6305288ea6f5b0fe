-- One row per area (or school), academic year, year of schooling, skill and assessor.
-- Key: (area_level, area_code, academic_year, year_of_schooling, skill_id, assessor)
-- Incremental: academic_year
-- Over the students of the area's schools (year_of_schooling from the student's latest
-- assessment of the year; null = all years together); mean_step = mean of latest_step;
-- mean_progress over students with a progress value. Level `school`: area_code = school code.
-- Teacher and self assessments are never mixed.
with students as (
    select * from marts.skills_student_year
),

school_areas as (
    select school_code, area_level, area_code from marts.school_area
    union all
    select school_code, 'school', school_code from marts.dim_school
),

area_students as (
    select
        school_areas.area_level,
        school_areas.area_code,
        students.*,
    from students
    inner join school_areas on students.school_code = school_areas.school_code
),

-- A school type without an offset has no year of schooling: it counts only in all years.
by_year as (
    select
        area_level,
        area_code,
        academic_year,
        year_of_schooling,
        skill_id,
        assessor,
        count(distinct school_code) as schools,
        count(*) as students_assessed,
        avg(latest_step) as mean_step,
        count(progress) as students_with_progress,
        avg(progress) as mean_progress,
    from area_students
    where year_of_schooling is not null
    group by area_level, area_code, academic_year, year_of_schooling, skill_id, assessor
),

all_years as (
    select
        area_level,
        area_code,
        academic_year,
        null::integer as year_of_schooling,
        skill_id,
        assessor,
        count(distinct school_code) as schools,
        count(*) as students_assessed,
        avg(latest_step) as mean_step,
        count(progress) as students_with_progress,
        avg(progress) as mean_progress,
    from area_students
    group by area_level, area_code, academic_year, skill_id, assessor
),

final as (
    select * from by_year
    union all
    select * from all_years
)

select * from final
