"""地域比較 / Compare areas: one view at a time, chosen above it (kept in the URL): a heatmap of
area x benchmark, the areas ranked with the selection's spread of benchmarks achieved, or the
table of every area (its summary, and the heatmap's measure per benchmark: a heatmap of many
areas shows its numbers on hover only). Only the chosen view is queried and drawn: the three
together took the browser 0.5-0.6 s to draw on a page's first visit (docs/performance.md)."""

import polars as pl
import streamlit as st

from dashboard import charts, data, tables, ui
from dashboard import format as fmt
from dashboard.filters import url_segmented, url_selectbox
from dashboard.queries import areas as q_areas
from pipelines.settings import settings

LEVELS = ("prefecture", "region", "municipality", "hub")
HEAT_MEASURES = ("pct_fully_achieved", "mean_score")
VIEWS = ("heatmap", "ranking", "table")


def render() -> None:
    lang, scope, f = ui.lang(), ui.scope(), ui.filters()
    ui.page_title("page_compare")
    if f.year is None:
        st.info(ui.m("no_years"))
        return
    benchmarks = ui.benchmarks()
    pick_level, pick_measure = st.columns(2)
    level = url_selectbox(
        "compare", ui.m("compare_level"), LEVELS, LEVELS[0], ui.labels("level_", lang), pick_level
    )
    view = url_segmented(
        "view", ui.m("compare_view"), VIEWS, VIEWS[0], ui.labels("compare_view_", lang)
    )
    # Municipalities or hubs of the prefecture chosen in the sidebar, when one is chosen.
    in_prefecture = level in ("municipality", "hub") and f.area_level == "prefecture"
    parent = f.area_code if in_prefecture else None
    summaries = data.query(
        q_areas.area_summaries, scope, level=level, year=f.year, parent_code=parent
    )
    if summaries.is_empty():
        ui.no_schools()
        return
    # A heatmap of Japan's 1,700 municipalities is a scroll nobody reads, and drawing it held
    # the server for every session (benchmarks/bench_load.py).
    charted = summaries.height <= int(settings()["dashboard"]["max_charted_areas"])
    if not charted and view != "table":
        st.info(
            ui.m(
                "compare_too_many",
                count=f"{summaries.height:,}",
                level=ui.m(f"level_{level}"),
                table=ui.m("compare_view_table"),
            )
        )
    ranked = summaries.sort("avg_benchmarks_achieved", descending=True, nulls_last=True)
    if view == "table" or (view == "heatmap" and charted):  # the views that show a measure
        measure = url_selectbox(
            "heat",
            ui.m("compare_measure"),
            HEAT_MEASURES,
            HEAT_MEASURES[0],
            ui.labels("heat_", lang),
            pick_measure,
        )
        by_benchmark = data.query(
            q_areas.area_benchmarks, scope, level=level, year=f.year, parent_code=parent
        )
    if view == "heatmap" and charted:
        _heatmap(f, lang, benchmarks, level, by_benchmark, measure)
    elif view == "ranking":
        if charted:
            left, right = st.columns(2)
            with left:
                _ranked(ranked, benchmarks)
            with right:
                _distribution(f, scope, lang, benchmarks)
        else:
            _distribution(f, scope, lang, benchmarks)
    elif view == "table":
        place = f"_{parent}" if parent else ""
        _table(ranked, by_benchmark, benchmarks, measure, f"compare_{level}{place}_{f.year}")
    if summaries["suppressed"].any():
        st.caption(ui.m("suppressed_note"))


def _heatmap(
    f, lang: str, benchmarks: pl.DataFrame, level: str, by_benchmark: pl.DataFrame, measure: str
) -> None:
    ui.chart(
        ui.figure(
            charts.area_heatmap,
            by_benchmark,
            benchmarks,
            lang,
            value_column=measure,
            title=ui.m(
                "heatmap_title",
                level=ui.m(f"level_{level}"),
                measure=ui.m(f"heat_{measure}"),
                year=f.year,
            ),
        ),
        key="heatmap",
    )
    if not charts.heatmap_labelled(by_benchmark["area_code"].n_unique(), benchmarks.height):
        st.caption(ui.m("heatmap_unlabelled"))


