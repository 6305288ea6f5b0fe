"""Chart builders: plain functions from a DataFrame to a Plotly figure, tested without Streamlit.

Conventions everywhere: one colour per benchmark (by framework position), never colour alone (the
value is written on every bar, cell and tile), hover details, and a font family with Japanese
glyphs so labels render in the browser and in exported images.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from dashboard import format as fmt
from dashboard.text import plot
from pipelines.i18n import t
from pipelines.palette import BENCHMARK_PALETTE, benchmark_colour  # noqa: F401 - used by tests
from pipelines.reference import prefectures

FONT_FAMILY = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"
NO_DATA_GREY = "#d9d9d9"
SEQUENTIAL = "Blues"
# Marker symbols that tell the comparison averages apart without colour.
COMPARISON_SYMBOLS = {
    "hub_mean": "diamond",
    "municipality_mean": "square",
    "prefecture_mean": "triangle-up",
    "national_mean": "x",
}


def benchmark_label(
    benchmarks: pl.DataFrame, benchmark_id: str, lang: str, wrap: bool = False
) -> str:
    """'B5 企業・働く人との出会い' from the benchmarks frame (benchmark_id, name_ja, name_en).

    `wrap` breaks the name into short lines for an axis label (Plotly text: the name escaped,
    the lines joined with <br>).
    """
    row = benchmarks.filter(pl.col("benchmark_id") == benchmark_id)
    if row.is_empty():
        return benchmark_id
    name = row.item(0, "name_ja" if lang == "ja" else "name_en")
    if not wrap:
        return f"{benchmark_id} {name}"
    width = 8 if lang == "ja" else 16
    if lang == "ja":
        lines = [name[i : i + width] for i in range(0, len(name), width)]
    else:
        lines = textwrap.wrap(name, width)
    return "<br>".join(plot(part) for part in [benchmark_id, *lines])


def _positions(benchmarks: pl.DataFrame) -> dict[str, int]:
    return dict(zip(benchmarks["benchmark_id"], benchmarks["position"], strict=True))


# Every chart uses plotly_white. As the process default, plotly applies it to each new figure
# without validating it again; naming it in each figure's layout deep-copied and validated the
# whole template per chart (about 25 ms each), the largest cost of a page's rerun under load.
pio.templates.default = "plotly_white"


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title=dict(text=plot(title), x=0, xanchor="left"),
        height=height,
        font=dict(family=FONT_FAMILY, size=13),
        margin=dict(l=10, r=10, t=50, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
        hoverlabel=dict(font_family=FONT_FAMILY),
    )
    return fig


def _legend_below(fig: go.Figure) -> go.Figure:
    """Eight long benchmark names wrap into several legend rows: above a half-width chart they
    grew over its title, so they go under the plot (short axis labels only)."""
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0))
    return fig


def tile_map(
    areas: pl.DataFrame,
    value_column: str,
    lang: str,
    title: str,
    percent: bool = True,
    zmax: float = 100.0,
) -> go.Figure:
    """Tile-grid map of Japan: one square per prefecture, coloured and labelled by a measure.

    `areas` has area_code (prefecture code), the value column and optionally `suppressed`.
    Prefectures without a value are grey and labelled "no data".
    """
    values = {row["area_code"]: row for row in areas.iter_rows(named=True)}
    rows, cols = 7, 7
    z: list[list[float | None]] = [[None] * cols for _ in range(rows)]
    present: list[list[float | None]] = [[None] * cols for _ in range(rows)]
    text: list[list[str]] = [[""] * cols for _ in range(rows)]
    hover: list[list[str]] = [[""] * cols for _ in range(rows)]
    for pref in prefectures():
        r, c = pref.grid_row - 1, pref.grid_col - 1  # heatmap row 0 is the bottom (row 1)
        name = pref.short_ja if lang == "ja" else pref.name_en
        row = values.get(pref.code)
        value = None if row is None else row.get(value_column)
        present[r][c] = 0.0
        if value is None:
            reason = "suppressed" if row is not None and row.get("suppressed") else "no_data"
            label = t(f"dashboard.chart_{reason}", lang)
            # A tile is about 50 px wide: "suppressed" overran it in English. The hover keeps
            # the full word.
            short = t(f"dashboard.chart_{reason}_tile", lang)
        else:
            z[r][c] = float(value)
            label = short = fmt.pct(value) if percent else fmt.number(value)
        text[r][c] = f"{name}<br>{short}"
        hover[r][c] = f"{pref.name_ja if lang == 'ja' else pref.name_en}: {label}"
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=present,
            colorscale=[[0, NO_DATA_GREY], [1, NO_DATA_GREY]],
            showscale=False,
            xgap=4,
            ygap=4,
            hoverinfo="skip",
            name=t("dashboard.chart_no_data", lang),
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=z,
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            colorscale=SEQUENTIAL,
            xgap=4,
            ygap=4,
            hovertemplate="%{customdata}<extra></extra>",
            # Romanised names are longer than the Japanese short names: Kagoshima, Yamanashi.
            textfont=dict(size=11 if lang == "ja" else 10),
            colorbar=dict(thickness=12),
            name=title,
            zmin=0,
            zmax=zmax,
        )
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return _layout(fig, title, height=560)


def _bar_label(benchmarks: pl.DataFrame, benchmark_id: str, lang: str) -> str:
    """'B5 企業・働く人との出会い' on at most two lines beside a horizontal bar."""
    label = benchmark_label(benchmarks, benchmark_id, lang)
    width = 14 if lang == "ja" else 30
    if lang == "ja":
        lines = [label[i : i + width] for i in range(0, len(label), width)]
    else:
        lines = textwrap.wrap(label, width)
    return "<br>".join(lines)


def benchmark_bars(
    nation: pl.DataFrame,
    area: pl.DataFrame | None,
    benchmarks: pl.DataFrame,
    lang: str,
    *,
    value_column: str = "pct_fully_achieved",
    nation_label: str,
    area_label: str | None,
    title: str,
) -> go.Figure:
    """Per-benchmark bars: the nation (hatched) against an area (solid), benchmark colours.

    Horizontal, one benchmark per row with its name beside it: upright names under eight
    vertical bars overlapped in English and could not be read.
    """
    positions = _positions(benchmarks)
    fig = go.Figure()
    series = [(nation, nation_label, "/")]
    if area is not None and area_label:
        series.append((area, area_label, ""))
    for frame, name, pattern in series:
        label = plot(name)
        ids = frame["benchmark_id"].to_list()
        values = frame[value_column].to_list()
        fig.add_trace(
            go.Bar(
                y=[_bar_label(benchmarks, b, lang) for b in ids],
                x=values,
                orientation="h",
                name=label,
                marker=dict(
                    color=[benchmark_colour(positions.get(b, 1)) for b in ids],
                    pattern=dict(shape=pattern, fillmode="overlay" if pattern else None),
                    line=dict(color="#333333", width=0.5),
                ),
                text=[fmt.pct(v) for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"{label}<br>%{{y}}: %{{x:.1f}}%<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(range=[0, 115], title=t("dashboard.axis_pct_achieved", lang))
    return _layout(fig, title, height=max(420, 90 + 24 * len(series) * benchmarks.height))


# A heatmap of more cells than this is drawn without numbers in its cells: the colours compare,
# the hover and the compare page's Table view give each number. Writing 376 numbers (47
# prefectures x 8 benchmarks) took Chromium about 0.15 s of the compare page's first visit.
HEATMAP_LABELLED_CELLS = 200


def heatmap_labelled(areas: int, benchmarks: int) -> bool:
    """Whether area_heatmap writes each cell's number (few enough cells to read them)."""
    return areas * benchmarks <= HEATMAP_LABELLED_CELLS


