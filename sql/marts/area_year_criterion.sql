-- One row per area, academic year, framework version and criterion answered by its schools.
-- Key: (area_level, area_code, academic_year, framework_version, criterion_id)
-- Incremental: academic_year
-- Narrow: area
-- Over the area's schools whose effective return answered that criterion.
with criteria as (
    select * from marts.school_year_criterion
),

school_areas as (
    select * from marts.school_area
),

final as (
    select
        school_areas.area_level,
        school_areas.area_code,
        criteria.academic_year,
        criteria.framework_version,
        criteria.benchmark_id,
        criteria.criterion_id,
        any_value(criteria.position) as position,
        count(*) as schools_answering,
        count(*) filter (where criteria.met) as schools_met,
        avg(criteria.criterion_score) as mean_score,
        100.0 * count(*) filter (where criteria.met) / count(*) as pct_met,
    from criteria
    inner join school_areas on criteria.school_code = school_areas.school_code
    group by
        school_areas.area_level,
        school_areas.area_code,
        criteria.academic_year,
        criteria.framework_version,
        criteria.benchmark_id,
        criteria.criterion_id
)

select * from final
