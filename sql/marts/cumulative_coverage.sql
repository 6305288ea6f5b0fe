-- One row per school, year, rostered grade and benchmark: students reached in this or any year before.
-- Key: (school_code, academic_year, grade, benchmark_id)
-- Incremental: academic_year >= touched
-- Over the school's rostered students of that year and grade: students_reached_ever = those with
-- at least one activity counting toward the benchmark in that academic year or any earlier one,
-- at this school or at any school earlier in their journey (intermediate.int_journeys). Never a
-- later year, never a later school. students_reached_before: those reached at an earlier school
-- of their journey only (before they arrived here). year_of_schooling as in marts.coverage.
with roster as (
    select * from intermediate.int_roster
),

journeys as (
    select * from intermediate.int_journeys
),

activities as (
    select * from staging.stg_raw__activities
),

coverage as (
    select * from marts.coverage
),

counts_toward as (
    select benchmark_activity_types.*
    from ref.benchmark_activity_types as benchmark_activity_types
    inner join ref.build_params
        on benchmark_activity_types.framework_version = build_params.default_framework_version
),

roster_journeys as (
    select
        roster.*,
        coalesce(journeys.journey_id, roster.school_code || ':' || roster.student_ref)
            as journey_id,
        coalesce(journeys.journey_step, 0) as journey_step,
    from roster
    left join journeys
        on roster.school_code = journeys.school_code
        and roster.student_ref = journeys.student_ref
),

-- The first year each member of a journey had an activity toward each benchmark: a few rows per
-- journey, so the inequality join below stays small.
first_years as (
    select
        coalesce(journeys.journey_id, activities.school_code || ':' || activities.student_ref)
            as journey_id,
        coalesce(journeys.journey_step, 0) as journey_step,
        counts_toward.benchmark_id,
        min(activities.academic_year) as first_year,
    from activities
    inner join counts_toward on activities.activity_type = counts_toward.activity_type
    left join journeys
        on activities.school_code = journeys.school_code
        and activities.student_ref = journeys.student_ref
    group by all
),

reached_ever as (
    select
        roster_journeys.school_code,
        roster_journeys.academic_year,
        roster_journeys.grade,
        first_years.benchmark_id,
        count(distinct roster_journeys.student_ref) as students_reached_ever,
        count(distinct roster_journeys.student_ref) filter (
            where first_years.journey_step < roster_journeys.journey_step
        ) as students_reached_before,
    from roster_journeys
    inner join first_years
        on roster_journeys.journey_id = first_years.journey_id
        and first_years.journey_step <= roster_journeys.journey_step
        and first_years.first_year <= roster_journeys.academic_year
    group by all
),

final as (
    select
        coverage.school_code,
        coverage.academic_year,
        coverage.grade,
        coverage.year_of_schooling,
        coverage.framework_version,
        coverage.benchmark_id,
        coverage.coverage_benchmark,
        coverage.students_on_roll,
        coalesce(reached_ever.students_reached_ever, 0) as students_reached_ever,
        100.0 * coalesce(reached_ever.students_reached_ever, 0)
            / coverage.students_on_roll as coverage_ever_pct,
        coalesce(reached_ever.students_reached_before, 0) as students_reached_before,
        100.0 * coalesce(reached_ever.students_reached_before, 0)
            / coverage.students_on_roll as coverage_before_pct,
    from coverage
    left join reached_ever
        on coverage.school_code = reached_ever.school_code
        and coverage.academic_year = reached_ever.academic_year
        and coverage.grade = reached_ever.grade
        and coverage.benchmark_id = reached_ever.benchmark_id
)

select * from final
