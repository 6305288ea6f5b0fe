-- Bad rows: a score or mean score outside 0-100 (or missing) in the score marts.
-- Incremental: academic_year
select
    'school_year_benchmark' as mart,
    school_code as subject,
    academic_year,
    benchmark_id,
    score as value,
from marts.school_year_benchmark
where score is null or score < 0 or score > 100
union all
select
    'school_year_summary',
    school_code,
    academic_year,
    null,
    mean_score,
from marts.school_year_summary
where mean_score < 0 or mean_score > 100
union all
select
    'area_year_benchmark',
    area_level || ':' || area_code,
    academic_year,
    benchmark_id,
    mean_score,
from marts.area_year_benchmark
where mean_score is null or mean_score < 0 or mean_score > 100
