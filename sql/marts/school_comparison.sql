-- materialized: view
-- One row per school, year and benchmark scored, beside its hub, municipality, prefecture, nation.
-- Key: (school_code, academic_year, benchmark_id)
-- Incremental: academic_year
-- A view in the writer DB: nothing reads it there; publishing writes it once, into the snapshot.
-- prefecture_percentile = 100 x percent_rank(): the share of the OTHER schools of the prefecture
-- scoring that benchmark that year (same framework version) whose score is strictly lower, so
-- 0 = lowest (ties share the lower rank), 100 = highest; null when the school is the only one.
with scores as (
    select * from marts.school_year_benchmark
),

schools as (
    select * from marts.dim_school
),

area_means as (
    select * from marts.area_year_benchmark
),

ranked as (
    select
        scores.school_code,
        scores.academic_year,
        scores.framework_version,
        scores.benchmark_id,
        scores.score,
        schools.hub_code,
        schools.municipality_code,
        schools.prefecture_code,
        100.0 * percent_rank() over in_prefecture as prefecture_percentile,
    from scores
    inner join schools on scores.school_code = schools.school_code
    window in_prefecture as (
        partition by
            schools.prefecture_code,
            scores.academic_year,
            scores.framework_version,
            scores.benchmark_id
        order by scores.score
    )
),

final as (
    select
        ranked.school_code,
        ranked.academic_year,
        ranked.framework_version,
        ranked.benchmark_id,
        ranked.score,
        hub.mean_score as hub_mean,
        municipality.mean_score as municipality_mean,
        prefecture.mean_score as prefecture_mean,
        national.mean_score as national_mean,
        -- The prefecture's count comes from its area row: no second window to sort.
        case
            when prefecture.schools_reporting > 1 then ranked.prefecture_percentile
        end as prefecture_percentile,
        prefecture.schools_reporting as prefecture_schools_reporting,
        ranked.hub_code,
        ranked.municipality_code,
        ranked.prefecture_code,
    from ranked
    left join area_means as hub
        on hub.area_level = 'hub'
        and hub.area_code = ranked.hub_code
        and hub.academic_year = ranked.academic_year
        and hub.framework_version = ranked.framework_version
        and hub.benchmark_id = ranked.benchmark_id
    left join area_means as municipality
        on municipality.area_level = 'municipality'
        and municipality.area_code = ranked.municipality_code
        and municipality.academic_year = ranked.academic_year
        and municipality.framework_version = ranked.framework_version
        and municipality.benchmark_id = ranked.benchmark_id
    left join area_means as prefecture
        on prefecture.area_level = 'prefecture'
        and prefecture.area_code = ranked.prefecture_code
        and prefecture.academic_year = ranked.academic_year
        and prefecture.framework_version = ranked.framework_version
        and prefecture.benchmark_id = ranked.benchmark_id
    left join area_means as national
        on national.area_level = 'national'
        and national.area_code = 'JP'
        and national.academic_year = ranked.academic_year
        and national.framework_version = ranked.framework_version
        and national.benchmark_id = ranked.benchmark_id
)

select * from final
