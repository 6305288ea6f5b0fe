-- One row per area with registered schools, academic year and framework version answered.
-- Key: (area_level, area_code, academic_year, framework_version)
-- Incremental: academic_year >= touched
-- Narrow: area
-- narrow input: marts.school_area where {areas}
-- narrow input: marts.school_year_summary where academic_year >= {start} - 1
-- Narrow inputs (why): an area's rows hang on its own schools' areas; a year's, on that year
-- and the year before (its prev_ columns).
-- Narrow guard (why): a year's framework versions are read across areas (an area where no
-- school answered a version still has its row), so only areas of the changed schools change
-- while the year has one version and the new returns answer it.
-- narrow guard: select coalesce(bool_and(ok), true) from (select (select
-- narrow guard: count(distinct old.framework_version) = 1
-- narrow guard: and bool_and(old.framework_version = new.framework_version)
-- narrow guard: from marts.area_year_summary as old where old.academic_year = new.academic_year)
-- narrow guard: as ok from (select distinct academic_year, framework_version from raw.returns
-- narrow guard: where file_id in ({files})) as new)
-- Versions: those answered that year anywhere in the data.
-- response_rate counts only schools answering that version, so a year split across two versions
-- has two rows whose rates add up to the area's total.
with school_years as (
    select * from marts.school_year_summary
),

school_areas as (
    select * from marts.school_area
),

registered as (
    select
        area_level,
        area_code,
        count(*) as schools_registered,
    from school_areas
    group by area_level, area_code
),

years_and_versions as (
    select distinct
        academic_year,
        framework_version,
    from school_years
),

reporting as (
    select
        school_areas.area_level,
        school_areas.area_code,
        school_years.academic_year,
        school_years.framework_version,
        count(*) as schools_reporting,
        avg(school_years.benchmarks_achieved) as avg_benchmarks_achieved,
        100.0 * count(*) filter (where school_years.all_achieved) / count(*) as pct_all_achieved,
    from school_years
    inner join school_areas on school_years.school_code = school_areas.school_code
    group by all
),

area_years as (
    select
        registered.area_level,
        registered.area_code,
        years_and_versions.academic_year,
        years_and_versions.framework_version,
        registered.schools_registered,
        coalesce(reporting.schools_reporting, 0) as schools_reporting,
        100.0 * coalesce(reporting.schools_reporting, 0) / registered.schools_registered
            as response_rate,
        reporting.avg_benchmarks_achieved,
        reporting.pct_all_achieved,
    from registered
    cross join years_and_versions
    left join reporting
        on registered.area_level = reporting.area_level
        and registered.area_code = reporting.area_code
        and years_and_versions.academic_year = reporting.academic_year
        and years_and_versions.framework_version = reporting.framework_version
),

final as (
    select
        current_year.*,
        previous_year.schools_reporting as prev_schools_reporting,
        previous_year.avg_benchmarks_achieved as prev_avg_benchmarks_achieved,
        current_year.avg_benchmarks_achieved - previous_year.avg_benchmarks_achieved
            as change_avg_benchmarks_achieved,
        previous_year.pct_all_achieved as prev_pct_all_achieved,
        current_year.pct_all_achieved - previous_year.pct_all_achieved
            as change_pct_all_achieved,
        previous_year.response_rate as prev_response_rate,
        current_year.response_rate - previous_year.response_rate as change_response_rate,
    from area_years as current_year
    -- Only within the same framework version: criteria differ between versions.
    left join area_years as previous_year
        on current_year.area_level = previous_year.area_level
        and current_year.area_code = previous_year.area_code
        and current_year.academic_year - 1 = previous_year.academic_year
        and current_year.framework_version = previous_year.framework_version
)

select * from final
