"""The Excel report: a summary sheet and one detail sheet per section.

Numbers are written unrounded with a display format, so a reader can compute with them; every text
goes through pipelines.spreadsheet (string cells, and Excel's quote prefix on any text that could
start a formula). Suppressed figures are the suppression mark, never a number. Every figure of an
area sits beside the number of schools it stands on, and the report's area is compared with the
areas it lies in (none repeated in the national report).
"""

from __future__ import annotations

import io
from datetime import datetime

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pipelines.i18n import t
from pipelines.reports.display import (
    area_title,
    data_version,
    long_date,
    measure_label,
    schooling_label,
    year_label,
)
from pipelines.reports.document import methodology_items
from pipelines.reports.model import ReportContent, Stat
from pipelines.reports.skills import skill_columns, skills_note_key
from pipelines.spreadsheet import WORKBOOK_OPTIONS, TextCells

NUMBER_FORMATS = {"count": "#,##0", "pct": "0.0", "score": "0.0", "avg": "0.00"}
SIGNED_FORMATS = {
    "count": "+#,##0;-#,##0;0",
    "pct": "+0.0;-0.0;0.0",
    "score": "+0.0;-0.0;0.0",
    "avg": "+0.00;-0.00;0.00",
}


class _Writer:
    """Formats of one workbook, and cell writers that never let text become a formula."""

    def __init__(self, book: xlsxwriter.Workbook, content: ReportContent) -> None:
        self.content = content
        self.cells = TextCells(book)
        self.header = self.cells.format(
            {"bold": True, "bg_color": "#EEF3F8", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.title = self.cells.format({"bold": True, "font_size": 16})
        self.text = self.cells.format({"border": 1, "valign": "top", "text_wrap": True})
        self.plain = self.cells.format({"text_wrap": False})
        self.mark = book.add_format(
            {"border": 1, "align": "right", "font_color": "#666666", "bg_color": "#E0E0E0"}
        )
        self.numbers = {
            k: book.add_format({"border": 1, "num_format": f}) for k, f in NUMBER_FORMATS.items()
        }
        self.signed = {
            k: book.add_format({"border": 1, "num_format": f}) for k, f in SIGNED_FORMATS.items()
        }

    def string(self, ws: Worksheet, row: int, col: int, text: str, fmt=None) -> None:
        self.cells.write(ws, row, col, text, fmt if fmt is not None else self.text)

    def headers(self, ws: Worksheet, row: int, labels: list[str]) -> None:
        for col, label in enumerate(labels):
            self.cells.write(ws, row, col, label, self.header)
        ws.freeze_panes(row + 1, 0)

    def stat(
        self, ws: Worksheet, row: int, col: int, stat: Stat, kind: str, signed: bool = False
    ) -> None:
        lang = self.content.lang
        if stat.suppressed:
            ws.write_string(row, col, t("report.suppressed_mark", lang), self.mark)
        elif stat.value is None:
            ws.write_string(row, col, t("report.no_data_mark", lang), self.mark)
        else:
            ws.write_number(row, col, stat.value, (self.signed if signed else self.numbers)[kind])


def _sheet(
    book, w: _Writer, c: ReportContent, name_key: str, column_keys: tuple[str, ...]
) -> Worksheet:
    """A new sheet named from the catalogue, with its header row of catalogue labels frozen."""
    ws = book.add_worksheet(t(f"report.{name_key}", c.lang))
    w.headers(ws, 0, [t(f"report.{key}", c.lang) for key in column_keys])
    return ws


def _summary(book, w: _Writer, c: ReportContent) -> None:
    ws = book.add_worksheet(t("report.sheet_summary", c.lang))
    lang = c.lang
    w.string(ws, 0, 0, t("report.title", lang), w.title)
    w.string(
        ws,
        1,
        0,
        t("report.subtitle", lang, area=area_title(c), year_label=year_label(c.year, lang)),
        w.plain,
    )
    w.string(ws, 2, 0, t("report.made_on", lang, date=long_date(c.made_on, lang)), w.plain)
    w.string(ws, 3, 0, data_version(c), w.plain)
    w.string(
        ws,
        4,
        0,
        t(
            "report.framework_line",
            lang,
            name=c.framework_name,
            version=c.framework_version,
            count=c.benchmark_count,
        ),
        w.plain,
    )
    header_row = 6
    w.headers(
        ws,
        header_row,
        [
            t("report.col_measure", lang),
            c.area_name,
            *(a.name for a in c.comparisons),
            t("report.col_previous", lang),
            t("report.col_change", lang),
        ],
    )
    last = len(c.comparisons) + 2
    for i, row in enumerate(c.headline, start=header_row + 1):
        w.string(ws, i, 0, measure_label(row.measure, c))
        w.stat(ws, i, 1, row.area, row.kind)
        for col, figure in enumerate(row.comparisons, start=2):
            w.stat(ws, i, col, figure, row.kind)
        w.stat(ws, i, last, row.previous, row.kind)
        w.stat(ws, i, last + 1, row.change, row.kind, signed=True)
    note_row = header_row + len(c.headline) + 2
    w.string(
        ws,
        note_row,
        0,
        t(
            "report.suppression_footnote",
            lang,
            min_schools=c.min_schools,
            min_students=c.min_students,
        ),
        w.plain,
    )
    ws.set_column(0, 0, 40)
    ws.set_column(1, last + 1, 16)


def _benchmarks(book, w: _Writer, c: ReportContent) -> None:
    ws = book.add_worksheet(t("report.sheet_benchmarks", c.lang))
    figures = [
        t(f"report.{k}", c.lang)
        for k in ("col_schools_reporting", "col_mean_score", "col_pct_fully_achieved")
    ]
    compared = [f"{a.name}: {label}" for a in c.comparisons for label in figures]
    w.headers(
        ws,
        0,
        [t("report.col_benchmark_id", c.lang), t("report.col_benchmark", c.lang)]
        + figures
        + compared,
    )
    for i, b in enumerate(c.benchmarks, start=1):
        w.string(ws, i, 0, b.benchmark_id)
        w.string(ws, i, 1, b.name)
        for group, area in enumerate((b.area, *b.comparisons)):
            col = 2 + 3 * group
            w.stat(ws, i, col, area.schools_reporting, "count")
            w.stat(ws, i, col + 1, area.mean_score, "score")
            w.stat(ws, i, col + 2, area.pct_fully_achieved, "pct")
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 1 + 3 * (1 + len(c.comparisons)), 14)


def _distribution(book, w: _Writer, c: ReportContent) -> None:
    ws = book.add_worksheet(t("report.sheet_distribution", c.lang))
    w.headers(
        ws,
        0,
        [
            t("report.col_benchmarks_achieved", c.lang),
            t("report.col_schools", c.lang),
            t("report.col_share", c.lang),
        ],
    )
    for i, r in enumerate(c.distribution, start=1):
        ws.write_number(i, 0, r.benchmarks_achieved, w.numbers["count"])
        w.stat(ws, i, 1, r.schools, "count")
        w.stat(ws, i, 2, r.share, "pct")
    ws.set_column(0, 2, 18)


def _regional(book, w: _Writer, c: ReportContent) -> None:
    ws = book.add_worksheet(t("report.sheet_regional", c.lang))
    lang = c.lang
    w.headers(
        ws,
        0,
        [
            t("report.col_level", lang),
            t("report.col_code", lang),
            t("report.col_name", lang),
            t("report.measure_schools_reporting", lang),
            t("report.measure_response_rate", lang),
            measure_label("avg_benchmarks_achieved", c),
            t("report.measure_pct_all_achieved", lang),
        ],
    )
    for i, r in enumerate(c.regions + c.prefectures, start=1):
        w.string(ws, i, 0, t(f"report.level_{r.level}", lang))
        w.string(ws, i, 1, r.code)
        w.string(ws, i, 2, r.name)
        w.stat(ws, i, 3, r.schools_reporting, "count")
        w.stat(ws, i, 4, r.response_rate, "pct")
        w.stat(ws, i, 5, r.avg_benchmarks_achieved, "avg")
        w.stat(ws, i, 6, r.pct_all_achieved, "pct")
    ws.set_column(0, 1, 10)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 6, 18)


