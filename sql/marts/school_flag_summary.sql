-- One row per flagged school and academic year: its concerns summed up for the needs-support list.
-- Key: (school_code, academic_year)
-- Incremental: academic_year
-- Narrow: school_code
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

grouped as (
    select
        school_code,
        academic_year,
        max(severity_rank) as severity_rank,
        -- Kinds of concern: low coverage in twelve grades is one concern, not twelve.
        count(distinct flag) as flag_kinds_count,
        list(distinct flag order by flag) as flag_kinds,
        count(*) as flag_rows,
        -- The reasons, most severe first (then by flag, benchmark and grade), sorted once for
        -- both languages: two ordered string_agg calls sort every school's rows twice (0.79 s
        -- against 0.54 s over all years of the national warehouse, the same rows).
        list_sort(list((-severity_rank, flag, benchmark_id, grade, detail_ja, detail_en)))
            as sorted_reasons,
    from ranked
    group by school_code, academic_year
),

final as (
    select
        * exclude (sorted_reasons),
        array_to_string(list_transform(sorted_reasons, lambda r: r[5]), ' / ') as reasons_ja,
        array_to_string(list_transform(sorted_reasons, lambda r: r[6]), ' / ') as reasons_en,
    from grouped
)

select * from final
