"""The report as one HTML document, shared by the PDF (WeasyPrint) and the HTML file.

The caller supplies each chart already rendered as an HTML fragment (an SVG image for the PDF, a
Plotly div for the HTML file); everything else, tables and text, is built here from ReportContent.
All text is escaped; nothing in the document refers to the network.
"""

from __future__ import annotations

from html import escape
from importlib import resources

from pipelines.i18n import t
from pipelines.reports.display import (
    area_title,
    measure_label,
    schooling_label,
    show,
    year_label,
)
from pipelines.reports.model import ReportContent, Stat


def stylesheet() -> str:
    return resources.files(__package__).joinpath("report.css").read_text("utf-8")


def _m(content: ReportContent, key: str, **values: object) -> str:
    return escape(t(f"report.{key}", content.lang, **values))


def _table(headers: list[str], rows: list[list[tuple[str, bool]]], css_class: str = "") -> str:
    """rows: cells as (text, numeric); numeric cells align right. Texts are escaped here."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if numeric else "text"}">{escape(text)}</td>'
            for text, numeric in row
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _footnote_if_suppressed(content: ReportContent, stats: list[Stat]) -> str:
    if not any(s.suppressed for s in stats):
        return ""
    text = _m(
        content,
        "suppression_footnote",
        min_schools=content.min_schools,
        min_students=content.min_students,
    )
    return f'<p class="note">{text}</p>'


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
        f'<p class="meta">{_m(content, "made_on", date=content.made_on.isoformat())}<br>'
        f"{_m(content, 'data_version', build_version=content.build_version, snapshot_version=content.snapshot_version, built_at=content.built_at)}<br>"  # noqa: E501
        f"{_m(content, 'framework_line', name=content.framework_name, version=content.framework_version, count=content.benchmark_count)}</p>"  # noqa: E501
        "</header>"
    )


def headline_section(content: ReportContent) -> str:
    lang = content.lang
    headers = [t("report.col_measure", lang), area_title(content)]
    if not content.is_national:
        headers.append(t("report.col_nation", lang))
    headers += [t("report.col_previous", lang), t("report.col_change", lang)]
    rows, stats = [], []
    for row in content.headline:
        cells = [
            (measure_label(row.measure, content), False),
            (show(row.area, row.kind, lang), True),
        ]
        if not content.is_national:
            cells.append((show(row.nation, row.kind, lang), True))
        cells += [
            (show(row.previous, row.kind, lang), True),
            (show(row.change, row.kind, lang, signed=True), True),
        ]
        rows.append(cells)
        stats += [row.area, row.nation, row.previous, row.change]
    note = "" if content.has_previous else f'<p class="note">{_m(content, "no_previous")}</p>'
    return (
        f'<section class="headline"><h2>{_m(content, "section_headline")}</h2>'
        + _table(headers, rows, "headline")
        + note
        + _footnote_if_suppressed(content, stats)
        + "</section>"
    )


def benchmarks_section(content: ReportContent, chart: str) -> str:
    lang = content.lang
    headers = [
        t(f"report.{k}", lang)
        for k in (
            "col_benchmark_id",
            "col_benchmark",
            "col_schools_reporting",
            "col_mean_score",
            "col_pct_fully_achieved",
            "col_nation_mean_score",
            "col_nation_pct_fully_achieved",
        )
    ]
    rows, stats = [], []
    for b in content.benchmarks:
        rows.append(
            [
                (b.benchmark_id, False),
                (b.name, False),
                (show(b.schools_reporting, "count", lang), True),
                (show(b.mean_score, "score", lang), True),
                (show(b.pct_fully_achieved, "pct", lang), True),
                (show(b.nation_mean_score, "score", lang), True),
                (show(b.nation_pct_fully_achieved, "pct", lang), True),
            ]
        )
        stats += [b.schools_reporting, b.mean_score, b.pct_fully_achieved]
    return (
        f'<section class="benchmarks"><h2>{_m(content, "section_benchmarks")}</h2>'
        f'<div class="chart">{chart}</div>'
        + _table(headers, rows, "benchmarks")
        + _footnote_if_suppressed(content, stats)
        + "</section>"
    )


def distribution_section(content: ReportContent, chart: str) -> str:
    lang = content.lang
    if not content.distribution:
        return ""
    headers = [
        t("report.col_benchmarks_achieved", lang),
        t("report.col_schools", lang),
        t("report.col_share", lang),
    ]
    rows = [
        [
            (str(r.benchmarks_achieved), True),
            (show(r.schools, "count", lang), True),
            (show(r.share, "pct", lang), True),
        ]
        for r in content.distribution
    ]
    stats = [r.schools for r in content.distribution]
    return (
        f'<section class="distribution"><h2>{_m(content, "section_distribution")}</h2>'
        f'<div class="chart">{chart}</div>'
        + _table(headers, rows, "distribution")
        + _footnote_if_suppressed(content, stats)
        + "</section>"
    )


def _comparison_rows(content: ReportContent, rows) -> list[list[tuple[str, bool]]]:
    lang = content.lang
    return [
        [
            (r.name, False),
            (show(r.schools_reporting, "count", lang), True),
            (show(r.response_rate, "pct", lang), True),
            (show(r.avg_benchmarks_achieved, "avg", lang), True),
            (show(r.pct_all_achieved, "pct", lang), True),
        ]
        for r in rows
    ]


def regional_section(content: ReportContent, chart: str) -> str:
    lang = content.lang
    measures = [
        t("report.measure_schools_reporting", lang),
        t("report.measure_response_rate", lang),
        measure_label("avg_benchmarks_achieved", content),
        t("report.measure_pct_all_achieved", lang),
    ]
    regions = [r for r in content.regions if r.has_data]
    prefectures = [p for p in content.prefectures if p.has_data]
    stats = [s for r in regions + prefectures for s in (r.schools_reporting, r.response_rate)]
    return (
        f'<section class="regional"><h2>{_m(content, "section_regional")}</h2>'
        f'<div class="chart tilemap">{chart}</div>'
        f'<p class="note">{_m(content, "tile_note")}</p>'
        + _table(
            [t("report.col_region", lang), *measures], _comparison_rows(content, regions), "regions"
        )
        + _table(
            [t("report.col_prefecture", lang), *measures],
            _comparison_rows(content, prefectures),
            "prefectures",
        )
        + _footnote_if_suppressed(content, stats)
        + "</section>"
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
        )
    ]
    rows = [
        [
            (schooling_label(r.year_of_schooling, lang), False),
            (f"{r.benchmark_id} {content.benchmark_name(r.benchmark_id)}", False),
            (show(r.students_on_roll, "count", lang), True),
            (show(r.students_reached, "count", lang), True),
            (show(r.coverage_pct, "pct", lang), True),
        ]
        for r in content.coverage
    ]
    stats = [r.coverage_pct for r in content.coverage]
    return (
        heading
        + f'<div class="chart">{chart}</div>'
        + _table(headers, rows, "coverage")
        + _footnote_if_suppressed(content, stats)
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
        t(
            "report.data_version",
            lang,
            build_version=content.build_version,
            snapshot_version=content.snapshot_version,
            built_at=content.built_at,
        ),
        t("report.made_on", lang, date=content.made_on.isoformat()),
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
        f"<ul>{items}</ul>" + _table(headers, rows, "definitions") + "</section>"
    )


def build_document(content: ReportContent, charts: dict[str, str], *, head_extra: str = "") -> str:
    """The full HTML document; `charts` maps section name to an already rendered fragment."""
    lang = content.lang
    body = "".join(
        [
            title_block(content),
            headline_section(content),
            benchmarks_section(content, charts.get("benchmarks", "")),
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
