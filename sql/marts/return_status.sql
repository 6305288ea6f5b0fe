-- materialized: view
-- One row per registered school and each academic year and term present in the returns.
-- Key: (school_code, academic_year, term)
-- A view in the writer DB: nothing reads it there; publishing writes it once, into the snapshot.
with schools as (
    select * from marts.dim_school
),

returns as (
    select * from intermediate.int_returns_ranked
),

terms as (
    select distinct
        academic_year,
        term,
    from returns
),

returned as (
    select
        school_code,
        academic_year,
        term,
        max(submitted_on) as submitted_on,
    from returns
    group by all
),

final as (
    select
        schools.school_code,
        terms.academic_year,
        terms.term,
        returned.school_code is not null as has_return,
        returned.submitted_on,
    from schools
    cross join terms
    left join returned
        on schools.school_code = returned.school_code
        and terms.academic_year = returned.academic_year
        and terms.term = returned.term
)

select * from final