def area_heatmap(
    frame: pl.DataFrame, benchmarks: pl.DataFrame, lang: str, *, value_column: str, title: str
) -> go.Figure:
    """Areas (rows) x benchmarks (columns), each cell coloured by its value and, when there are
    few enough cells (heatmap_labelled), labelled with it. A cell without a value is grey."""
    name_column = "area_name_ja" if lang == "ja" else "area_name_en"
    areas = frame.select("area_code", name_column).unique(maintain_order=True)
    ids = benchmarks["benchmark_id"].to_list()
    lookup = {
        (r["area_code"], r["benchmark_id"]): r[value_column] for r in frame.iter_rows(named=True)
    }
    z = [[lookup.get((code, b)) for b in ids] for code in areas["area_code"]]
    suppressed = t("dashboard.chart_suppressed", lang)
    text = [[fmt.pct(v) if v is not None else suppressed for v in row] for row in z]
    x = [benchmark_label(benchmarks, b, lang, wrap=True) for b in ids]
    y = [plot(name) for name in areas[name_column]]
    fig = go.Figure(
        go.Heatmap(  # below: grey where the value is missing (the cells above are empty there)
            z=[[0.0 if v is None else None for v in row] for row in z],
            x=x,
            y=y,
            colorscale=[[0, NO_DATA_GREY], [1, NO_DATA_GREY]],
            showscale=False,
            hovertemplate=f"%{{y}} / %{{x}}: {plot(suppressed)}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            text=text,
            texttemplate="%{text}" if heatmap_labelled(len(y), len(x)) else None,
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=100,
            # No gaps between cells: with gaps Plotly paints every cell at full size into an
            # image (0.2-0.6 s of the compare page's drawing for 47 prefectures); without, one
            # pixel a cell, scaled.
            hovertemplate="%{y} / %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(320, 60 + 32 * len(areas)))


def ranked_bars(
    frame: pl.DataFrame,
    *,
    label_column: str,
    value_column: str,
    title: str,
    value_text: list[str],
    axis_title: str,
) -> go.Figure:
    """Horizontal bars, highest first, each labelled with its formatted value. A row without a
    value (suppressed, or no return) has no bar: its label is written at zero instead, so the
    empty row is not read as a bar of zero."""
    labels = [plot(label) for label in frame[label_column]]
    fig = go.Figure(
        go.Bar(
            x=frame[value_column],
            y=labels,
            orientation="h",
            text=value_text,
            textposition="outside",
            cliponaxis=False,
            marker_color="#0072B2",
            hovertemplate="%{y}: %{text}<extra></extra>",
            showlegend=False,  # one series: a second (the suppressed labels) would add a legend
        )
    )
    missing = [i for i, value in enumerate(frame[value_column]) if value is None]
    if missing:
        fig.add_trace(
            go.Scatter(
                x=[0] * len(missing),
                y=[labels[i] for i in missing],
                text=[value_text[i] for i in missing],
                mode="text",
                textposition="middle right",
                textfont_color="#555555",
                cliponaxis=False,
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=axis_title)
    fig = _layout(fig, title, height=max(320, 60 + 30 * frame.height))
    # Room right of the longest bar for its label ("7.6 / 8"), which the narrow margin cut.
    return fig.update_layout(margin=dict(r=10 + 8 * max(map(len, value_text), default=0)))


def achieved_distribution(
    frame: pl.DataFrame, benchmark_count: int, lang: str, title: str
) -> go.Figure:
    """How many schools achieved 0..N benchmarks (every count shown, zero bars included)."""
    counts = dict(zip(frame["benchmarks_achieved"], frame["schools"], strict=True))
    xs = list(range(benchmark_count + 1))
    ys = [counts.get(x) or 0 for x in xs]
    fig = go.Figure(
        go.Bar(
            x=xs,
            y=ys,
            text=[fmt.count(y, lang) for y in ys],
            textposition="outside",
            cliponaxis=False,
            marker_color="#009E73",
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    fig.update_xaxes(title=t("dashboard.axis_benchmarks_achieved", lang), dtick=1)
    fig.update_yaxes(title=t("dashboard.axis_schools", lang))
    return _layout(fig, title)


def school_comparison(
    frame: pl.DataFrame, benchmarks: pl.DataFrame, lang: str, title: str
) -> go.Figure:
    """The school's score per benchmark (bars) against hub, municipality, prefecture, nation."""
    positions = _positions(benchmarks)
    ids = frame["benchmark_id"].to_list()
    labels = [benchmark_label(benchmarks, b, lang, wrap=True) for b in ids]
    scores = frame["score"].to_list()
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=scores,
            name=t("dashboard.series_school", lang),
            marker_color=[benchmark_colour(positions.get(b, 1)) for b in ids],
            text=[fmt.number(s, 0) for s in scores],
            # At the foot of the bar: at its top the number sat under the area markers,
            # which lie near the top when a school scores as its areas do.
            textposition="inside",
            insidetextanchor="start",
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        )
    )
    for column, symbol in COMPARISON_SYMBOLS.items():
        if frame[column].null_count() == frame.height:
            continue  # e.g. a school without a hub
        name = t(f"dashboard.series_{column}", lang)
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=frame[column],
                mode="markers",
                name=name,
                marker=dict(symbol=symbol, size=11, color="#333333", line=dict(width=1)),
                hovertemplate=f"{name}<br>%{{x}}: %{{y:.1f}}<extra></extra>",
            )
        )
    fig.update_yaxes(range=[0, 105], title=t("dashboard.axis_score", lang))
    return _layout(fig, title)


def coverage_by_grade(
    frame: pl.DataFrame, benchmarks: pl.DataFrame, lang: str, title: str
) -> go.Figure:
    """Share of students reached per grade, one bar group per grade, one bar per benchmark."""
    positions = _positions(benchmarks)
    fig = go.Figure()
    for benchmark_id in frame["benchmark_id"].unique(maintain_order=True):
        rows = frame.filter(pl.col("benchmark_id") == benchmark_id)
        fig.add_trace(
            go.Bar(
                x=[t("dashboard.grade_format", lang, grade=g) for g in rows["grade"]],
                y=rows["coverage_pct"],
                name=plot(benchmark_label(benchmarks, benchmark_id, lang)),
                marker_color=benchmark_colour(positions.get(benchmark_id, 1)),
                text=[fmt.pct(v, 0) for v in rows["coverage_pct"]],
                textposition="outside",
                cliponaxis=False,
                customdata=list(
                    zip(rows["students_reached"], rows["students_on_roll"], strict=True)
                ),
                hovertemplate="%{x}: %{y:.1f}% (%{customdata[0]} / %{customdata[1]})<extra>"
                + benchmark_id
                + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 110], title=t("dashboard.axis_coverage", lang))
    return _legend_below(_layout(fig, title, height=520))
