"""Chart builders for essential skills: plain functions from a dataframe to a figure.

`rows` is dashboard.queries.skills.area_skills (which = area | compare); `names` maps a skill id
to its name in the viewer's language, in framework order. Values are written on the marks, so
colour is never the only carrier.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import COMPARISON_SYMBOLS, FONT_FAMILY, _layout
from dashboard.charts_trends import label_sides
from dashboard.skills_insight import gaps, matched_gaps
from dashboard.text import plot
from pipelines.i18n import t
from pipelines.schooling import label as year_label

AREA_COLOUR = "#1f77b4"
SELF_COLOUR = "#ff7f0e"


def _m(key: str, lang: str, **values: object) -> str:
    return t(f"dashboard.{key}", lang, **values)


def _laid_out(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    """The shared layout with the legend under the plot: skill titles are long."""
    _layout(fig, title, height)
    fig.update_layout(
        legend=dict(orientation="h", yanchor="top", y=-0.15, xanchor="left", x=0),
        margin=dict(b=60),
    )
    return fig


def gap_heatmap(rows: pl.DataFrame, names: dict[str, str], lang: str, title: str) -> go.Figure:
    """Steps above (+) or below (-) the comparison, skill by year of schooling (teacher)."""
    found = gaps(rows)
    years = sorted(found["year_of_schooling"].unique().to_list())
    skills = list(names)
    cell = {(s, y): g for s, y, g in found.select("skill_id", "year_of_schooling", "gap").rows()}
    z = [[cell.get((s, y)) for y in years] for s in skills]
    text = [["" if v is None else f"{v:+.1f}" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[plot(year_label(y, lang)) for y in years],
            y=[plot(names[s]) for s in skills],
            text=text,
            texttemplate="%{text}",
            colorscale="RdBu",
            zmid=0,
            zmin=-2,
            zmax=2,
            colorbar=dict(title=plot(_m("skills_axis_gap", lang))),
            hovertemplate="%{y} / %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(**_year_ticks([plot(year_label(y, lang)) for y in years], years=None))
    return _layout(fig, title, height=max(320, 34 * len(skills) + 140))


def _year_ticks(labels: list[str], years: list[int] | None) -> dict:
    """Axis ticks for years of schooling, upright: "Year 10 (HS 1)" on two lines, so twelve of
    them fit across a chart instead of being turned on end under the legend. `years`: the
    tick positions when the axis is numeric (None: the labels are the categories)."""
    return dict(
        tickmode="array",
        tickvals=labels if years is None else years,
        ticktext=[label.replace(" (", "<br>(") for label in labels],
        tickangle=0,
    )


def growth_lines(
    rows: pl.DataFrame,
    skill_id: str,
    area_label: str,
    compare_label: str,
    lang: str,
    title: str,
) -> go.Figure:
    """One skill's mean step by year of schooling: the area (teacher, self) and the comparison
    (teacher): the shape of growth through school."""
    fig = go.Figure()
    shown = rows.filter(
        (pl.col("skill_id") == skill_id)
        & pl.col("year_of_schooling").is_not_null()
        & pl.col("mean_step").is_not_null()
    ).with_columns(line=pl.concat_str("which", "assessor", separator="/"))
    series = (
        ("area", "teacher", area_label, "solid", AREA_COLOUR, "circle"),
        ("area", "self", area_label, "dot", SELF_COLOUR, "circle-open"),
        (
            "compare",
            "teacher",
            compare_label,
            "dash",
            "#555555",
            COMPARISON_SYMBOLS["national_mean"],
        ),
    )
    drawn = tuple(f"{which}/{assessor}" for which, assessor, *_ in series)  # in drawing order
    shown = shown.filter(pl.col("line").is_in(drawn))
    sides = label_sides(shown, "mean_step", line_column="line", x_column="year_of_schooling")
    crowded = _crowded(shown, sides, drawn)
    for which, assessor, who, dash, colour, symbol in series:
        part = shown.filter((pl.col("which") == which) & (pl.col("assessor") == assessor)).sort(
            "year_of_schooling"
        )
        if part.is_empty():
            continue
        name = _m(f"skills_series_{assessor}", lang, area=who)
        fig.add_trace(
            go.Scatter(
                x=part["year_of_schooling"].to_list(),
                customdata=[plot(year_label(y, lang)) for y in part["year_of_schooling"]],
                y=part["mean_step"].to_list(),
                mode="lines+markers+text",
                text=[
                    "" if (f"{which}/{assessor}", y) in crowded else f"{v:.1f}"
                    for y, v in part.select("year_of_schooling", "mean_step").iter_rows()
                ],
                textposition=[sides[(f"{which}/{assessor}", y)] for y in part["year_of_schooling"]],
                name=plot(name),
                line=dict(dash=dash, color=colour),
                marker=dict(symbol=symbol, size=9),
                hovertemplate="%{customdata}: %{y:.1f}<extra>" + plot(name) + "</extra>",
            )
        )
    years = sorted(
        rows.filter(pl.col("year_of_schooling").is_not_null())["year_of_schooling"]
        .unique()
        .to_list()
    )
    fig.update_xaxes(**_year_ticks([plot(year_label(y, lang)) for y in years], years=years))
    fig.update_yaxes(title=_m("skills_axis_step", lang), rangemode="tozero")
    fig = _laid_out(fig, title)
    fig.update_layout(legend_y=-0.2)  # under the ticks' second line
    return fig


# A value's label takes about this share of the step axis (0 to the highest step) in the
# chart's 420 px: two labels nearer than this at one year print over each other.
LABEL_ROOM = 0.06


def _crowded(shown: pl.DataFrame, sides: dict, order: tuple[str, ...]) -> set[tuple[str, int]]:
    """(line, year) points whose value is left unwritten (it stays in the hover): at a year
    where three lines meet, a label that would print over one of a line before it in `order`
    (the school's own lines before the nation's)."""
    room = LABEL_ROOM * max(shown["mean_step"].max() or 0.0, 1.0)
    left_out: set[tuple[str, int]] = set()
    for (year,), rows in shown.group_by("year_of_schooling"):
        value = dict(zip(rows["line"], rows["mean_step"], strict=True))
        written: list[float] = []
        for line in (line for line in order if line in value):
            up = sides[(line, year)] == "top center"
            at = value[line] + (room / 2 if up else -room / 2)
            if any(abs(at - other) < room for other in written):
                left_out.add((line, year))
            else:
                written.append(at)
    return left_out


def distribution(
    dist: pl.DataFrame, skill_id: str, max_step: int, lang: str, title: str
) -> go.Figure:
    """Share of the area's students at each latest step of one skill, teacher and self."""
    fig = go.Figure()
    for assessor, colour in (("teacher", AREA_COLOUR), ("self", SELF_COLOUR)):
        part = dist.filter((pl.col("skill_id") == skill_id) & (pl.col("assessor") == assessor))
        total = part["students"].sum()
        if not total:
            continue
        counts = dict(part.select("latest_step", "students").rows())
        steps = list(range(max_step + 1))
        shares = [100 * counts.get(s, 0) / total for s in steps]
        name = _m(f"skills_assessor_{assessor}", lang) + f" (n={total})"
        fig.add_trace(
            go.Bar(
                x=steps,
                y=shares,
                name=plot(name),
                marker_color=colour,
                text=[f"{v:.0f}" if v >= 1 else "" for v in shares],
                textposition="outside",
                customdata=[counts.get(s, 0) for s in steps],
                hovertemplate="%{x}: %{y:.1f}% (%{customdata})<extra>" + plot(name) + "</extra>",
            )
        )
    fig.update_xaxes(title=_m("skills_axis_step", lang), dtick=1)
    fig.update_yaxes(title=_m("skills_axis_share", lang))
    fig.update_layout(barmode="group")
    return _laid_out(fig, title)


