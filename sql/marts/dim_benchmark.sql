-- One row per benchmark of every installed framework version.
-- Key: (framework_version, benchmark_id)
with benchmarks as (
    select * from ref.benchmarks
),

final as (
    select
        framework_version,
        benchmark_id,
        position,
        name_ja,
        name_en,
        description_ja,
        description_en,
        coverage_benchmark,
        is_default as is_default_framework,
        benchmarks_in_framework,
    from benchmarks
)

select * from final
