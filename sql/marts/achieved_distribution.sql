-- One row per area, academic year, framework version and number of benchmarks achieved.
-- Key: (area_level, area_code, academic_year, framework_version, benchmarks_achieved)
-- Incremental: academic_year
-- Narrow: area
-- narrow input: marts.school_area where {areas}
-- narrow input: marts.school_year_summary where {years}
-- Narrow inputs (why): an area's rows of a year hang only on its own schools' rows of that year.
-- schools = reporting schools achieving exactly that many; 0..N all present, zeros included.
with school_years as (
    select * from marts.school_year_summary
),

school_areas as (
    select * from marts.school_area
),

schools_by_count as (
    select
        school_areas.area_level,
        school_areas.area_code,
        school_years.academic_year,
        school_years.framework_version,
        school_years.benchmarks_in_framework,
        school_years.benchmarks_achieved,
        count(*) as schools,
    from school_years
    inner join school_areas on school_years.school_code = school_areas.school_code
    group by all
),

every_count as (
    select distinct
        area_level,
        area_code,
        academic_year,
        framework_version,
        unnest(range(0, benchmarks_in_framework + 1)) as benchmarks_achieved,
    from schools_by_count
),

final as (
    select
        every_count.area_level,
        every_count.area_code,
        every_count.academic_year,
        every_count.framework_version,
        every_count.benchmarks_achieved,
        coalesce(schools_by_count.schools, 0) as schools,
    from every_count
    left join schools_by_count
        on every_count.area_level = schools_by_count.area_level
        and every_count.area_code = schools_by_count.area_code
        and every_count.academic_year = schools_by_count.academic_year
        and every_count.framework_version = schools_by_count.framework_version
        and every_count.benchmarks_achieved = schools_by_count.benchmarks_achieved
)

select * from final
