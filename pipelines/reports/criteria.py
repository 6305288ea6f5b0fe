"""The funder report's criteria section: the criteria furthest from being met nationally.

Read from marts.public_area_year_criterion at the national level (suppressed below min_schools
like every public figure); criteria whose national figure is suppressed are left out.
"""

from __future__ import annotations

import duckdb

from pipelines.reports.display import show
from pipelines.reports.markup import message, table
from pipelines.reports.marts import rows, stat
from pipelines.reports.model import CriterionRow, ReportContent

FURTHEST_SHOWN = 5


def furthest_criteria(
    con: duckdb.DuckDBPyConnection, *, year: int, version: str, lang: str
) -> list[CriterionRow]:
    """The criteria the smallest share of the nation's answering schools meet, lowest first."""
    found = rows(
        con,
        f"""
        select c.criterion_id, c.benchmark_id, d.text_{"en" if lang == "en" else "ja"} as text,
               c.schools_answering, c.pct_met, c.suppressed
        from marts.public_area_year_criterion c
        inner join marts.dim_criterion d
          on d.framework_version = c.framework_version and d.criterion_id = c.criterion_id
        where c.area_level = 'national' and c.area_code = 'JP' and c.academic_year = ?
          and c.framework_version = ? and not c.suppressed
        order by c.pct_met, d.position
        limit ?
        """,
        [year, version, FURTHEST_SHOWN],
    )
    return [
        CriterionRow(
            r["criterion_id"],
            r["benchmark_id"],
            r["text"],
            stat(r, "schools_answering"),
            stat(r, "pct_met"),
        )
        for r in found
    ]


def criteria_section(content: ReportContent) -> str:
    """The section's HTML; empty when no return of the year answered criteria."""
    if not content.criteria:
        return ""
    lang = content.lang
    headers = [
        message(content, "col_criterion"),
        message(content, "col_criterion_text"),
        message(content, "col_schools_answering"),
        message(content, "col_pct_met"),
    ]
    body = [
        [
            (row.criterion_id, False),
            (row.text, False),
            (show(row.schools_answering, "count", lang), True),
            (show(row.pct_met, "pct", lang), True),
        ]
        for row in content.criteria
    ]
    return (
        f'<section class="criteria"><h2>{message(content, "section_criteria")}</h2>'
        + table(headers, body, "criteria")
        + f'<p class="note">{message(content, "criteria_note", count=len(content.criteria))}</p>'
        + "</section>"
    )
