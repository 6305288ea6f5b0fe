-- One row per school, academic year and benchmark scored in the effective return.
-- Key: (school_code, academic_year, benchmark_id)
-- Incremental: academic_year
-- Narrow: school_code
with scores as (
    select * from intermediate.int_school_year_scores
),

final as (
    select
        school_code,
        academic_year,
        framework_version,
        benchmark_id,
        position,
        score,
        fully_achieved,
        term,
        submitted_on,
    from scores
)

select * from final
