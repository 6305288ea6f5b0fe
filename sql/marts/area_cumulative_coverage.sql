-- One row per area, academic year, year of schooling and benchmark: reached in this or any year before.
-- Key: (area_level, area_code, academic_year, year_of_schooling, benchmark_id)
-- Incremental: academic_year
-- Sums marts.cumulative_coverage over the area's schools, grouped by year of schooling (通算学年),
-- never by raw grade. A school type without an offset has no year of schooling and is left out.
with cumulative as (
    select * from marts.cumulative_coverage
),

school_areas as (
    select * from marts.school_area
),

by_year as (
    select
        school_areas.area_level,
        school_areas.area_code,
        cumulative.academic_year,
        cumulative.year_of_schooling,
        cumulative.framework_version,
        cumulative.benchmark_id,
        cumulative.coverage_benchmark,
        count(distinct cumulative.school_code) as schools,
        sum(cumulative.students_on_roll) as students_on_roll,
        sum(cumulative.students_reached_ever) as students_reached_ever,
        sum(cumulative.students_reached_before) as students_reached_before,
    from cumulative
    inner join school_areas on cumulative.school_code = school_areas.school_code
    where cumulative.year_of_schooling is not null
    group by all
),

final as (
    select
        *,
        100.0 * students_reached_ever / students_on_roll as coverage_ever_pct,
        100.0 * students_reached_before / students_on_roll as coverage_before_pct,
    from by_year
)

select * from final
