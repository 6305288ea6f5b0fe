-- materialized: view
-- One row per broken rule of a quarantined data row.
-- Key: none unique (a row may break the same rule in two columns); (file_id, row_number, rule, column_name)
with source as (
    select * from raw.quarantine
),

final as (
    select
        file_id,
        row_number,
        column_name,
        value,
        rule,
        reason_ja,
        reason_en,
    from source
)

select * from final
