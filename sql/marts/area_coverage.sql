-- One row per area, academic year, grade and benchmark, plus grade null for all grades together.
-- Key: (area_level, area_code, academic_year, grade, benchmark_id)
with coverage as (
    select * from marts.coverage
),

school_areas as (
    select * from marts.school_area
),

final as (
    select
        school_areas.area_level,
        school_areas.area_code,
        coverage.academic_year,
        coverage.grade,
        coverage.framework_version,
        coverage.benchmark_id,
        coverage.coverage_benchmark,
        count(distinct coverage.school_code) as schools,
        sum(coverage.students_on_roll) as students_on_roll,
        sum(coverage.students_reached) as students_reached,
        100.0 * sum(coverage.students_reached) / sum(coverage.students_on_roll) as coverage_pct,
    from coverage
    inner join school_areas on coverage.school_code = school_areas.school_code
    group by grouping sets (
        (
            school_areas.area_level,
            school_areas.area_code,
            coverage.academic_year,
            coverage.grade,
            coverage.framework_version,
            coverage.benchmark_id,
            coverage.coverage_benchmark
        ),
        (
            school_areas.area_level,
            school_areas.area_code,
            coverage.academic_year,
            coverage.framework_version,
            coverage.benchmark_id,
            coverage.coverage_benchmark
        )
    )
)

select * from final
