-- Bad rows: more students reached than on roll, or a coverage share outside 0-100.
-- Incremental: academic_year
select
    'coverage' as mart,
    school_code as subject,
    academic_year,
    grade,
    benchmark_id,
    students_on_roll,
    students_reached,
from marts.coverage
where students_reached > students_on_roll
    or coverage_pct < 0
    or coverage_pct > 100
union all
select
    'area_coverage',
    area_level || ':' || area_code,
    academic_year,
    year_of_schooling,
    benchmark_id,
    students_on_roll,
    students_reached,
from marts.area_coverage
where students_reached > students_on_roll
    or coverage_pct < 0
    or coverage_pct > 100
