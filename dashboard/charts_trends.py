"""Charts over time: a school's scores by term, areas over the years, change per benchmark.

Plain functions from query results to Plotly figures, as in dashboard.charts (whose layout,
labels and colours they share).
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
from plotly.subplots import make_subplots

from dashboard import format as fmt
from dashboard.charts import _layout, _legend_below, _positions, benchmark_label
from dashboard.text import plot
from pipelines.i18n import t
from pipelines.palette import benchmark_colour

# Least distance, in score points, between two line-end labels at the same term: about a line
# of text at the chart's height.
END_LABEL_GAP = 5.0
# An area's line has the same colour in every panel (plotly's own colours, in order).
_LINE_COLOURS = pio.templates["plotly_white"].layout.colorway


def history_lines(
    frame: pl.DataFrame, benchmarks: pl.DataFrame, lang: str, title: str
) -> go.Figure:
    """Score per benchmark by return (year and term); the id is written at each line's end,
    moved up or down as little as needed so that lines ending close together stay readable."""
    positions = _positions(benchmarks)
    fig = go.Figure()
    with_period = frame.with_columns(
        period=pl.format(t("dashboard.period_format", lang), "academic_year", "term")
    )
    ends: list[tuple[str, float, str, str]] = []  # (period, score, id, colour) of each end
    for benchmark_id in benchmarks["benchmark_id"]:
        rows = with_period.filter(pl.col("benchmark_id") == benchmark_id)
        if rows.is_empty():
            continue
        colour = benchmark_colour(positions[benchmark_id])
        fig.add_trace(
            go.Scatter(
                x=rows["period"],
                y=rows["score"],
                mode="lines+markers",
                name=plot(benchmark_label(benchmarks, benchmark_id, lang)),
                line=dict(color=colour),
                hovertemplate="%{x}: %{y:.1f}<extra>" + benchmark_id + "</extra>",
            )
        )
        ends.append((rows["period"][-1], rows["score"][-1], benchmark_id, colour))
    for period, label_y, benchmark_id, colour in _spread_ends(ends):
        fig.add_annotation(
            x=period,
            y=label_y,
            text=benchmark_id,
            showarrow=False,
            xanchor="left",
            xshift=8,
            font=dict(color=colour),
        )
    _term_axis(fig, with_period, lang)
    fig.update_yaxes(range=[0, 105], title=t("dashboard.axis_score", lang))
    fig = _legend_below(_layout(fig, title, height=520))
    fig.update_layout(legend_y=-0.16)  # under the ticks' second line (the year)
    return fig


def _term_axis(fig: go.Figure, with_period: pl.DataFrame, lang: str) -> None:
    """Terms in time order, each ticked with its number and the year under a year's first
    term: eight "2024年度 2学期" labels side by side were turned on end and overlapped."""
    periods = (
        with_period.select("academic_year", "term", "period").unique().sort("academic_year", "term")
    )
    texts, shown_year = [], None
    for year, term, _ in periods.iter_rows():
        year_line = (
            "" if year == shown_year else "<br>" + t("dashboard.term_axis_year", lang, year=year)
        )
        texts.append(f"{term}{year_line}")
        shown_year = year
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=periods["period"].to_list(),
        tickvals=periods["period"].to_list(),
        ticktext=texts,
        tickangle=0,
    )


def _spread_ends(
    ends: list[tuple[str, float, str, str]], low: float = 0.0, high: float = 105.0
) -> list[tuple[str, float, str, str]]:
    """Each line end's label height: its score, pushed apart from the labels ending at the
    same term to END_LABEL_GAP, kept within [low, high]."""
    placed = []
    for period in dict.fromkeys(end[0] for end in ends):
        group = sorted((e for e in ends if e[0] == period), key=lambda e: (e[1] is None, e[1]))
        heights = [low if e[1] is None else float(e[1]) for e in group]
        for i in range(1, len(heights)):  # upwards: each at least a gap above the one below
            heights[i] = max(heights[i], heights[i - 1] + END_LABEL_GAP)
        if heights and heights[-1] > high:  # then down from the top, if that ran off the chart
            heights[-1] = high
            for i in range(len(heights) - 2, -1, -1):
                heights[i] = min(heights[i], heights[i + 1] - END_LABEL_GAP)
        placed += [(e[0], h, e[2], e[3]) for e, h in zip(group, heights, strict=True)]
    return placed


@dataclass(frozen=True)
class Panel:
    """One measure of `area_lines`: its column, its title and its axis' title."""

    value_column: str
    title: str
    axis_title: str
    percent: bool


