-- Bad rows: the national schools_registered differs from the number of schools in the registry.
-- Incremental: academic_year
with registry as (
    select count(*) as schools_in_registry from marts.dim_school
)

select
    area_year_summary.academic_year,
    area_year_summary.framework_version,
    area_year_summary.schools_registered,
    registry.schools_in_registry,
from marts.area_year_summary
cross join registry
where area_year_summary.area_level = 'national'
    and area_year_summary.schools_registered != registry.schools_in_registry
