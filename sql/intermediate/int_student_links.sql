-- One row per link in effect: no later link (file, then row) has the same from- or to-student.
-- Key: (to_school_code, to_student_ref)
-- The contract's replacement rule: a link replaces every earlier link with the same to-student
-- or the same from-student, so a student has at most one predecessor and one successor. Loops
-- never get here: ingest quarantines a link that would close one (pipelines/ingest/links.py).
with links as (
    select * from staging.stg_raw__student_links
),

ranked as (
    select
        *,
        row_number() over (
            partition by from_school_code, from_student_ref order by ingest_order desc
        ) as from_rank,
        row_number() over (
            partition by to_school_code, to_student_ref order by ingest_order desc
        ) as to_rank,
    from links
),

final as (
    select
        from_school_code,
        from_student_ref,
        to_school_code,
        to_student_ref,
        linked_on,
        file_id,
        row_number,
    from ranked
    where from_rank = 1 and to_rank = 1
)

select * from final
