-- One row per build: the snapshot version, when it was built, and the settings it was built with.
-- Key: version
-- The suppression and support-flag thresholds and the framework versions installed are those of
-- this build, so a report printed from an older snapshot states the rules its figures follow,
-- not whatever the settings say today.
with params as (
    select * from ref.build_params
),

build_version as (
    select * from ref.build_version
),

build_date as (
    select * from ref.build_date
),

school_years as (
    select * from marts.school_year_summary
),

framework_versions as (
    select list(distinct framework_version order by framework_version) as framework_versions,
    from ref.benchmarks
),

final as (
    select
        build_version.version,
        build_version.built_at,
        build_date.build_date,
        (select max(academic_year) from school_years) as latest_academic_year,
        params.default_framework_version,
        framework_versions.framework_versions,
        params.min_schools,
        params.min_students,
        params.below_hub_mean_benchmarks,
        params.fall_benchmarks_achieved,
        params.fall_mean_score_points,
        params.coverage_below_pct,
        params.stale_after_days,
    from params
    cross join build_version
    cross join build_date
    cross join framework_versions
)

select * from final
