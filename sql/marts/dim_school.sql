-- One row per registered school, latest values, with names of its type, prefecture and region.
-- Key: school_code
-- municipality_name and hub_name are never null for a school that has the code: the name the
-- school's own rows give, else the area's (dim_area: the most common name, else the code).
with schools as (
    select * from intermediate.int_schools
),

school_types as (
    select * from ref.school_types
),

establishments as (
    select * from ref.establishments
),

prefectures as (
    select * from ref.prefectures
),

regions as (
    select * from ref.regions
),

municipalities as (
    select * from marts.dim_area where area_level = 'municipality'
),

hubs as (
    select * from marts.dim_area where area_level = 'hub'
),

final as (
    select
        schools.school_code,
        schools.school_name,
        schools.school_type_code as school_type,
        school_types.name_ja as school_type_ja,
        school_types.name_en as school_type_en,
        schools.establishment_code as establishment,
        establishments.name_ja as establishment_ja,
        establishments.name_en as establishment_en,
        schools.prefecture_code,
        prefectures.name_ja as prefecture_ja,
        prefectures.name_en as prefecture_en,
        prefectures.region_code,
        regions.name_ja as region_ja,
        regions.name_en as region_en,
        schools.municipality_code,
        coalesce(schools.municipality_name, municipalities.area_name_ja) as municipality_name,
        schools.hub_code,
        coalesce(schools.hub_name, hubs.area_name_ja) as hub_name,
        schools.enrolment,
        coalesce(school_types.secondary, false) as secondary,
    from schools
    left join school_types on schools.school_type_code = school_types.type_code
    left join establishments on schools.establishment_code = establishments.establishment_code
    left join prefectures on schools.prefecture_code = prefectures.prefecture_code
    left join regions on prefectures.region_code = regions.region_code
    left join municipalities on schools.municipality_code = municipalities.area_code
    left join hubs on schools.hub_code = hubs.area_code
)

select * from final
