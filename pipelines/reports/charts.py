"""Plotly figures for reports: plain functions from ReportContent to a figure, no I/O.

The same figures are drawn as SVG for the PDF and as interactive charts in the HTML report.
Suppressed figures are never plotted: they appear as the suppression mark at zero.
"""

from __future__ import annotations

import math
from html import escape

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from pipelines.i18n import t
from pipelines.palette import benchmark_colour
from pipelines.reports.display import schooling_label, show
from pipelines.reports.model import ReportContent, Stat

# Local font names only: the system's Noto CJK (fonts-noto-cjk), never a web font.
FONT_FAMILY = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"
AREA_COLOUR = "#1f5f99"
NATION_COLOUR = "#a6a6a6"
COMPARISON_COLOURS = ("#7fa7cc", "#c9a227")  # the area's prefecture (or region), then others
TILE_SCALE = "Blues"
SUPPRESSED_FILL = "#bdbdbd"
WIDTH = 760


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        font={"family": FONT_FAMILY, "size": 12, "color": "#222222"},
        width=WIDTH,
        height=height,
        margin={"l": 10, "r": 20, "t": 50, "b": 40},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    )
    return fig


def _plotted(stat: Stat) -> float:
    return 0.0 if stat.value is None else stat.value


def _escaped(text: str) -> str:
    """Plotly reads a subset of HTML in names and labels; a name from data shows as written."""
    return escape(text, quote=False)


def _value_with_count(stat: Stat, basis: Stat, key: str, lang: str) -> str:
    """A bar's label: the figure and the number it stands on, e.g. 33.3%(3校) / 33.3% (n=3)."""
    if stat.value is None:
        return show(stat, "pct", lang)
    return t(f"report.{key}", lang, value=show(stat, "pct", lang), n=show(basis, "count", lang))


def benchmark_chart(content: ReportContent) -> go.Figure:
    """Horizontal bars: share of schools fully achieving each benchmark, in the area and in each
    area it is compared with, each bar labelled with its number of schools."""
    lang = content.lang
    labels = [_escaped(f"{b.benchmark_id} {b.name}") for b in content.benchmarks]
    fig = go.Figure()
    series = [(content.area_name, AREA_COLOUR, [b.area for b in content.benchmarks])]
    for index, area in enumerate(content.comparisons):
        colour = NATION_COLOUR if area.is_national else COMPARISON_COLOURS[index]
        series.append((area.name, colour, [b.comparisons[index] for b in content.benchmarks]))
    for name, colour, figures in reversed(series):  # horizontal bars stack bottom-up
        fig.add_trace(
            go.Bar(
                name=_escaped(name),
                y=labels,
                x=[_plotted(f.pct_fully_achieved) for f in figures],
                orientation="h",
                marker_color=colour,
                text=[
                    _value_with_count(
                        f.pct_fully_achieved, f.schools_reporting, "chart_value_schools", lang
                    )
                    for f in figures
                ],
                textposition="outside",
                cliponaxis=False,
            )
        )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(range=[0, 125], showgrid=True, gridcolor="#e5e5e5", ticksuffix="%")
    fig.update_xaxes(tickvals=[0, 20, 40, 60, 80, 100])
    fig.update_layout(barmode="group", legend_traceorder="reversed")
    return _layout(
        fig, t("report.chart_benchmarks_title", lang), 120 + 22 * len(labels) * len(series)
    )


