-- materialized: view
-- One row per file ingest attempt (loaded, rejected or duplicate).
-- Key: file_id
with source as (
    select * from raw.ingest_log
),

final as (
    select
        file_id,
        sha256,
        original_name,
        source_path,
        archive_path,
        kind,
        status,
        rows_read,
        rows_loaded,
        rows_quarantined,
        reason_ja,
        reason_en,
        started_at,
        finished_at,
        ingested_by,
    from source
)

select * from final