def _all_years(rows: pl.DataFrame, which: str, assessor: str, column: str) -> dict[str, float]:
    part = rows.filter(
        (pl.col("which") == which)
        & (pl.col("assessor") == assessor)
        & pl.col("year_of_schooling").is_null()
        & pl.col(column).is_not_null()
    )
    return dict(part.select("skill_id", column).rows())


def progress_bars(
    rows: pl.DataFrame,
    names: dict[str, str],
    area_label: str,
    compare_label: str,
    lang: str,
    title: str,
) -> go.Figure:
    """Mean progress within the year (steps, students assessed on two dates, teacher), the area
    as bars and the comparison as markers."""
    area = _all_years(rows, "area", "teacher", "mean_progress")
    other = _all_years(rows, "compare", "teacher", "mean_progress")
    skills = [s for s in names if s in area or s in other]
    y = [plot(names[s]) for s in skills]
    fig = go.Figure(
        go.Bar(
            y=y,
            x=[area.get(s) for s in skills],
            orientation="h",
            name=plot(area_label),
            marker_color=AREA_COLOUR,
            text=[f"{area[s]:+.1f}" if s in area else "" for s in skills],
            textposition="outside",
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
        )
    )
    if other:  # none when the area is the nation itself
        fig.add_trace(
            go.Scatter(
                y=y,
                x=[other.get(s) for s in skills],
                mode="markers",
                name=plot(compare_label),
                marker=dict(symbol=COMPARISON_SYMBOLS["national_mean"], size=11, color="#333333"),
                hovertemplate="%{y}: %{x:.2f}<extra>" + plot(compare_label) + "</extra>",
            )
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=_m("skills_axis_progress", lang), rangemode="tozero")
    return _laid_out(fig, title, height=max(340, 34 * len(skills) + 160))