def distribution_chart(content: ReportContent) -> go.Figure:
    lang = content.lang
    rows = content.distribution
    fig = go.Figure(
        go.Bar(
            x=[str(r.benchmarks_achieved) for r in rows],
            y=[_plotted(r.schools) for r in rows],
            marker_color=AREA_COLOUR,
            text=[show(r.schools, "count", lang) for r in rows],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_xaxes(title_text=t("report.col_benchmarks_achieved", lang), type="category")
    most = max((r.schools.value or 0 for r in rows), default=0)
    fig.update_yaxes(
        title_text=t("report.col_schools", lang),
        showgrid=True,
        gridcolor="#e5e5e5",
        rangemode="tozero",
        dtick=max(1, math.ceil(most / 5)),
    )
    return _layout(fig, t("report.chart_distribution_title", lang), 340)


def tile_map(content: ReportContent) -> go.Figure:
    """Japan as 47 squares on a 7x7 grid (row 7 at the top), coloured by benchmarks achieved."""
    lang = content.lang
    top = max(content.benchmark_count, 1)
    fig = go.Figure()
    centres_x, centres_y, hover = [], [], []
    for tile in content.prefectures:
        if tile.grid_row is None or tile.grid_col is None:
            continue
        stat = tile.avg_benchmarks_achieved
        x0, y0 = tile.grid_col - 1, tile.grid_row - 1
        if stat.suppressed:
            fill, ink = SUPPRESSED_FILL, "#333333"
        elif stat.value is None:
            fill, ink = "white", "#888888"
        else:
            share = min(max(stat.value / top, 0.0), 1.0)
            fill = sample_colorscale(TILE_SCALE, [0.15 + 0.85 * share])[0]
            ink = "white" if share > 0.5 else "#222222"
        fig.add_shape(
            type="rect",
            x0=x0 + 0.04,
            y0=y0 + 0.04,
            x1=x0 + 0.96,
            y1=y0 + 0.96,
            fillcolor=fill,
            line={
                "color": "#111111" if tile.in_area else "#c8c8c8",
                "width": 3 if tile.in_area else 1,
            },
        )
        value = show(stat, "avg", lang) if tile.has_data else ""
        count = (
            t("report.tile_schools", lang, n=show(tile.schools_reporting, "count", lang))
            if tile.schools_reporting.value is not None
            else ""
        )
        fig.add_annotation(
            x=x0 + 0.5,
            y=y0 + 0.5,
            text=f"{_escaped(tile.short_name)}<br>{value}<br>{count}",
            showarrow=False,
            font={"size": 10 if lang == "ja" else 8, "color": ink},
        )
        centres_x.append(x0 + 0.5)
        centres_y.append(y0 + 0.5)
        hover.append(_escaped(f"{tile.name}: {value or t('report.no_data_mark', lang)} ({count})"))
    # Invisible points give the HTML hover text.
    fig.add_trace(
        go.Scatter(
            x=centres_x,
            y=centres_y,
            mode="markers",
            hovertext=hover,
            hoverinfo="text",
            marker={"size": 18, "opacity": 0},
            showlegend=False,
        )
    )
    _tile_legend(fig, top, lang)
    fig.update_xaxes(visible=False, range=[-0.05, 7.05], fixedrange=True)
    fig.update_yaxes(
        visible=False, range=[-0.75, 7.05], fixedrange=True, scaleanchor="x", scaleratio=1
    )
    fig = _layout(fig, t("report.chart_tile_title", lang), 680)
    fig.update_layout(width=640, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def _tile_legend(fig: go.Figure, top: int, lang: str) -> None:
    """A row of swatches under the map (drawn as shapes, so it stays vector in the PDF)."""
    steps = 5
    for i in range(steps):
        value = top * i / (steps - 1)
        x0 = 2.0 + i * 0.6
        fig.add_shape(
            type="rect",
            x0=x0,
            x1=x0 + 0.55,
            y0=-0.55,
            y1=-0.3,
            line={"width": 0},
            fillcolor=sample_colorscale(TILE_SCALE, [0.15 + 0.85 * i / (steps - 1)])[0],
        )
        fig.add_annotation(
            x=x0 + 0.275, y=-0.65, text=f"{value:g}", showarrow=False, font={"size": 9}
        )
    fig.add_shape(
        type="rect",
        x0=5.3,
        x1=5.85,
        y0=-0.55,
        y1=-0.3,
        line={"width": 0},
        fillcolor=SUPPRESSED_FILL,
    )
    fig.add_annotation(
        x=5.575, y=-0.65, text=t("report.suppressed_mark", lang), showarrow=False, font={"size": 9}
    )


def coverage_chart(content: ReportContent) -> go.Figure:
    """Grouped bars: share of students reached per year of schooling (中1, 高1, ...), one series
    per coverage benchmark."""
    lang = content.lang
    fig = go.Figure()
    ids = list(dict.fromkeys(r.benchmark_id for r in content.coverage))
    # The dashboard's colour for each benchmark: its position in the framework.
    positions = {b.benchmark_id: i for i, b in enumerate(content.benchmarks, start=1)}
    for benchmark_id in ids:
        rows = [
            r
            for r in content.coverage
            if r.benchmark_id == benchmark_id and not r.coverage_pct.suppressed
        ]
        rows.sort(key=lambda r: (r.year_of_schooling is None, r.year_of_schooling or 0))
        fig.add_trace(
            go.Bar(
                name=_escaped(f"{benchmark_id} {content.benchmark_name(benchmark_id)}"),
                x=[schooling_label(r.year_of_schooling, lang) for r in rows],
                y=[_plotted(r.coverage_pct) for r in rows],
                text=[
                    _value_with_count(
                        r.coverage_pct, r.students_on_roll, "chart_value_students", lang
                    )
                    for r in rows
                ],
                textposition="outside",
                cliponaxis=False,
                marker_color=benchmark_colour(positions.get(benchmark_id, 1)),
            )
        )
    fig.update_yaxes(range=[0, 110], ticksuffix="%", showgrid=True, gridcolor="#e5e5e5")
    fig.update_layout(
        barmode="group", legend={"y": -0.15, "yanchor": "top", "x": 0, "xanchor": "left"}
    )
    fig = _layout(fig, t("report.chart_coverage_title", lang), 420)
    fig.update_layout(
        legend={"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "xanchor": "left"},
        margin={"b": 90},
    )
    return fig


def report_charts(content: ReportContent) -> dict[str, go.Figure]:
    """Every chart of the report, by section name; sections without data have no chart."""
    charts = {"benchmarks": benchmark_chart(content), "regional": tile_map(content)}
    if any(not r.schools.suppressed for r in content.distribution):
        charts["distribution"] = distribution_chart(content)
    if any(not r.coverage_pct.suppressed for r in content.coverage):
        charts["coverage"] = coverage_chart(content)
    return charts
