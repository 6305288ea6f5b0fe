-- materialized: view
-- One row per schools-file row loaded, with the school code split into its parts.
-- Key: (file_id, row_number)
with source as (
    select * from raw.schools
),

final as (
    select
        file_id,
        row_number,
        school_code,
        school_name,
        municipality_code,
        nullif(trim(municipality_name), '') as municipality_name,
        nullif(trim(hub_code), '') as hub_code,
        nullif(trim(hub_name), '') as hub_name,
        enrolment,
        substr(school_code, 1, 2) as school_type_code,
        substr(school_code, 3, 2) as prefecture_code,
        substr(school_code, 5, 1) as establishment_code,
    from source
)

select * from final
