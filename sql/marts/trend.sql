-- One row per area, benchmark and academic year, ready for line charts.
-- Key: (area_level, area_code, benchmark_id, academic_year, framework_version)
-- Incremental: academic_year
-- Narrow: area
-- benchmark_id 'ALL' carries the area-year summary: mean_score = avg benchmarks achieved,
-- pct_fully_achieved = pct all achieved.
with benchmark_years as (
    select * from marts.area_year_benchmark
),

summary_years as (
    select * from marts.area_year_summary
    where schools_reporting > 0
),

final as (
    select
        area_level,
        area_code,
        benchmark_id,
        academic_year,
        framework_version,
        schools_reporting,
        mean_score,
        pct_fully_achieved,
    from benchmark_years
    union all
    select
        area_level,
        area_code,
        'ALL' as benchmark_id,
        academic_year,
        framework_version,
        schools_reporting,
        avg_benchmarks_achieved as mean_score,
        pct_all_achieved as pct_fully_achieved,
    from summary_years
)

select * from final
