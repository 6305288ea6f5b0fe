-- materialized: view
-- One row per student on roll: the latest roster row per school, year and student.
-- Key: (school_code, academic_year, student_ref)
-- Incremental: academic_year
-- A view: only marts.coverage reads it, so its 3M+ rows at national scale are never written.
with roster_rows as (
    select * from staging.stg_raw__roster
),

final as (
    select
        school_code,
        academic_year,
        student_ref,
        -- The grade of the newest row (highest file, then row): a later roster wins.
        arg_max(grade, file_id * 4294967296 + row_number) as grade,
    from roster_rows
    group by school_code, academic_year, student_ref
)

select * from final