def area_lines(frame: pl.DataFrame, lang: str, panels: tuple[Panel, ...]) -> go.Figure:
    """One line per area over the years (e.g. district vs prefecture vs nation), values shown,
    for each measure of `panels`, side by side in one figure with one legend (the areas are the
    same in each). The browser draws one figure of two panels in about half the time of two
    figures."""
    fig = make_subplots(
        rows=1,
        cols=len(panels),
        subplot_titles=[plot(panel.title) for panel in panels],
        horizontal_spacing=0.1,
    )
    for col, panel in enumerate(panels, start=1):
        _add_area_lines(
            fig, frame, lang, value_column=panel.value_column, percent=panel.percent, col=col
        )
        fig.update_yaxes(
            title=panel.axis_title, ticksuffix="%" if panel.percent else "", row=1, col=col
        )
    fig.update_xaxes(type="category", title=t("dashboard.axis_year", lang))
    fig.update_annotations(font_size=15)  # the panels' titles
    return _legend_below(_layout(fig, "", height=460))


def _add_area_lines(
    fig: go.Figure,
    frame: pl.DataFrame,
    lang: str,
    *,
    value_column: str,
    percent: bool,
    col: int,
) -> None:
    """A line per area of `frame` in the panel `col`, named in the legend once (in the first
    panel) and of the same colour in every panel."""
    name_column = "area_name_ja" if lang == "ja" else "area_name_en"
    dashes = ("solid", "dash", "dot", "dashdot")
    sides = label_sides(frame, value_column)
    for index, (code, rows) in enumerate(frame.group_by("area_code", maintain_order=True)):
        values = rows[value_column].to_list()
        name = plot(rows[name_column][0])
        colour = _LINE_COLOURS[index % len(_LINE_COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=[str(y) for y in rows["academic_year"]],
                y=values,
                mode="lines+markers+text",
                name=name,
                legendgroup=code[0],
                showlegend=col == 1,
                line=dict(dash=dashes[index % len(dashes)], width=3, color=colour),
                marker=dict(color=colour),
                text=[fmt.pct(v) if percent else fmt.number(v) for v in values],
                textposition=[sides.get((code[0], y), "top center") for y in rows["academic_year"]],
                hovertemplate="%{x}: %{text}<extra>" + name + "</extra>",
            ),
            row=1,
            col=col,
        )


def label_sides(
    frame: pl.DataFrame,
    value_column: str,
    *,
    line_column: str = "area_code",
    x_column: str = "academic_year",
) -> dict[tuple[object, object], str]:
    """Where each point's value is written, keyed (line, x): at each x, above the highest
    line, below the lowest, and for a line between them on the side away from its nearest
    neighbour. With every label above, two lines a few tenths apart printed their values over
    each other."""
    sides: dict[tuple[object, object], str] = {}
    points = frame.select(line_column, x_column, value_column).drop_nulls(value_column)
    for (year,), rows in points.group_by(x_column):
        ranked = rows.sort(value_column)
        codes, values = ranked[line_column].to_list(), ranked[value_column].to_list()
        for i, (code, value) in enumerate(zip(codes, values, strict=True)):
            below = value - values[i - 1] if i > 0 else None
            above = values[i + 1] - value if i < len(values) - 1 else None
            up = above is None or (below is not None and below <= above)
            sides[(code, year)] = "top center" if up else "bottom center"
    return sides


def benchmark_change(
    frame: pl.DataFrame, benchmarks: pl.DataFrame, lang: str, title: str
) -> go.Figure:
    """Change per benchmark over a period (column `change`), labelled +/- points."""
    positions = _positions(benchmarks)
    ids = frame["benchmark_id"].to_list()
    changes = frame["change"].to_list()
    fig = go.Figure(
        go.Bar(
            x=[benchmark_label(benchmarks, b, lang, wrap=True) for b in ids],
            y=changes,
            marker_color=[benchmark_colour(positions.get(b, 1)) for b in ids],
            text=[fmt.change(c, 1, t("dashboard.unit_points", lang)) or "—" for c in changes],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(title=t("dashboard.axis_change_points", lang), zeroline=True)
    return _layout(fig, title)
