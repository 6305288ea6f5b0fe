-- One row per registered school, academic year with returns, and term up to that year's latest.
-- Key: (school_code, academic_year, term)
-- Incremental: academic_year
-- Narrow: school_code
-- Narrow guard (why): a school's rows of a year hang on its own returns and on the year's
-- latest term, read across schools: narrowed while the new returns bring no later term.
-- narrow guard: select not exists (select 1 from raw.returns as new where new.file_id in ({files})
-- narrow guard: and new.term > coalesce((select max(old.latest_term) from marts.return_status as old
-- narrow guard: where old.academic_year = new.academic_year), 0))
-- Guard (why): a year's rows hang on that year's returns and on the school's calendar
-- (read from all its years): no new return may change a calendar (a term 2 where the calendar
-- is not 2, a term 3 where it is not 3); the last build's calendars are in this table.
-- guard: select not exists (select 1 from (select school_code, max(term) as term
-- guard: from raw.returns where file_id in ({files}) group by school_code) as new
-- guard: left join (select distinct school_code, calendar_terms from marts.return_status) as old
-- guard: using (school_code) where (new.term = 2 and coalesce(old.calendar_terms, 3) <> 2)
-- guard: or (new.term >= 3 and coalesce(old.calendar_terms, 3) <> 3))
-- A table, not a view: computed once per build, then read by the flags and copied when published.
--
-- "Returned this term" has one definition, here, and every view, flag and report reads it:
-- a school has returned this term for a year when it has a return for its due term, the row
-- with is_due. The due term is the year's latest term in the data (latest_term, the term the
-- returns page is headed by) or, for a school whose calendar has fewer terms, its own last term
-- (term 2 for a school on 前期/後期): due_term = least(latest_term, calendar_terms).
with schools as (
    select * from marts.dim_school
),

returns as (
    select * from intermediate.int_returns_ranked
),

-- Read apart from returns (not through it): a CTE that one reader takes without the changed
-- schools' filter is computed for every school when one school's rows are rebuilt.
latest_terms as (
    select
        academic_year,
        max(term) as latest_term,
    from intermediate.int_returns_ranked
    group by academic_year
),

-- Every term from 1 to the latest returned in the year, also a term no school has returned yet.
year_terms as (
    select
        academic_year,
        latest_term,
        unnest(range(1, latest_term + 1)) as term,
    from latest_terms
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

school_terms as (
    select
        schools.school_code,
        year_terms.academic_year,
        year_terms.term,
        year_terms.latest_term,
        coalesce(calendars.calendar_terms, 3) as calendar_terms,
    from schools
    cross join year_terms
    left join calendars on schools.school_code = calendars.school_code
),

final as (
    select
        school_terms.school_code,
        school_terms.academic_year,
        school_terms.term,
        school_terms.calendar_terms,
        -- false for a term the school's calendar does not have (term 3 of a semester school)
        school_terms.term <= school_terms.calendar_terms as is_expected,
        returned.school_code is not null as has_return,
        returned.submitted_on,
        school_terms.latest_term,
        least(school_terms.latest_term, school_terms.calendar_terms) as due_term,
        -- The row that says whether the school has returned this term.
        school_terms.term = least(school_terms.latest_term, school_terms.calendar_terms)
            as is_due,
    from school_terms
    left join returned
        on school_terms.school_code = returned.school_code
        and school_terms.academic_year = returned.academic_year
        and school_terms.term = returned.term
)

select * from final
