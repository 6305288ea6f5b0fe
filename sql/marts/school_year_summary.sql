-- One row per school and academic year with an effective return, with change on last year.
-- Key: (school_code, academic_year)
-- Incremental: academic_year >= touched
-- Narrow: school_code
-- Change: against the previous academic year's effective return of the same framework version.
with school_years as (
    select * from intermediate.int_school_year
),

final as (
    select
        current_year.school_code,
        current_year.academic_year,
        current_year.framework_version,
        current_year.term,
        current_year.submitted_on,
        current_year.benchmarks_in_framework,
        current_year.benchmarks_reported,
        current_year.benchmarks_achieved,
        current_year.all_achieved,
        current_year.mean_score,
        previous_year.benchmarks_achieved as prev_benchmarks_achieved,
        current_year.benchmarks_achieved - previous_year.benchmarks_achieved
            as change_benchmarks_achieved,
        previous_year.mean_score as prev_mean_score,
        current_year.mean_score - previous_year.mean_score as change_mean_score,
    from school_years as current_year
    -- A different framework version last year means no comparison (criteria changed).
    left join school_years as previous_year
        on current_year.school_code = previous_year.school_code
        and current_year.academic_year - 1 = previous_year.academic_year
        and current_year.framework_version = previous_year.framework_version
)

select * from final