def self_teacher_gap(rows: pl.DataFrame, names: dict[str, str], lang: str, title: str) -> go.Figure:
    """Self minus teacher mean step per skill (all years), largest disagreement first."""
    own = _all_years(rows, "area", "self", "mean_step")
    teacher = _all_years(rows, "area", "teacher", "mean_step")
    both = sorted(
        ((s, own[s] - teacher[s]) for s in names if s in own and s in teacher),
        key=lambda item: -abs(item[1]),
    )
    fig = go.Figure(
        go.Bar(
            y=[plot(names[s]) for s, _ in both],
            x=[g for _, g in both],
            orientation="h",
            marker_color=[SELF_COLOUR if g >= 0 else AREA_COLOUR for _, g in both],
            text=[f"{g:+.1f}" for _, g in both],
            textposition="outside",
            hovertemplate="%{y}: %{x:+.2f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=_m("skills_axis_self_minus_teacher", lang), zeroline=True)
    fig.update_layout(font=dict(family=FONT_FAMILY))
    return _layout(fig, title, height=max(300, 34 * len(both) + 120))


def school_gaps(
    against_hub: pl.DataFrame,
    against_nation: pl.DataFrame,
    names: dict[str, str],
    lang: str,
    title: str,
) -> go.Figure:
    """Per skill: the school's steps above or below its hub and the nation, compared on the
    same years of schooling and weighted by the school's students (teacher assessment)."""

    def weighted(rows: pl.DataFrame) -> dict[str, float]:
        return dict(matched_gaps(rows).rows())

    fig = go.Figure()
    for key, rows, colour in (
        ("skills_series_vs_hub", against_hub, "#2ca02c"),
        ("skills_series_vs_nation", against_nation, "#555555"),
    ):
        values = weighted(rows)
        if not values:
            continue
        skills = [s for s in names if s in values]
        fig.add_trace(
            go.Bar(
                y=[plot(names[s]) for s in skills],
                x=[values[s] for s in skills],
                orientation="h",
                name=plot(_m(key, lang)),
                marker_color=colour,
                text=[f"{values[s]:+.1f}" for s in skills],
                textposition="outside",
                hovertemplate="%{y}: %{x:+.2f}<extra>" + plot(_m(key, lang)) + "</extra>",
            )
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=_m("skills_axis_gap_steps", lang), zeroline=True)
    fig.update_layout(barmode="group")
    return _laid_out(fig, title, height=max(360, 44 * len(names) + 160))
