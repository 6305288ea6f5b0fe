"""Chart builders for criteria: plain functions from a dataframe to a figure (no Streamlit)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import format as fmt
from dashboard.charts import COMPARISON_SYMBOLS, _layout, benchmark_colour
from dashboard.text import plot
from pipelines.i18n import t

SHORT_BAR_PCT = 12.0  # under this share a bar is too short to hold its label inside


def criteria_gaps(
    gaps: pl.DataFrame, area_label: str, lang: str, title: str, positions: dict[str, int]
) -> go.Figure:
    """Share of the area's schools meeting each criterion (bars, coloured by benchmark) against
    the nation's share (markers), criteria furthest behind the nation first. `gaps` is
    dashboard.queries.criteria.area_criteria_gaps; suppressed rows (pct_met null) are left out."""
    shown = gaps.filter(pl.col("pct_met").is_not_null())
    ids = shown["criterion_id"].to_list()
    texts = [plot(f"{c} {x}") for c, x in zip(ids, shown[f"text_{lang}"], strict=True)]
    short = [plot(c) for c in ids]
    shares = shown["pct_met"].to_list()
    fig = go.Figure(
        go.Bar(
            y=short,
            x=shares,
            orientation="h",
            name=plot(area_label),
            # Every bar says its share, at its foot (clear of the nation's marker near the end);
            # a bar too short to hold it (0 % has no bar at all) says it just beyond its end.
            text=[fmt.pct(v, 0) for v in shares],
            textposition=["outside" if v < SHORT_BAR_PCT else "inside" for v in shares],
            insidetextanchor="start",
            cliponaxis=False,
            marker_color=[benchmark_colour(positions.get(b, 1)) for b in shown["benchmark_id"]],
            customdata=texts,
            hovertemplate="%{customdata}: %{x:.0f}%<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=short,
            x=shown["national_pct_met"].to_list(),
            mode="markers",
            name=t("dashboard.criteria_series_nation", lang),
            marker=dict(symbol=COMPARISON_SYMBOLS["national_mean"], size=10),
            customdata=texts,
            hovertemplate="%{customdata}: %{x:.0f}%<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 100], title=t("dashboard.criteria_axis_pct_met", lang))
    return _layout(fig, title, height=max(320, 28 * len(ids) + 120))
