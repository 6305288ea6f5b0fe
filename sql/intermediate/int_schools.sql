-- One row per registered school: each column's latest non-null value across its rows.
-- Key: school_code
-- A later schools file updates the columns it names and leaves the rest as they were.
with school_rows as (
    select * from staging.stg_raw__schools
),

latest_values as (
    select
        school_code,
        last_value(school_name ignore nulls) over by_ingest_order as school_name,
        last_value(municipality_code ignore nulls) over by_ingest_order as municipality_code,
        last_value(municipality_name ignore nulls) over by_ingest_order as municipality_name,
        last_value(hub_code ignore nulls) over by_ingest_order as hub_code,
        last_value(hub_name ignore nulls) over by_ingest_order as hub_name,
        last_value(enrolment ignore nulls) over by_ingest_order as enrolment,
        school_type_code,
        prefecture_code,
        establishment_code,
        row_number() over (
            partition by school_code
            order by file_id desc, row_number desc
        ) as newest_first,
    from school_rows
    window by_ingest_order as (
        partition by school_code
        order by file_id, row_number
        rows between unbounded preceding and unbounded following
    )
),

final as (
    select * exclude (newest_first)
    from latest_values
    where newest_first = 1
)

select * from final
