-- One row per broken rule of a quarantined row, with the original name of its file.
-- Key: none unique; (file_id, row_number, rule, column_name) identifies a row in practice
with quarantined as (
    select * from staging.stg_raw__quarantine
),

ingest_log as (
    select * from staging.stg_raw__ingest_log
),

final as (
    select
        quarantined.file_id,
        ingest_log.original_name,
        ingest_log.kind,
        quarantined.row_number,
        quarantined.column_name,
        quarantined.value,
        quarantined.rule,
        quarantined.reason_ja,
        quarantined.reason_en,
    from quarantined
    left join ingest_log on quarantined.file_id = ingest_log.file_id
)

select * from final
