-- materialized: view
-- One row per row of achieved_distribution, suppressed for anything that leaves the building.
-- Key: (area_level, area_code, academic_year, framework_version, benchmarks_achieved)
-- Incremental: academic_year
-- Narrow: area
-- The counts are null when the area-year has fewer than min_schools reporting schools in all.
with params as (
    select * from ref.build_params
),

notes as (
    select * from ref.messages where key = 'suppression_schools'
),

source as (
    select
        achieved_distribution.*,
        sum(achieved_distribution.schools) over (
            partition by
                achieved_distribution.area_level,
                achieved_distribution.area_code,
                achieved_distribution.academic_year,
                achieved_distribution.framework_version
        ) < params.min_schools as suppressed,
        params.min_schools,
    from marts.achieved_distribution
    cross join params
),

final as (
    select
        source.* exclude (min_schools) replace (
            case when suppressed then null else schools end as schools,
        ),
        case when suppressed then replace(notes.ja, '{min}', min_schools::varchar) end
            as suppression_note_ja,
        case when suppressed then replace(notes.en, '{min}', min_schools::varchar) end
            as suppression_note_en,
    from source
    cross join notes
)

select * from final
