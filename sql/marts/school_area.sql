-- One row per school and area it belongs to, at every level it has (no hub row without a hub).
-- Key: (school_code, area_level)
with schools as (
    select * from marts.dim_school
),

final as (
    select school_code, 'national' as area_level, 'JP' as area_code from schools
    union all
    select school_code, 'region', region_code from schools where region_code is not null
    union all
    select school_code, 'prefecture', prefecture_code from schools
    union all
    select school_code, 'municipality', municipality_code from schools
    union all
    select school_code, 'hub', hub_code from schools where hub_code is not null
)

select * from final
