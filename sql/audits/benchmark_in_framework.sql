-- Bad rows: a score for a benchmark id that the return's framework version does not define.
-- Incremental: academic_year
select
    scores.school_code,
    scores.academic_year,
    scores.framework_version,
    scores.benchmark_id,
from marts.school_year_benchmark as scores
left join ref.benchmarks as benchmarks
    on scores.framework_version = benchmarks.framework_version
    and scores.benchmark_id = benchmarks.benchmark_id
where benchmarks.benchmark_id is null
