-- Bad rows: a share of schools (fully achieved, all achieved) outside 0-100.
-- Incremental: academic_year
select
    'area_year_benchmark' as mart,
    area_level,
    area_code,
    academic_year,
    benchmark_id,
    pct_fully_achieved as value,
from marts.area_year_benchmark
where pct_fully_achieved < 0 or pct_fully_achieved > 100
union all
select
    'area_year_summary',
    area_level,
    area_code,
    academic_year,
    null,
    pct_all_achieved,
from marts.area_year_summary
where pct_all_achieved < 0 or pct_all_achieved > 100