def _coverage(book, w: _Writer, c: ReportContent) -> None:
    ws = _sheet(
        book,
        w,
        c,
        "sheet_coverage",
        (
            "col_year_of_schooling",
            "col_benchmark_id",
            "col_benchmark",
            "col_students_on_roll",
            "col_students_reached",
            "col_coverage_pct",
            "col_meaningful_pct",
            "col_coverage_ever_pct",
        ),
    )
    for i, r in enumerate(c.coverage, start=1):
        w.string(ws, i, 0, schooling_label(r.year_of_schooling, c.lang))
        w.string(ws, i, 1, r.benchmark_id)
        w.string(ws, i, 2, c.benchmark_name(r.benchmark_id))
        w.stat(ws, i, 3, r.students_on_roll, "count")
        w.stat(ws, i, 4, r.students_reached, "count")
        w.stat(ws, i, 5, r.coverage_pct, "pct")
        for col, value in ((6, r.meaningful_coverage_pct), (7, r.coverage_ever_pct)):
            if value is not None:
                w.stat(ws, i, col, value, "pct")
    ws.set_column(0, 1, 10)
    ws.set_column(2, 2, 36)
    ws.set_column(3, 7, 16)


def _skills(book, w: _Writer, c: ReportContent) -> None:
    """Essential skills of the area (public figures), with the provisional-translation note."""
    if not c.skills:
        return
    columns = skill_columns(c)
    ws = _sheet(book, w, c, "sheet_skills", columns)
    values = {
        "col_students_assessed": (lambda r: r.students_assessed, "count"),
        "col_mean_step": (lambda r: r.mean_step, "score"),
        "col_gap_to_nation": (lambda r: r.gap_to_nation, "score"),
        "col_mean_step_self": (lambda r: r.mean_step_self, "score"),
        "col_mean_progress": (lambda r: r.mean_progress, "score"),
    }
    for i, r in enumerate(c.skills, start=1):
        w.string(ws, i, 0, r.name)
        for j, key in enumerate(columns[1:], start=1):
            value, kind = values[key]
            w.stat(ws, i, j, value(r), kind)
    notes = [t(f"report.{skills_note_key(c)}", c.lang)] + (
        [f"※ {c.skills_note}"] if c.skills_note else []
    )
    for i, note in enumerate(notes, start=len(c.skills) + 2):
        w.string(ws, i, 0, note, w.plain)
    ws.set_column(0, 0, 22)
    ws.set_column(1, len(columns) - 1, 18)


