-- One row per area: nation, 8 regions, 47 prefectures, municipalities and hubs with schools.
-- Key: (area_level, area_code)
-- Every area has a name: a municipality or hub whose schools file gave only its code (allowed by
-- the contract) is named by its code, so no view ever shows an empty name. dim_school takes its
-- municipality and hub names from here.
with schools as (
    select * from intermediate.int_schools
),

national as (
    select
        'national' as area_level,
        'JP' as area_code,
        '全国' as area_name_ja,
        'Japan' as area_name_en,
        null::varchar as parent_level,
        null::varchar as parent_code,
        null::integer as grid_row,
        null::integer as grid_col,
),

regions as (
    select
        'region',
        region_code,
        name_ja,
        name_en,
        'national',
        'JP',
        null::integer,
        null::integer,
    from ref.regions
),

prefectures as (
    select
        'prefecture',
        prefecture_code,
        name_ja,
        name_en,
        'region',
        region_code,
        grid_row,
        grid_col,
    from ref.prefectures
),

municipalities as (
    select
        'municipality',
        municipality_code,
        -- Schools may spell the name differently; take the most common, the code if none.
        coalesce(mode(municipality_name), municipality_code),
        coalesce(mode(municipality_name), municipality_code),
        'prefecture',
        left(municipality_code, 2),
        null::integer,
        null::integer,
    from schools
    group by municipality_code
),

hubs as (
    select
        'hub',
        hub_code,
        coalesce(mode(hub_name), hub_code),
        coalesce(mode(hub_name), hub_code),
        -- A hub inside one prefecture hangs under it; a hub across prefectures under the nation.
        case when count(distinct prefecture_code) = 1 then 'prefecture' else 'national' end,
        case when count(distinct prefecture_code) = 1 then min(prefecture_code) else 'JP' end,
        null::integer,
        null::integer,
    from schools
    where hub_code is not null
    group by hub_code
),

final as (
    select * from national
    union all
    select * from regions
    union all
    select * from prefectures
    union all
    select * from municipalities
    union all
    select * from hubs
)

select * from final
