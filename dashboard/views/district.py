"""地区の進捗 / District progress: a district's schools over the years against prefecture and
nation, and which benchmarks move and which stall.

One chart view at a time, chosen above it (kept in the URL): the trend lines (two measures side
by side in one figure: two figures took the browser twice as long to draw, 0.23-0.28 s on the
page's first visit), or the change per benchmark. Which benchmarks move, stall or fall is written
under either view."""

import polars as pl
import streamlit as st

from dashboard import charts, charts_trends, coverage_so_far, data, ui
from dashboard.filters import url_segmented
from dashboard.queries import areas as q_areas
from dashboard.queries import journeys as q_journeys
from dashboard.queries import schools as q_schools
from dashboard.text import md

# A benchmark whose share fully achieved changed by less than this many points has stalled.
STALL_POINTS = 5.0
# Areas a district's trend is compared with, beside its own.
COMPARED_LEVELS = ("hub", "municipality", "prefecture", "national")
VIEWS = ("trend", "change")


def render() -> None:
    lang, scope, f = ui.lang(), ui.scope(), ui.filters()
    ui.page_title("page_district")
    # The area this view shows (a hub, a district, a school type within one): dashboard.selection.
    shown, label = ui.selection(f), ui.selection_label(f)
    if shown.home[0] in ("national", "region"):
        st.info(ui.m("district_pick_hint"))
    own = data.query(q_areas.selection_trend, scope, **f.selection()).with_columns(
        area_level=pl.lit("selection"),
        area_code=pl.lit("selection"),
        area_name_ja=pl.lit(label),
        area_name_en=pl.lit(label),
    )
    # Its home area (when narrowed to a school type, say) and the areas above it.
    home_level, home_code = shown.home
    chain = data.query(q_areas.area_parents, scope, level=home_level, code=home_code)
    compared = chain.filter(pl.col("area_level").is_in(COMPARED_LEVELS))
    if shown.area is not None:  # the selection is that area: its line is already drawn
        level, code = shown.area
        compared = compared.filter((pl.col("area_level") != level) | (pl.col("area_code") != code))
    trends = pl.concat(
        [own]
        + [
            data.query(q_areas.area_trend, scope, level=a, code=c)
            for a, c in compared.select("area_level", "area_code").iter_rows()
        ],
        how="vertical_relaxed",
    )
    headline = trends.filter(benchmark_id="ALL")
    if own.filter(benchmark_id="ALL").is_empty():
        ui.no_schools()
        return
    st.caption(ui.m("district_caption", area=md(label)))
    benchmarks = ui.benchmarks()
    view = url_segmented(
        "progress", ui.m("district_view"), VIEWS, VIEWS[0], ui.labels("district_view_", lang)
    )
    change = _benchmark_change(own)
    period = (  # the change's title, and the heading of the lists under either view
        ui.m(
            "district_change_title",
            first=change.item(0, "first_year"),
            last=change.item(0, "last_year"),
        )
        if change.height
        else None
    )
    if view == "trend":
        _trend_charts(headline, lang)
        if period:
            st.markdown(f"**{period}**")
    elif period:
        ui.chart(
            ui.figure(charts_trends.benchmark_change, change, benchmarks, lang, period),
            key="district_change",
        )
    if change.height:
        moving = change.filter(pl.col("change") >= STALL_POINTS)["benchmark_id"].to_list()
        stalled = change.filter(pl.col("change").abs() < STALL_POINTS)["benchmark_id"].to_list()
        falling = change.filter(pl.col("change") <= -STALL_POINTS)["benchmark_id"].to_list()
        for key, ids in (("moving", moving), ("stalled", stalled), ("falling", falling)):
            names = ui.m("district_list_separator").join(
                md(charts.benchmark_label(benchmarks, b, lang)) for b in ids
            )
            st.markdown(f"**{ui.m('district_' + key)}**: {names or ui.m('none')}")
    else:
        st.info(ui.m("district_one_year"))

    if shown.area is not None and f.year:
        level, code = shown.area
        so_far = data.query(
            q_journeys.area_coverage_so_far, scope, level=level, code=code, year=f.year
        )
        coverage_so_far.area_section(so_far, label, f.year, lang)

    if shown.area_level not in ("prefecture", "municipality") and not shown.hub:
        # A district's list of schools; Japan's 35,000 or a region's thousands are no list to
        # read, and sending them made this page the slowest to draw.
        st.caption(ui.m("district_schools_pick"))
        return
    schools = data.query(q_schools.district_schools, scope, **f.selection())
    if schools.is_empty():
        ui.no_schools()
        return
    st.markdown(f"#### {ui.m('district_schools_title')}")
    wide = schools.pivot(
        "academic_year",
        index=["school_code", "school_name"],
        values="benchmarks_achieved",
        sort_columns=True,
    )
    wide = wide.rename(
        {"school_code": ui.m("col_code"), "school_name": ui.m("col_school")}
        | {c: ui.m("year_format", year=c) for c in wide.columns[2:]}
    )
    st.dataframe(wide, hide_index=True, placeholder="—", key="district_table")


def _trend_charts(headline: pl.DataFrame, lang: str) -> None:
    """The selection's average benchmarks achieved and share achieving all, year by year,
    beside the areas it is compared with, side by side in one figure (one legend)."""
    panels = (
        charts_trends.Panel(
            "mean_score", ui.m("district_avg_title"), ui.m("metric_avg_achieved"), False
        ),
        charts_trends.Panel(
            "pct_fully_achieved", ui.m("district_all_title"), ui.m("metric_pct_all"), True
        ),
    )
    ui.chart(
        ui.figure(charts_trends.area_lines, headline, lang, panels),
        key="district_trends",
    )


def _benchmark_change(trend: pl.DataFrame) -> pl.DataFrame:
    """Change in % fully achieved per benchmark between the first and last year reported."""
    rows = trend.filter(pl.col("benchmark_id") != "ALL", pl.col("pct_fully_achieved").is_not_null())
    if rows["academic_year"].n_unique() < 2:
        return rows.clear().select("benchmark_id")
    return (
        rows.sort("academic_year")
        .group_by("benchmark_id", maintain_order=True)
        .agg(
            first_year=pl.col("academic_year").first(),
            last_year=pl.col("academic_year").last(),
            change=pl.col("pct_fully_achieved").last() - pl.col("pct_fully_achieved").first(),
        )
        .sort("benchmark_id")
    )


ui.run_page(render)
