-- One row per audited event (for ASKNET staff): who did what and when, newest first.
-- Key: none unique; (occurred_at, user_email, action, target) identifies an event in practice
with events as (
    select * from staging.stg_raw__audit_log
),

final as (
    select
        occurred_at,
        user_email,
        action,
        target,
        detail,
    from events
    order by occurred_at desc
)

select * from final
