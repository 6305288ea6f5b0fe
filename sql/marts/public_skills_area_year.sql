-- materialized: view
-- One row per row of skills_area_year, suppressed for anything that leaves the building.
-- Key: (area_level, area_code, academic_year, year_of_schooling, skill_id, assessor)
-- Incremental: academic_year
-- mean_step (and the progress figures) are null, and suppressed true, when fewer than
-- min_students students were assessed; mean_progress alone is null (with the note) when fewer
-- than min_students have a progress value.
with params as (
    select * from ref.build_params
),

notes as (
    select * from ref.messages where key = 'suppression_skills'
),

source as (
    select
        skills_area_year.*,
        skills_area_year.students_assessed < params.min_students as suppressed,
        skills_area_year.students_with_progress < params.min_students as progress_suppressed,
        params.min_students,
    from marts.skills_area_year
    cross join params
),

final as (
    select
        source.* exclude (min_students, progress_suppressed) replace (
            case when suppressed then null else mean_step end as mean_step,
            case when suppressed then null else students_with_progress end
                as students_with_progress,
            case when suppressed or progress_suppressed then null else mean_progress end
                as mean_progress,
        ),
        case
            when suppressed or progress_suppressed
                then replace(notes.ja, '{min_students}', min_students::varchar)
        end as suppression_note_ja,
        case
            when suppressed or progress_suppressed
                then replace(notes.en, '{min_students}', min_students::varchar)
        end as suppression_note_en,
    from source
    cross join notes
)

select * from final
