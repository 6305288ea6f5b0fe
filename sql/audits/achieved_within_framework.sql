-- Bad rows: more benchmarks reported or achieved than the return's framework version has (or a
-- framework version that is not installed, so the count is unknown).
-- Incremental: academic_year
select
    school_code,
    academic_year,
    framework_version,
    benchmarks_in_framework,
    benchmarks_reported,
    benchmarks_achieved,
from marts.school_year_summary
where benchmarks_in_framework is null
    or benchmarks_achieved > benchmarks_in_framework
    or benchmarks_reported > benchmarks_in_framework
    or benchmarks_achieved > benchmarks_reported
