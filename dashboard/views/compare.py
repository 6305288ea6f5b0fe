"""地域比較 / Compare areas: heatmap area x benchmark, ranked bars, benchmarks-achieved spread."""

import polars as pl
import streamlit as st

from dashboard import charts, data, ui
from dashboard import format as fmt
from dashboard.filters import url_selectbox
from dashboard.queries import areas as q_areas
from pipelines.settings import settings

LEVELS = ("prefecture", "region", "municipality", "hub")
HEAT_MEASURES = ("pct_fully_achieved", "mean_score")


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
    measure = url_selectbox(
        "heat",
        ui.m("compare_measure"),
        HEAT_MEASURES,
        HEAT_MEASURES[0],
        ui.labels("heat_", lang),
        pick_measure,
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
    name = ui.name_column()
    ranked = summaries.sort("avg_benchmarks_achieved", descending=True, nulls_last=True)
    # A heatmap of Japan's 1,700 municipalities is a scroll nobody reads, and drawing it held
    # the server for every session (benchmarks/bench_load.py).
    if summaries.height > int(settings()["dashboard"]["max_charted_areas"]):
        st.info(
            ui.m("compare_too_many", count=f"{summaries.height:,}", level=ui.m(f"level_{level}"))
        )
        _distribution(f, scope, lang, benchmarks)
    else:
        by_benchmark = data.query(
            q_areas.area_benchmarks, scope, level=level, year=f.year, parent_code=parent
        )
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
        left, right = st.columns(2)
        with left:
            ui.chart(
                ui.figure(
                    charts.ranked_bars,
                    ranked,
                    label_column=name,
                    value_column="avg_benchmarks_achieved",
                    value_text=[
                        fmt.out_of(v, benchmarks.height) for v in ranked["avg_benchmarks_achieved"]
                    ],
                    title=ui.m("ranked_title"),
                    axis_title=ui.m("metric_avg_achieved"),
                ),
                key="ranked",
            )
        with right:
            _distribution(f, scope, lang, benchmarks)

    table = ranked.select(
        pl.col(name).alias(ui.m("col_area")),
        pl.col("schools_registered").alias(ui.m("metric_registered")),
        pl.col("schools_reporting").alias(ui.m("metric_reporting")),
        pl.col("response_rate").round(1).alias(ui.m("metric_response_rate")),
        pl.col("avg_benchmarks_achieved").round(2).alias(ui.m("metric_avg_achieved")),
        pl.col("pct_all_achieved").round(1).alias(ui.m("metric_pct_all")),
    )
    st.dataframe(table, hide_index=True, placeholder="—", key="compare_table")
    if summaries["suppressed"].any():
        st.caption(ui.m("suppressed_note"))


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
