-- materialized: view
-- One row per row of area_cumulative_coverage, suppressed for anything that leaves the building.
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
        area_cumulative_coverage.*,
        area_cumulative_coverage.students_on_roll < params.min_students
            or area_cumulative_coverage.schools < params.min_schools as suppressed,
        params.min_students,
        params.min_schools,
    from marts.area_cumulative_coverage
    cross join params
),

final as (
    select
        source.* exclude (min_students, min_schools) replace (
            case when suppressed then null else students_reached_ever end
                as students_reached_ever,
            case when suppressed then null else coverage_ever_pct end as coverage_ever_pct,
            case when suppressed then null else students_reached_before end
                as students_reached_before,
            case when suppressed then null else coverage_before_pct end as coverage_before_pct,
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
