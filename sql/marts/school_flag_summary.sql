-- One row per flagged school and academic year: its concerns summed up for the needs-support list.
-- Key: (school_code, academic_year)
-- Incremental: academic_year
-- Precomputed at build time so the list of every flagged school in the country reads in one scan.
with flags as (
    select * from marts.support_flags
),

-- Ranks from ref.severities (pipelines/vocabulary.py), the same the dashboard filters by.
ranked as (
    select
        flags.*,
        severities.severity_rank,
    from flags
    left join ref.severities as severities on flags.severity = severities.severity
),

final as (
    select
        school_code,
        academic_year,
        max(severity_rank) as severity_rank,
        -- Kinds of concern: low coverage in twelve grades is one concern, not twelve.
        count(distinct flag) as flag_kinds_count,
        list(distinct flag order by flag) as flag_kinds,
        count(*) as flag_rows,
        string_agg(detail_ja, ' / ' order by severity_rank desc, flag, benchmark_id, grade)
            as reasons_ja,
        string_agg(detail_en, ' / ' order by severity_rank desc, flag, benchmark_id, grade)
            as reasons_en,
    from ranked
    group by school_code, academic_year
)

select * from final
