"""The report as one HTML document, shared by the PDF (WeasyPrint) and the HTML file.

The caller supplies each chart already rendered as an HTML fragment (an SVG image for the PDF, a
Plotly div for the HTML file); everything else, tables and text, is built here from ReportContent.
All text is escaped; nothing in the document refers to the network.
"""

from __future__ import annotations

from html import escape
from importlib import resources

from pipelines.i18n import t
from pipelines.reports.criteria import criteria_section
from pipelines.reports.display import (
    area_title,
    data_version,
    long_date,
    schooling_label,
    show,
    year_label,
)
from pipelines.reports.markup import fold_line, table
from pipelines.reports.markup import message as _m
from pipelines.reports.model import ReportContent
from pipelines.reports.sections import (
    benchmarks_section,
    distribution_section,
    headline_section,
    regional_section,
)
from pipelines.reports.skills import skills_section


def stylesheet() -> str:
    return resources.files(__package__).joinpath("report.css").read_text("utf-8")


def title_block(content: ReportContent) -> str:
    subtitle = t(
        "report.subtitle",
        content.lang,
        area=area_title(content),
        year_label=year_label(content.year, content.lang),
    )
    return (
        '<header class="title">'
        f"<h1>{_m(content, 'title')}</h1>"
        f'<p class="subtitle">{escape(subtitle)}</p>'
        f'<p class="meta">{_m(content, "made_on", date=long_date(content.made_on, content.lang))}'
        f"<br>{escape(data_version(content))}<br>"
        f"{_m(content, 'framework_line', name=content.framework_name, version=content.framework_version, count=content.benchmark_count)}</p>"  # noqa: E501
        "</header>"
    )


def coverage_section(content: ReportContent, chart: str) -> str:
    lang = content.lang
    heading = f'<section class="coverage"><h2>{_m(content, "section_coverage")}</h2>'
    if not content.coverage:
        return heading + f"<p>{_m(content, 'no_coverage')}</p></section>"
    headers = [
        t(f"report.{k}", lang)
        for k in (
            "col_year_of_schooling",
            "col_benchmark",
            "col_students_on_roll",
            "col_students_reached",
            "col_coverage_pct",
            "col_meaningful_pct",
            "col_coverage_ever_pct",
        )
    ]
    rows = [
        [
            (schooling_label(r.year_of_schooling, lang), False),
            (f"{r.benchmark_id} {content.benchmark_name(r.benchmark_id)}", False),
            (show(r.students_on_roll, "count", lang), True),
            (show(r.students_reached, "count", lang), True),
            (show(r.coverage_pct, "pct", lang), True),
            (show(r.meaningful_coverage_pct, "pct", lang), True)
            if r.meaningful_coverage_pct
            else (t("report.no_data_mark", lang), True),
            (show(r.coverage_ever_pct, "pct", lang), True)
            if r.coverage_ever_pct
            else (t("report.no_data_mark", lang), True),
        ]
        for r in content.coverage
        if not r.coverage_pct.suppressed
    ]
    hidden = [r for r in content.coverage if r.coverage_pct.suppressed]
    folded = fold_line(content, "folded_coverage", [""] * len(hidden))
    return (
        heading
        + (f'<div class="chart">{chart}</div>' + table(headers, rows, "coverage") if rows else "")
        + folded
        + "</section>"
    )


def methodology_items(content: ReportContent) -> list[str]:
    """The methodology notes as plain sentences (also the Excel methodology sheet)."""
    lang = content.lang
    return [
        t("report.method_effective_return", lang),
        t("report.method_fully_achieved", lang),
        t("report.method_averages", lang),
        t("report.method_coverage", lang),
        t("report.method_coverage_so_far", lang),
        t(
            "report.method_suppression",
            lang,
            min_schools=content.min_schools,
            min_students=content.min_students,
        ),
        t("report.method_rounding", lang),
        t(
            "report.framework_line",
            lang,
            name=content.framework_name,
            version=content.framework_version,
            count=content.benchmark_count,
        ),
        data_version(content),
        t("report.made_on", lang, date=long_date(content.made_on, lang)),
    ]


def methodology_section(content: ReportContent) -> str:
    lang = content.lang
    items = "".join(f"<li>{escape(item)}</li>" for item in methodology_items(content))
    headers = [
        t("report.col_benchmark_id", lang),
        t("report.col_benchmark", lang),
        t("report.col_description", lang),
    ]
    rows = [
        [(b.benchmark_id, False), (b.name, False), (b.description, False)]
        for b in content.benchmarks
    ]
    return (
        f'<section class="methodology"><h2>{_m(content, "section_methodology")}</h2>'
        f"<ul>{items}</ul>" + table(headers, rows, "definitions") + "</section>"
    )


def build_document(content: ReportContent, charts: dict[str, str], *, head_extra: str = "") -> str:
    """The full HTML document; `charts` maps section name to an already rendered fragment."""
    lang = content.lang
    body = "".join(
        [
            title_block(content),
            headline_section(content),
            benchmarks_section(content, charts.get("benchmarks", "")),
            criteria_section(content),
            skills_section(content),
            distribution_section(content, charts.get("distribution", "")),
            regional_section(content, charts.get("regional", "")),
            coverage_section(content, charts.get("coverage", "")),
            methodology_section(content),
        ]
    )
    title = escape(
        f"{t('report.title', lang)} — {area_title(content)} {year_label(content.year, lang)}"
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{stylesheet()}</style>{head_extra}</head>"
        f"<body>{body}</body></html>"
    )