def _criteria(book, w: _Writer, c: ReportContent) -> None:
    """The criteria furthest from being met nationally: the PDF and HTML section's rows."""
    if not c.criteria:
        return
    ws = _sheet(
        book,
        w,
        c,
        "sheet_criteria",
        ("col_criterion", "col_criterion_text", "col_schools_answering", "col_pct_met"),
    )
    for i, r in enumerate(c.criteria, start=1):
        w.string(ws, i, 0, r.criterion_id)
        w.string(ws, i, 1, r.text)
        w.stat(ws, i, 2, r.schools_answering, "count")
        w.stat(ws, i, 3, r.pct_met, "pct")
    note = t("report.criteria_note", c.lang, count=len(c.criteria))
    w.string(ws, len(c.criteria) + 2, 0, note, w.plain)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 3, 16)


def _methodology(book, w: _Writer, c: ReportContent) -> None:
    ws = book.add_worksheet(t("report.sheet_methodology", c.lang))
    w.headers(
        ws,
        0,
        [
            t("report.col_benchmark_id", c.lang),
            t("report.col_benchmark", c.lang),
            t("report.col_description", c.lang),
        ],
    )
    for i, b in enumerate(c.benchmarks, start=1):
        w.string(ws, i, 0, b.benchmark_id)
        w.string(ws, i, 1, b.name)
        w.string(ws, i, 2, b.description)
    start = len(c.benchmarks) + 2
    for i, item in enumerate(methodology_items(c), start=start):
        w.string(ws, i, 0, item, w.plain)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 2, 70)


def render_xlsx(content: ReportContent) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    book.set_properties(
        {
            "title": f"{t('report.title', content.lang)} {content.area_name} {content.year}",
            "subject": year_label(content.year, content.lang),
            "author": "Shirube",
            "company": "Shirube",
            "keywords": f"{content.area_level}:{content.area_code}, {content.framework_version}",
            "comments": f"{data_version(content)} {content.build_version}",  # full id: traceable
            "created": datetime.combine(content.made_on, datetime.min.time()),
        }
    )
    book.set_custom_property("data_version", content.build_version or "-")
    book.set_custom_property("snapshot_version", content.snapshot_version or "-")
    writer = _Writer(book, content)
    _summary(book, writer, content)
    _benchmarks(book, writer, content)
    _distribution(book, writer, content)
    _regional(book, writer, content)
    _coverage(book, writer, content)
    _criteria(book, writer, content)
    _skills(book, writer, content)
    _methodology(book, writer, content)
    book.close()
    return buffer.getvalue()
