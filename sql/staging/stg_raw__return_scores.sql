-- materialized: view
-- One row per benchmark assessed in a loaded return; not-assessed benchmarks have no row.
-- Key: (file_id, row_number, benchmark_id)
-- Incremental: file_id
with source as (
    select * from raw.return_scores
),

final as (
    select
        file_id,
        row_number,
        benchmark_id,
        score::double as score,
    from source
)

select * from final
