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
class HandoverStudent:
    student_ref: str
    grade: int
    activities: list[HandoverActivity] = field(default_factory=list)

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
    rows: pl.DataFrame, *, school_code: str, school_name: str, lang: str, made_on: date
) -> Handover:
    """A handover from the query layer's record rows (one row per activity, students without
    any activity carried by a row with a null date)."""
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


def skills_by_year(handover: Handover, student: HandoverStudent) -> list[list[object]]:
    """SKILLS STEPS BY YEAR: the place for the essential-skills issue (#15) to fill with the
    student's step per skill and year. Returns no rows until then; both documents show the
    section only when it has rows."""
    return []


def _student_html(handover: Handover, student: HandoverStudent) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns(handover))
    body = []
    for a in student.activities:
        cells = activity_cells(handover, a)
        tds = []
        for i, value in enumerate(cells):
            text = "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
            css = "num" if i in (1, 3, 5) else "mark" if i >= 6 else "text"
            tds.append(f'<td class="{css}">{escape(text)}</td>')
        body.append(f"<tr>{''.join(tds)}</tr>")
    rows_html = "".join(body)
    table = (
        f'<table class="handover"><thead><tr>{head}</tr></thead><tbody>{rows_html}</tbody></table>'
        if body
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
    skills_html = f"<h3>{escape(m(handover, 'skills_title'))}</h3>" if skills else ""
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
