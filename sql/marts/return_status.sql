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

-- Schools on two semesters (前期/後期) never send a third term. The registry does not record the
-- calendar, so it is inferred: a school that has ever returned a term 3 runs three terms; one
-- that has returned term 2 but never term 3 runs two; a school with no term 2 or 3 yet, three.
calendars as (
    select
        school_code,
        case
            when max(term) >= 3 then 3
            when max(term) = 2 then 2
            else 3
        end as calendar_terms,
    from returns
    group by school_code
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
        coalesce(calendars.calendar_terms, 3) as calendar_terms,
        -- false for a term the school's calendar does not have (term 3 of a semester school)
        terms.term <= coalesce(calendars.calendar_terms, 3) as is_expected,
        returned.school_code is not null as has_return,
        returned.submitted_on,
    from schools
    cross join terms
    left join calendars
        on schools.school_code = calendars.school_code
    left join returned
        on schools.school_code = returned.school_code
        and terms.academic_year = returned.academic_year
        and terms.term = returned.term
)

select * from final