def _ranked(ranked: pl.DataFrame, benchmarks: pl.DataFrame) -> None:
    hidden, no_value = ui.m("chart_suppressed"), fmt.out_of(None, benchmarks.height)
    shown = ranked.select("avg_benchmarks_achieved", "suppressed").iter_rows()
    ui.chart(
        ui.figure(
            charts.ranked_bars,
            ranked,
            label_column=ui.name_column(),
            value_column="avg_benchmarks_achieved",
            value_text=[
                (hidden if suppressed else no_value)
                if v is None
                else fmt.out_of(v, benchmarks.height)
                for v, suppressed in shown
            ],
            title=ui.m("ranked_title"),
            axis_title=ui.m("metric_avg_achieved"),
        ),
        key="ranked",
    )


def _table(
    ranked: pl.DataFrame,
    by_benchmark: pl.DataFrame,
    benchmarks: pl.DataFrame,
    measure: str,
    stem: str,
) -> None:
    """Each area's summary, then the chosen measure per benchmark (one column each, headed by
    its id; the caption names the measure), and its CSV and Excel downloads (`stem`: the
    files' name), whose headers name the measure and the unit themselves: a file travels
    without the caption."""
    ids = benchmarks["benchmark_id"].to_list()
    wide = by_benchmark.filter(pl.col("benchmark_id").is_in(ids)).pivot(
        "benchmark_id", index="area_code", values=measure
    )
    per_benchmark = wide.with_columns(  # a benchmark no area scored still gets its column
        pl.lit(None, dtype=pl.Float64).alias(b) for b in ids if b not in wide.columns
    ).select("area_code", *(pl.col(b).round(1) for b in ids))
    number = st.column_config.NumberColumn
    rate, achieved, all_achieved = (
        ui.m(key)
        for key in ("metric_response_rate", "metric_avg_achieved_short", "metric_pct_all_short")
    )
    table = ranked.join(per_benchmark, on="area_code", how="left", maintain_order="left").select(
        pl.col(ui.name_column()).alias(ui.m("col_area")),
        pl.col("schools_registered").alias(ui.m("metric_registered")),
        pl.col("schools_reporting").alias(ui.m("metric_reporting")),
        pl.col("response_rate").round(1).alias(rate),
        pl.col("avg_benchmarks_achieved").round(2).alias(achieved),
        pl.col("pct_all_achieved").round(1).alias(all_achieved),
        *ids,
    )
    # One format per column, the unit in the cell: one decimal in every benchmark column (82.0,
    # not 82 beside 79.5), a share with its %. Benchmark columns as narrow as 100.0% allows.
    share = "%.1f%%" if measure == "pct_fully_achieved" else "%.1f"
    columns = {
        rate: number(format="%.1f%%"),
        achieved: number(format="%.2f", help=ui.m("metric_avg_achieved")),
        all_achieved: number(format="%.1f%%", help=ui.m("metric_pct_all_help")),
    } | {b: number(format=share, width=72) for b in ids}
    named = ui.m(f"heat_{measure}")
    st.caption(ui.m("compare_table_benchmarks", first=ids[0], last=ids[-1], measure=named))
    st.dataframe(
        table, hide_index=True, placeholder="—", key="compare_table", column_config=columns
    )
    exported = table.rename(
        {
            rate: ui.m("col_percent", label=rate),
            all_achieved: ui.m("col_percent", label=all_achieved),
        }
        | {b: ui.m("compare_export_benchmark", benchmark=b, measure=named) for b in ids}
    ).insert_column(1, ranked["area_code"].alias(ui.m("col_area_code")))
    tables.downloads(
        exported,
        stem=f"{stem}_{measure}",
        sheet=ui.m("page_compare"),
        key="compare_table",
        detail=f"{stem} {measure}",
    )


def _distribution(f, scope, lang: str, benchmarks: pl.DataFrame) -> None:
    """How many schools of the sidebar's selection (a hub, a school type, ...) achieved 0..N
    benchmarks: the same selection the title names (dashboard.selection)."""
    spread = data.query(q_areas.selection_distribution, scope, year=f.year, **f.selection())
    ui.chart(
        ui.figure(
            charts.achieved_distribution,
            spread,
            benchmarks.height,
            lang,
            ui.m("distribution_title", selection=ui.selection_label(f)),
        ),
        key="distribution",
    )


ui.run_page(render)
