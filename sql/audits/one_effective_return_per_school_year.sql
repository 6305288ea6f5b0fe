-- Bad rows: a school-year (or school-year-benchmark) counted from more than one return.
-- Incremental: academic_year
-- Narrow: school_code
select
    'school_year_summary' as mart,
    school_code,
    academic_year,
    null as benchmark_id,
    count(*) as rows_found,
from marts.school_year_summary
group by school_code, academic_year
having count(*) > 1
union all
select
    'school_year_benchmark',
    school_code,
    academic_year,
    benchmark_id,
    count(*),
from marts.school_year_benchmark
group by school_code, academic_year, benchmark_id
having count(*) > 1
