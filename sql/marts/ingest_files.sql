-- One row per file ingest attempt, for the data-quality page (a copy of raw.ingest_log).
-- Key: file_id
with ingest_log as (
    select * from staging.stg_raw__ingest_log
),

final as (
    select * from ingest_log
)

select * from final
