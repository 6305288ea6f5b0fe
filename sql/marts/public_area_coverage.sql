-- materialized: view
-- One row per row of area_coverage, suppressed for anything that leaves the building.
-- Key: (area_level, area_code, academic_year, year_of_schooling, benchmark_id)
-- Incremental: academic_year
-- Reached and coverage are null when fewer than min_students are on roll, or fewer than
-- min_schools schools (so one school's figure is never shown as an area's).
with params as (
    select * from ref.build_params
),

notes as (
    select * from ref.messages where key = 'suppression_coverage'
),

source as (
    select
        area_coverage.*,
        area_coverage.students_on_roll < params.min_students
            or area_coverage.schools < params.min_schools as suppressed,
        params.min_students,
        params.min_schools,
    from marts.area_coverage
    cross join params
),

final as (
    select
        source.* exclude (min_students, min_schools) replace (
            case when suppressed then null else students_reached end as students_reached,
            case when suppressed then null else coverage_pct end as coverage_pct,
            case when suppressed then null else meaningful_reached end as meaningful_reached,
            case when suppressed then null else meaningful_coverage_pct end
                as meaningful_coverage_pct,
            case when suppressed then null else activities_counted end as activities_counted,
            case when suppressed then null else activities_prep_unknown end
                as activities_prep_unknown,
            case when suppressed then null else prep_unknown_pct end as prep_unknown_pct,
        ),
        case
            when suppressed then replace(replace(notes.ja,
                '{min_students}', min_students::varchar), '{min_schools}', min_schools::varchar)
        end as suppression_note_ja,
        case
            when suppressed then replace(replace(notes.en,
                '{min_students}', min_students::varchar), '{min_schools}', min_schools::varchar)
        end as suppression_note_en,
    from source
    cross join notes
)

select * from final
