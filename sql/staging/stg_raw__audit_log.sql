-- materialized: view
-- One row per audited event (login, school profile viewed, export, upload, refusal).
-- Key: none unique (two identical events in the same microsecond are both kept)
with source as (
    select * from raw.audit_log
),

final as (
    select
        occurred_at,
        user_email,
        action,
        target,
        detail,
    from source
)

select * from final
