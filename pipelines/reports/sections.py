"""The report's sections as HTML: headline, benchmarks, distribution, regional comparison.

Every area figure stands beside the number of schools it is built on; rows whose figures are all
suppressed are folded into one line that says how many and why, instead of a table of marks.
"""

from __future__ import annotations

from html import escape

from pipelines.i18n import t
from pipelines.reports.display import area_title, measure_label, show
from pipelines.reports.markup import fold_line, footnote_if_suppressed, message, table
from pipelines.reports.model import ComparisonRow, ReportContent


def _area_headers(content: ReportContent) -> list[str]:
    """The report's area, then each area it is compared with (none in the national report)."""
    return [area_title(content), *(c.name for c in content.comparisons)]


def headline_section(content: ReportContent) -> str:
    lang = content.lang
    headers = [
        t("report.col_measure", lang),
        *_area_headers(content),
        t("report.col_previous", lang),
        t("report.col_change", lang),
    ]
    rows, stats = [], []
    for row in content.headline:
        rows.append(
            [
                (measure_label(row.measure, content), False),
                (show(row.area, row.kind, lang), True),
                *((show(s, row.kind, lang), True) for s in row.comparisons),
                (show(row.previous, row.kind, lang), True),
                (show(row.change, row.kind, lang, signed=True), True),
            ]
        )
        stats += [row.area, *row.comparisons, row.previous, row.change]
    note = "" if content.has_previous else f'<p class="note">{message(content, "no_previous")}</p>'
    return (
        f'<section class="headline"><h2>{message(content, "section_headline")}</h2>'
        + table(headers, rows, "headline")
        + f'<p class="note">{message(content, "headline_basis")}</p>'
        + note
        + footnote_if_suppressed(content, stats)
        + "</section>"
    )


def _grouped_table(lead: list[str], groups: list[tuple[str, list[str]]], rows, css: str) -> str:
    """A table whose figure columns are grouped under an area name (two header rows)."""
    top = "".join(f'<th rowspan="2">{escape(h)}</th>' for h in lead) + "".join(
        f'<th colspan="{len(subs)}" class="group">{escape(name)}</th>' for name, subs in groups
    )
    sub = "".join(f"<th>{escape(s)}</th>" for _name, subs in groups for s in subs)
    return table([], rows, css, head=f"<tr>{top}</tr><tr>{sub}</tr>")


def benchmarks_section(content: ReportContent, chart: str) -> str:
    lang = content.lang
    subs = [
        t(f"report.{k}", lang) for k in ("col_schools_short", "col_mean_short", "col_pct_short")
    ]
    groups = [(name, subs) for name in _area_headers(content)]
    rows, stats = [], []
    for b in content.benchmarks:
        cells = [(b.benchmark_id, False), (b.name, False)]
        for figures in (b.area, *b.comparisons):
            cells += [
                (show(figures.schools_reporting, "count", lang), True),
                (show(figures.mean_score, "score", lang), True),
                (show(figures.pct_fully_achieved, "pct", lang), True),
            ]
            stats += [figures.mean_score, figures.pct_fully_achieved]
        rows.append(cells)
    lead = [t("report.col_benchmark_id", lang), t("report.col_benchmark", lang)]
    heading = "section_benchmarks" if content.is_national else "section_benchmarks_compared"
    names = t("report.list_separator", lang).join(c.name for c in content.comparisons)
    return (
        f'<section class="benchmarks"><h2>{message(content, heading, areas=names)}</h2>'
        f'<div class="chart">{chart}</div>'
        + _grouped_table(lead, groups, rows, "benchmarks")
        + footnote_if_suppressed(content, stats)
        + "</section>"
    )


def distribution_section(content: ReportContent, chart: str) -> str:
    lang = content.lang
    if not content.distribution:
        return ""
    heading = f'<section class="distribution"><h2>{message(content, "section_distribution")}</h2>'
    if all(r.schools.suppressed for r in content.distribution):
        reporting = next(r.area for r in content.headline if r.measure == "schools_reporting")
        line = message(
            content,
            "folded_distribution",
            n=show(reporting, "count", lang),
            min_schools=content.min_schools,
        )
        return heading + f'<p class="folded">{line}</p></section>'
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
    return (
        heading
        + f'<div class="chart">{chart}</div>'
        + table(headers, rows, "distribution")
        + "</section>"
    )


def _comparison_table(content: ReportContent, first: str, rows: list[ComparisonRow], css: str):
    lang = content.lang
    headers = [
        first,
        t("report.measure_schools_reporting", lang),
        t("report.measure_response_rate", lang),
        measure_label("avg_benchmarks_achieved", content),
        t("report.measure_pct_all_achieved", lang),
    ]
    shown = [r for r in rows if r.has_data and not r.avg_benchmarks_achieved.suppressed]
    hidden = [r for r in rows if r.has_data and r.avg_benchmarks_achieved.suppressed]
    cells = [
        [
            (r.name, False),
            (show(r.schools_reporting, "count", lang), True),
            (show(r.response_rate, "pct", lang), True),
            (show(r.avg_benchmarks_achieved, "avg", lang), True),
            (show(r.pct_all_achieved, "pct", lang), True),
        ]
        for r in shown
    ]
    folded = fold_line(
        content,
        "folded_areas",
        [r.name for r in hidden],
        what=first,
    )
    return (table(headers, cells, css) if cells else "") + folded


def regional_section(content: ReportContent, chart: str) -> str:
    lang = content.lang
    return (
        f'<section class="regional"><h2>{message(content, "section_regional")}</h2>'
        f'<div class="chart tilemap">{chart}</div>'
        f'<p class="note">{message(content, "tile_note")}</p>'
        + _comparison_table(content, t("report.col_region", lang), content.regions, "regions")
        + _comparison_table(
            content, t("report.col_prefecture", lang), content.prefectures, "prefectures"
        )
        + "</section>"
    )
