"""The handover sheet as Excel: one sheet, a block per student (ref, grade, then the activities
of their journey in time order). Text through pipelines.spreadsheet, so no cell is a formula."""

from __future__ import annotations

import io

import xlsxwriter

from pipelines.reports.handover import (
    Handover,
    activity_cells,
    columns,
    m,
    skills_by_year,
    skills_columns,
    skills_note,
)
from pipelines.spreadsheet import WORKBOOK_OPTIONS, TextCells


def render_handover_xlsx(handover: Handover) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    cells = TextCells(book)
    title = cells.format({"bold": True, "font_size": 14})
    header = cells.format({"bold": True, "bg_color": "#EEF3F8", "border": 1})
    text = cells.format({"border": 1})
    student_head = cells.format({"bold": True, "font_size": 11})
    sheet = book.add_worksheet(m(handover, "sheet")[:31])
    cells.write(sheet, 0, 0, m(handover, "title"), title)
    meta = m(
        handover,
        "meta",
        school=handover.school_name,
        code=handover.school_code,
        made_on=handover.made_on.isoformat(),
        students=len(handover.students),
    )
    cells.write(sheet, 1, 0, meta)
    cells.write(sheet, 2, 0, m(handover, "note"))
    row = 4
    for student in handover.students:
        heading = m(handover, "student_title", ref=student.student_ref, grade=student.grade)
        cells.write(sheet, row, 0, heading, student_head)
        row += 1
        for col, name in enumerate(columns(handover)):
            cells.write(sheet, row, col, name, header)
        row += 1
        if not student.activities:
            cells.write(sheet, row, 0, m(handover, "no_activities"))
            row += 1
        for activity in student.activities:
            for col, value in enumerate(activity_cells(handover, activity)):
                cells.write_value(sheet, row, col, value, text)
            row += 1
        skills = skills_by_year(handover, student)
        if skills:
            row += 1
            cells.write(sheet, row, 0, m(handover, "skills_title"), student_head)
            row += 1
            for col, name in enumerate(skills_columns(handover)):
                cells.write(sheet, row, col, name, header)
            row += 1
            for skills_row in skills:
                for col, value in enumerate(skills_row):
                    cells.write_value(sheet, row, col, value, text)
                row += 1
            cells.write(sheet, row, 0, skills_note(handover))
            row += 1
        row += 1
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # printed one page wide, as many long as the students need
    sheet.set_column(0, 1, 14)
    sheet.set_column(2, 2, 36)
    sheet.set_column(3, 3, 6)
    sheet.set_column(4, 4, 44)
    sheet.set_column(5, 7, 10)
    book.close()
    return out.getvalue()
