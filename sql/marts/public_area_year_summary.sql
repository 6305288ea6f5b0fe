-- materialized: view
-- One row per row of area_year_summary, suppressed for anything that leaves the building.
-- Key: (area_level, area_code, academic_year, framework_version)
-- Incremental: academic_year
-- Narrow: area
-- The score measures (and their change) are null when this year or the previous year has fewer
-- than min_schools reporting schools. Counts and response rates stay.
with params as (
    select * from ref.build_params
),

notes as (
    select * from ref.messages where key = 'suppression_schools'
),

source as (
    select
        area_year_summary.*,
        area_year_summary.schools_reporting < params.min_schools as suppressed,
        coalesce(area_year_summary.prev_schools_reporting, 0) < params.min_schools
            as previous_suppressed,
        params.min_schools,
    from marts.area_year_summary
    cross join params
),

final as (
    select
        source.* exclude (min_schools, previous_suppressed) replace (
            case when suppressed then null else avg_benchmarks_achieved end
                as avg_benchmarks_achieved,
            case when suppressed then null else pct_all_achieved end as pct_all_achieved,
            case when previous_suppressed then null else prev_avg_benchmarks_achieved end
                as prev_avg_benchmarks_achieved,
            case when previous_suppressed then null else prev_pct_all_achieved end
                as prev_pct_all_achieved,
            case
                when suppressed or previous_suppressed then null
                else change_avg_benchmarks_achieved
            end as change_avg_benchmarks_achieved,
            case
                when suppressed or previous_suppressed then null else change_pct_all_achieved
            end as change_pct_all_achieved,
        ),
        case when suppressed then replace(notes.ja, '{min}', min_schools::varchar) end
            as suppression_note_ja,
        case when suppressed then replace(notes.en, '{min}', min_schools::varchar) end
            as suppression_note_en,
    from source
    cross join notes
)

select * from final
