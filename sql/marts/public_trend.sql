-- materialized: view
-- One row per row of trend, suppressed for anything that leaves the building.
-- Key: (area_level, area_code, benchmark_id, academic_year, framework_version)
-- Incremental: academic_year
-- Narrow: area
-- Values built on fewer than min_schools reporting schools are null.
with params as (
    select * from ref.build_params
),

notes as (
    select * from ref.messages where key = 'suppression_schools'
),

source as (
    select
        trend.*,
        trend.schools_reporting < params.min_schools as suppressed,
        params.min_schools,
    from marts.trend
    cross join params
),

final as (
    select
        source.* exclude (min_schools) replace (
            case when suppressed then null else mean_score end as mean_score,
            case when suppressed then null else pct_fully_achieved end as pct_fully_achieved,
        ),
        case when suppressed then replace(notes.ja, '{min}', min_schools::varchar) end
            as suppression_note_ja,
        case when suppressed then replace(notes.en, '{min}', min_schools::varchar) end
            as suppression_note_en,
    from source
    cross join notes
)

select * from final
