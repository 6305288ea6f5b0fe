-- One row per school, year, rostered grade and default-framework benchmark activities count toward.
-- Key: (school_code, academic_year, grade, benchmark_id)
-- Incremental: academic_year
-- Only rostered students count: reached = distinct rostered students of the grade with at least
-- one activity counting toward the benchmark in that year (a student's grade is the roster's).
-- meaningful_reached: those with at least one such activity both prepared for and reflected on;
-- prep_unknown_pct: share of the counted activities whose preparation or reflection is unknown.
-- year_of_schooling (通算学年) = grade + the school type's offset (ref.schooling_offsets): the
-- grade that means the same children in every kind of school, for anything across schools.
with roster as (
    select * from intermediate.int_roster
),

activities as (
    select * from staging.stg_raw__activities
),

counts_toward as (
    select benchmark_activity_types.*
    from ref.benchmark_activity_types as benchmark_activity_types
    inner join ref.build_params
        on benchmark_activity_types.framework_version = build_params.default_framework_version
),

measured_benchmarks as (
    select distinct
        benchmarks.framework_version,
        benchmarks.benchmark_id,
        benchmarks.coverage_benchmark,
    from ref.benchmarks as benchmarks
    inner join counts_toward
        on benchmarks.framework_version = counts_toward.framework_version
        and benchmarks.benchmark_id = counts_toward.benchmark_id
),

students_on_roll as (
    select
        school_code,
        academic_year,
        grade,
        count(*) as students_on_roll,
    from roster
    group by all
),

-- Activity rows are joined before deduplicating resubmissions: a resubmitted activity has the
-- same student and date, so it reaches the same student in the same year either way, and
-- counting distinct students is cheaper than deduplicating 3M+ rows first.
students_reached as (
    select
        roster.school_code,
        roster.academic_year,
        roster.grade,
        counts_toward.benchmark_id,
        count(distinct roster.student_ref) as students_reached,
    from roster
    inner join activities
        on roster.school_code = activities.school_code
        and roster.academic_year = activities.academic_year
        and roster.student_ref = activities.student_ref
    inner join counts_toward
        on activities.activity_type = counts_toward.activity_type
    group by all
),

-- Meaningful (prepared for AND reflected on) and the activities whose preparation or reflection
-- is unknown are read from the deduplicated activities: a resubmission may fill them in.
students_meaningful as (
    select
        roster.school_code,
        roster.academic_year,
        roster.grade,
        counts_toward.benchmark_id,
        count(distinct roster.student_ref) filter (
            where deduplicated.prepared and deduplicated.reflected
        ) as meaningful_reached,
        count(*) as activities_counted,
        count(*) filter (
            where deduplicated.prepared is null or deduplicated.reflected is null
        ) as activities_prep_unknown,
    from roster
    inner join intermediate.int_activities as deduplicated
        on roster.school_code = deduplicated.school_code
        and roster.academic_year = deduplicated.academic_year
        and roster.student_ref = deduplicated.student_ref
    inner join counts_toward
        on deduplicated.activity_type = counts_toward.activity_type
    group by all
),

schooling_offsets as (
    select * from ref.schooling_offsets
),

final as (
    select
        students_on_roll.school_code,
        students_on_roll.academic_year,
        students_on_roll.grade,
        students_on_roll.grade + schooling_offsets.schooling_offset as year_of_schooling,
        measured_benchmarks.framework_version,
        measured_benchmarks.benchmark_id,
        measured_benchmarks.coverage_benchmark,
        students_on_roll.students_on_roll,
        coalesce(students_reached.students_reached, 0) as students_reached,
        100.0 * coalesce(students_reached.students_reached, 0)
            / students_on_roll.students_on_roll as coverage_pct,
        coalesce(students_meaningful.meaningful_reached, 0) as meaningful_reached,
        100.0 * coalesce(students_meaningful.meaningful_reached, 0)
            / students_on_roll.students_on_roll as meaningful_coverage_pct,
        coalesce(students_meaningful.activities_counted, 0) as activities_counted,
        coalesce(students_meaningful.activities_prep_unknown, 0) as activities_prep_unknown,
        100.0 * students_meaningful.activities_prep_unknown
            / nullif(students_meaningful.activities_counted, 0) as prep_unknown_pct,
    from students_on_roll
    cross join measured_benchmarks
    left join students_reached
        on students_on_roll.school_code = students_reached.school_code
        and students_on_roll.academic_year = students_reached.academic_year
        and students_on_roll.grade = students_reached.grade
        and measured_benchmarks.benchmark_id = students_reached.benchmark_id
    left join students_meaningful
        on students_on_roll.school_code = students_meaningful.school_code
        and students_on_roll.academic_year = students_meaningful.academic_year
        and students_on_roll.grade = students_meaningful.grade
        and measured_benchmarks.benchmark_id = students_meaningful.benchmark_id
    left join schooling_offsets
        on left(students_on_roll.school_code, 2) = schooling_offsets.type_code
)

select * from final
