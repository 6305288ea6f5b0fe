-- One row per build: the snapshot version, when it was built, and the latest year in the data.
-- Key: version
with params as (
    select * from ref.build_params
),

school_years as (
    select * from marts.school_year_summary
),

final as (
    select
        params.version,
        params.built_at,
        params.build_date,
        (select max(academic_year) from school_years) as latest_academic_year,
        params.default_framework_version,
    from params
)

select * from final
