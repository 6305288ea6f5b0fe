-- materialized: view
-- One row per row of area_year_benchmark, suppressed for anything that leaves the building.
-- Key: (area_level, area_code, academic_year, framework_version, benchmark_id)
-- Incremental: academic_year
-- Narrow: area
-- Figures built on fewer than min_schools reporting schools are null, suppressed = true, and
-- suppression_note_ja/en say why. schools_reporting stays visible.
with params as (
    select * from ref.build_params
),

notes as (
    select * from ref.messages where key = 'suppression_schools'
),

source as (
    select
        area_year_benchmark.*,
        area_year_benchmark.schools_reporting < params.min_schools as suppressed,
        params.min_schools,
    from marts.area_year_benchmark
    cross join params
),

final as (
    select
        source.* exclude (min_schools) replace (
            case when suppressed then null else schools_fully_achieved end
                as schools_fully_achieved,
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
