-- One row per area, academic year, year of schooling and benchmark (null: all years together).
-- Key: (area_level, area_code, academic_year, year_of_schooling, benchmark_id)
-- Incremental: academic_year
-- Grouped by year of schooling (通算学年), never by raw grade: grade 1 of a junior high and
-- grade 1 of a high school are different children (data contract, second edition).
with coverage as (
    select * from marts.coverage
),

school_areas as (
    select * from marts.school_area
),

school_coverage as (
    select
        school_areas.area_level,
        school_areas.area_code,
        coverage.*,
    from coverage
    inner join school_areas on coverage.school_code = school_areas.school_code
),

-- A school type without an offset has no year of schooling: it counts only in all years.
by_year as (
    select
        area_level,
        area_code,
        academic_year,
        year_of_schooling,
        framework_version,
        benchmark_id,
        coverage_benchmark,
        count(distinct school_code) as schools,
        sum(students_on_roll) as students_on_roll,
        sum(students_reached) as students_reached,
        sum(meaningful_reached) as meaningful_reached,
        sum(activities_counted) as activities_counted,
        sum(activities_prep_unknown) as activities_prep_unknown,
    from school_coverage
    where year_of_schooling is not null
    group by all
),

all_years as (
    select
        area_level,
        area_code,
        academic_year,
        null::integer as year_of_schooling,
        framework_version,
        benchmark_id,
        coverage_benchmark,
        count(distinct school_code) as schools,
        sum(students_on_roll) as students_on_roll,
        sum(students_reached) as students_reached,
        sum(meaningful_reached) as meaningful_reached,
        sum(activities_counted) as activities_counted,
        sum(activities_prep_unknown) as activities_prep_unknown,
    from school_coverage
    group by all
),

final as (
    select
        *,
        100.0 * students_reached / students_on_roll as coverage_pct,
        100.0 * meaningful_reached / students_on_roll as meaningful_coverage_pct,
        100.0 * activities_prep_unknown / nullif(activities_counted, 0) as prep_unknown_pct,
    from (
        select * from by_year
        union all
        select * from all_years
    )
)

select * from final
