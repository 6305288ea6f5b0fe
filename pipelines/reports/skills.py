"""The funder report's essential-skills section: each skill's mean step in the report's area,
against the nation year of schooling by year, with the provisional-translation note.

Read from marts.public_skills_area_year (suppressed below min_students like every public figure);
the gap to the nation uses only years of schooling where neither side is suppressed.
"""

from __future__ import annotations

import duckdb

from pipelines.reports.display import show
from pipelines.reports.markup import message, table
from pipelines.reports.marts import rows, stat
from pipelines.reports.model import ReportContent, SkillRow


def report_skills(
    con: duckdb.DuckDBPyConnection, *, level: str, code: str, year: int, lang: str
) -> tuple[list[SkillRow], str]:
    """The area's skills in framework order, and the provisional note ('' when official)."""
    name = "name_en" if lang == "en" else "name_ja"
    found = rows(
        con,
        f"""
        with area as (
            select * from marts.public_skills_area_year
            where area_level = ? and area_code = ? and academic_year = ?
        ),
        nation as (
            select * from marts.public_skills_area_year
            where area_level = 'national' and area_code = 'JP' and academic_year = ?
        ),
        matched as (
            select a.skill_id,
                   sum((a.mean_step - n.mean_step) * a.students_assessed)
                       / sum(a.students_assessed) as gap
            from area a join nation n using (year_of_schooling, skill_id, assessor)
            where a.assessor = 'teacher' and a.year_of_schooling is not null
              and a.mean_step is not null and n.mean_step is not null
            group by a.skill_id
        )
        select d.skill_id, d.{name} as name, d.position,
               t.students_assessed, t.mean_step, t.mean_progress, t.suppressed,
               t.students_with_progress < (select min_students from marts.build_info)
                   as progress_suppressed,
               s.mean_step as mean_step_self, s.suppressed as self_suppressed,
               matched.gap
        from marts.dim_skill d
        inner join area t on t.skill_id = d.skill_id and t.assessor = 'teacher'
             and t.year_of_schooling is null
        left join area s on s.skill_id = d.skill_id and s.assessor = 'self'
             and s.year_of_schooling is null
        left join matched on matched.skill_id = d.skill_id
        order by d.position
        """,
        [level, code, year, year],
    )
    note = rows(
        con,
        f"select note_{'en' if lang == 'en' else 'ja'} as note from marts.dim_skill "
        "where provisional_ja limit 1",
        [],
    )
    skills = [
        SkillRow(
            r["skill_id"],
            r["name"],
            stat(r, "students_assessed"),
            stat(r, "mean_step"),
            stat(r, "gap"),
            stat({"suppressed": r["self_suppressed"], "v": r["mean_step_self"]}, "v"),
            stat({"suppressed": r["suppressed"] or r["progress_suppressed"], **r}, "mean_progress"),
        )
        for r in found
    ]
    return skills, (note[0]["note"] if note and skills else "")


SKILL_COLUMNS = (
    "col_skill",
    "col_students_assessed",
    "col_mean_step",
    "col_gap_to_nation",
    "col_mean_step_self",
    "col_mean_progress",
)


def skills_note_key(content: ReportContent) -> str:
    """The note under the table: without the gap's explanation where there is no gap."""
    return "skills_note_national" if content.is_national else "skills_note"


def skill_columns(content: ReportContent) -> tuple[str, ...]:
    """The skills table's columns: no gap to the nation in the national report (it would be
    the nation against itself, 0 on every row)."""
    if content.is_national:
        return tuple(key for key in SKILL_COLUMNS if key != "col_gap_to_nation")
    return SKILL_COLUMNS


def skills_section(content: ReportContent) -> str:
    """The section's HTML; empty when nothing was assessed in the area that year."""
    if not content.skills:
        return ""
    lang = content.lang
    shown = [key in skill_columns(content) for key in SKILL_COLUMNS]
    headers = [message(content, key) for key in SKILL_COLUMNS]
    body = [
        [
            (row.name, False),
            (show(row.students_assessed, "count", lang), True),
            (show(row.mean_step, "score", lang), True),
            (show(row.gap_to_nation, "score", lang, signed=True), True),
            (show(row.mean_step_self, "score", lang), True),
            (show(row.mean_progress, "score", lang, signed=True), True),
        ]
        for row in content.skills
    ]
    headers = [h for h, keep in zip(headers, shown, strict=True) if keep]
    body = [[cell for cell, keep in zip(line, shown, strict=True) if keep] for line in body]
    note = f'<p class="note">{message(content, skills_note_key(content))}</p>'
    if content.skills_note:
        provisional = message(content, "skills_provisional", note=content.skills_note)
        note += f'<p class="note">※ {provisional}</p>'
    return (
        f'<section class="skills"><h2>{message(content, "section_skills")}</h2>'
        + table(headers, body, "skills")
        + note
        + "</section>"
    )
