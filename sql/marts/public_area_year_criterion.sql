-- materialized: view
-- One row per row of area_year_criterion, suppressed for anything that leaves the building.
-- Key: (area_level, area_code, academic_year, framework_version, criterion_id)
-- Incremental: academic_year
-- Narrow: area
-- Figures built on fewer than min_schools answering schools are null, suppressed = true, and
-- suppression_note_ja/en say why. schools_answering stays visible.
with params as (
    select * from ref.build_params
),

notes as (
    select * from ref.messages where key = 'suppression_schools'
),

source as (
    select
        area_year_criterion.*,
        area_year_criterion.schools_answering < params.min_schools as suppressed,
        params.min_schools,
    from marts.area_year_criterion
    cross join params
),

final as (
    select
        source.* exclude (min_schools) replace (
            case when suppressed then null else schools_met end as schools_met,
            case when suppressed then null else mean_score end as mean_score,
            case when suppressed then null else pct_met end as pct_met,
        ),
        case when suppressed then replace(notes.ja, '{min}', min_schools::varchar) end
            as suppression_note_ja,
        case when suppressed then replace(notes.en, '{min}', min_schools::varchar) end
            as suppression_note_en,
    from source
    cross join notes
)

select * from final
