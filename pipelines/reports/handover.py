"""The handover sheet (引継ぎシート): a student's record of career activities, for a next school
that does not use Shirube. One student, or a whole leaving cohort (one page per student).

Built from rows the dashboard's query layer has already checked (dashboard/queries/students.py:
only a school's own users, only students on its current roll): this module never reads the
warehouse. No names anywhere: the student's ref at each school only. The PDF is the shared
report stylesheet laid out by WeasyPrint; the Excel sheet is in handover_xlsx.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

import polars as pl

from pipelines.i18n import t
from pipelines.reference import activity_types
from pipelines.reports.document import stylesheet

HANDOVER_CSS = """
section.student { break-after: page; }
section.student:last-child { break-after: auto; }
td.mark { text-align: center; }
table.handover th { white-space: nowrap; }
.placeholder { color: #777; font-size: 8.5pt; }
"""


@dataclass(frozen=True)
class HandoverActivity:
    activity_date: date
    academic_year: int
    school_code: str
    school_name: str
    grade: int
    activity_type: str
    hours: float | None
    prepared: bool | None
    reflected: bool | None


@dataclass(frozen=True)
class HandoverSkill:
    """The student's latest step on one skill in one academic year, teacher and self apart."""

    academic_year: int
    school_code: str
    school_name: str
    grade: int
    skill_id: str
    teacher_step: int | None
    self_step: int | None


@dataclass(frozen=True)
class HandoverStudent:
    student_ref: str
    grade: int
    activities: list[HandoverActivity] = field(default_factory=list)
    skills: list[HandoverSkill] = field(default_factory=list)

    @property
    def meaningful(self) -> int:
        return sum(1 for a in self.activities if a.prepared and a.reflected)


@dataclass(frozen=True)
class Handover:
    school_code: str
    school_name: str
    lang: str
    made_on: date
    students: list[HandoverStudent]


def handover_from_rows(
    rows: pl.DataFrame,
    *,
    school_code: str,
    school_name: str,
    lang: str,
    made_on: date,
    skills: pl.DataFrame | None = None,
) -> Handover:
    """A handover from the query layer's record rows (one row per activity, students without
    any activity carried by a row with a null date) and, when given, its skill rows (one per
    student, year, school and skill: dashboard.queries.students.student_skills)."""
    students: dict[str, HandoverStudent] = {}
    for r in rows.iter_rows(named=True):
        student = students.setdefault(
            r["student_ref"], HandoverStudent(r["student_ref"], r["current_grade"], [])
        )
        if r.get("activity_date") is not None:
            student.activities.append(
                HandoverActivity(
                    r["activity_date"],
                    r["academic_year"],
                    r["school_code"],
                    r["school_name"] or r["school_code"],
                    r["grade"],
                    r["activity_type"],
                    r["hours"],
                    r["prepared"],
                    r["reflected"],
                )
            )
    for r in (skills if skills is not None else pl.DataFrame()).iter_rows(named=True):
        student = students.get(r["student_ref"])
        if student is not None:
            student.skills.append(
                HandoverSkill(
                    r["academic_year"],
                    r["school_code"],
                    r["school_name"] or r["school_code"],
                    r["grade"],
                    r["skill_id"],
                    r["teacher_step"],
                    r["self_step"],
                )
            )
    return Handover(school_code, school_name, lang, made_on, list(students.values()))


def m(handover: Handover, key: str, **values: object) -> str:
    return t(f"report.handover_{key}", handover.lang, **values)


def activity_label(code: str, lang: str) -> str:
    found = activity_types().get(code)
    if found is None:
        return code
    return found.name_en if lang == "en" else found.name_ja


def yes_no(handover: Handover, value: bool | None) -> str:
    return m(handover, "yes" if value else "no") if value is not None else m(handover, "unknown")


def columns(handover: Handover) -> list[str]:
    keys = ("col_date", "col_year", "col_school", "col_grade", "col_activity", "col_hours")
    return [m(handover, k) for k in (*keys, "col_prepared", "col_reflected")]


def activity_cells(handover: Handover, a: HandoverActivity) -> list[object]:
    return [
        a.activity_date.isoformat()[:10],
        a.academic_year,
        f"{a.school_name} ({a.school_code})",
        a.grade,
        activity_label(a.activity_type, handover.lang),
        a.hours,
        yes_no(handover, a.prepared),
        yes_no(handover, a.reflected),
    ]


def skills_columns(handover: Handover) -> list[str]:
    keys = ("col_year", "skills_col_school", "col_grade", "skills_col_skill")
    return [m(handover, k) for k in (*keys, "skills_col_teacher", "skills_col_self")]


def skills_by_year(handover: Handover, student: HandoverStudent) -> list[list[object]]:
    """The student's latest step per skill in each year of their journey (one row per year,
    school and skill, in framework order); both documents show the section only with rows."""
    from pipelines.skills_framework import skills_framework

    names = {s.id: s.name(handover.lang) for s in skills_framework().skills}
    return [
        [
            k.academic_year,
            f"{k.school_name} ({k.school_code})",
            k.grade,
            names.get(k.skill_id, k.skill_id),
            k.teacher_step,
            k.self_step,
        ]
        for k in student.skills
    ]


def skills_note(handover: Handover) -> str:
    """The framework's provisional-translation note, wherever skill names are shown."""
    from pipelines.skills_framework import skills_framework

    framework = skills_framework()
    if not framework.provisional_ja:
        return ""
    return framework.note_en if handover.lang == "en" else framework.note_ja


def _table_html(head: list[str], rows: list[list[object]], numeric: set[int]) -> str:
    heads = "".join(f"<th>{escape(c)}</th>" for c in head)
    body = []
    for cells in rows:
        tds = []
        for i, value in enumerate(cells):
            text = "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
            css = "num" if i in numeric else "mark" if len(head) == 8 and i >= 6 else "text"
            tds.append(f'<td class="{css}">{escape(text)}</td>')
        body.append(f"<tr>{''.join(tds)}</tr>")
    return (
        f'<table class="handover"><thead><tr>{heads}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _student_html(handover: Handover, student: HandoverStudent) -> str:
    activities = [activity_cells(handover, a) for a in student.activities]
    table = (
        _table_html(columns(handover), activities, {1, 3, 5})
        if activities
        else f'<p class="note">{escape(m(handover, "no_activities"))}</p>'
    )
    summary = m(
        handover,
        "summary",
        activities=len(student.activities),
        meaningful=student.meaningful,
        schools=len({a.school_code for a in student.activities}),
    )
    skills = skills_by_year(handover, student)  # SKILLS: see skills_by_year
    skills_html = (
        f"<h3>{escape(m(handover, 'skills_title'))}</h3>"
        f"{_table_html(skills_columns(handover), skills, {0, 2, 4, 5})}"
        f'<p class="note">{escape(skills_note(handover))}</p>'
        if skills
        else ""
    )
    heading = m(handover, "student_title", ref=student.student_ref, grade=student.grade)
    return (
        '<section class="student">'
        f"<h2>{escape(heading)}</h2>"
        f'<p class="meta">{escape(summary)}</p>{table}{skills_html}</section>'
    )


def handover_html(handover: Handover) -> str:
    title = m(handover, "title")
    meta = m(
        handover,
        "meta",
        school=handover.school_name,
        code=handover.school_code,
        made_on=handover.made_on.isoformat(),
        students=len(handover.students),
    )
    students = "".join(_student_html(handover, s) for s in handover.students)
    return (
        f'<!doctype html><html lang="{handover.lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{stylesheet()}{HANDOVER_CSS}</style></head><body>"
        f'<header class="title"><h1>{escape(title)}</h1><p class="meta">{escape(meta)}</p>'
        f'<p class="note">{escape(m(handover, "note"))}</p></header>{students}</body></html>'
    )


def render_handover_pdf(handover: Handover) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=handover_html(handover), url_fetcher=fetcher).write_pdf()


def handover_filename(handover: Handover, student: str | None, fmt: str) -> str:
    who = student if student else "leaving_cohort"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in who)[:40]
    return f"handover_{handover.school_code}_{safe}_{handover.made_on.isoformat()}.{fmt}"
