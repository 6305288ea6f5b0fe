-- One row per criterion of each installed framework version, with its wording.
-- Key: (framework_version, criterion_id)
with criteria as (
    select * from ref.criteria
),

final as (
    select
        framework_version,
        criterion_id,
        benchmark_id,
        -- Order in the framework (benchmark, then criterion): the questionnaire's order.
        position,
        position_in_benchmark,
        kind,
        text_ja,
        text_en,
        help_ja,
        help_en,
        criteria_in_benchmark,
    from criteria
)

select * from final
