-- One row per area, academic year, framework version and benchmark scored by a school.
-- Key: (area_level, area_code, academic_year, framework_version, benchmark_id)
-- Incremental: academic_year
-- Narrow: area
with scores as (
    select * from marts.school_year_benchmark
),

school_areas as (
    select * from marts.school_area
),

final as (
    select
        school_areas.area_level,
        school_areas.area_code,
        scores.academic_year,
        scores.framework_version,
        scores.benchmark_id,
        count(*) as schools_reporting,
        count(*) filter (where scores.fully_achieved) as schools_fully_achieved,
        avg(scores.score) as mean_score,
        100.0 * count(*) filter (where scores.fully_achieved) / count(*) as pct_fully_achieved,
    from scores
    inner join school_areas on scores.school_code = school_areas.school_code
    group by all
)

select * from final
