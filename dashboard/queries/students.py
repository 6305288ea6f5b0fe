"""Student-level queries: the student's record (生徒の記録) and the leaving cohort's handover.

Only a school's own users may read a student's record, and only for students on their school's
current roll. That is enforced here, in the query layer, whatever page asks: any other scope (a
hub coordinator, a superintendent, ASKNET staff, an open server) raises `StudentRecordDenied`
before any SQL runs, and a student not on the school's current roll gives no rows.
"""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.queries.common import frame
from dashboard.scope import Scope


class StudentRecordDenied(PermissionError):
    """The viewer's scope is not the school's own: no student-level data at all."""


def _own_school(scope: Scope, school: str) -> None:
    if not scope.is_school or school not in scope.codes:
        raise StudentRecordDenied(school)


def current_roll(cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str) -> pl.DataFrame:
    """Students on the school's current roll: ref, year, grade, whether in a final year, and
    how many schools their journey spans."""
    _own_school(scope, school)
    return frame(
        cursor,
        """
        select student_ref, latest_year as academic_year, latest_grade as grade, final_year,
               journey_length
        from marts.journey_members
        where school_code = ? and on_current_roll
        order by latest_grade, student_ref
    """,
        [school],
    )


_RECORD = """
    with students as (
        select m.student_ref, m.journey_id, m.latest_grade as grade
        from marts.journey_members m
        where m.school_code = ? and m.on_current_roll and ({which})
    )
    select students.student_ref, students.grade as current_grade, a.activity_date,
           a.academic_year, a.school_code, s.school_name, s.school_type_ja, s.school_type_en,
           a.grade, a.activity_type, a.hours, a.prepared, a.reflected, a.meaningful,
           a.journey_step
    from students
    join marts.journey_activities a on a.journey_id = students.journey_id
    left join marts.dim_school s on s.school_code = a.school_code
    order by students.student_ref, a.activity_date, a.journey_step, a.activity_type
"""


def student_record(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str, student: str
) -> pl.DataFrame:
    """Every activity of the student's journey, in time order, with the school it happened at.
    No rows when the student is not on the school's current roll."""
    _own_school(scope, school)
    return frame(cursor, _RECORD.format(which="m.student_ref = ?"), [school, student])


def leaving_cohort_records(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str
) -> pl.DataFrame:
    """The records of every final-year student on the current roll (the handover cohort)."""
    _own_school(scope, school)
    return frame(cursor, _RECORD.format(which="m.final_year"), [school])


_SKILLS = """
    with students as (
        select m.student_ref, m.journey_id
        from marts.journey_members m
        where m.school_code = ? and m.on_current_roll and ({which})
    ),
    members as (
        select students.student_ref as current_ref, j.school_code, j.student_ref
        from students
        join marts.journey_members j on j.journey_id = students.journey_id
    )
    select members.current_ref as student_ref, k.academic_year, k.school_code, s.school_name,
           k.grade, k.skill_id, d.position,
           max(k.latest_step) filter (where k.assessor = 'teacher') as teacher_step,
           max(k.latest_step) filter (where k.assessor = 'self') as self_step
    from members
    join marts.skills_student_year k
      on k.school_code = members.school_code and k.student_ref = members.student_ref
    left join marts.dim_school s on s.school_code = k.school_code
    left join marts.dim_skill d on d.skill_id = k.skill_id
    group by all
    order by student_ref, k.academic_year, k.school_code, d.position
"""


def student_skills(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str, student: str
) -> pl.DataFrame:
    """The student's latest step per skill in each academic year of their journey, teacher and
    self apart, at whichever school assessed them. No rows when not on the current roll."""
    _own_school(scope, school)
    return frame(cursor, _SKILLS.format(which="m.student_ref = ?"), [school, student])


def leaving_cohort_skills(
    cursor: duckdb.DuckDBPyConnection, scope: Scope, *, school: str
) -> pl.DataFrame:
    """student_skills for every final-year student on the current roll."""
    _own_school(scope, school)
    return frame(cursor, _SKILLS.format(which="m.final_year"), [school])
