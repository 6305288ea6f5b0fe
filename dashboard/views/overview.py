"""概況 / Overview: headline figures, the tile map of Japan, benchmarks nation vs area."""

import streamlit as st

from dashboard import charts, data, ui
from dashboard import format as fmt
from dashboard.filters import url_selectbox
from dashboard.queries import areas as q_areas
from dashboard.text import md
from pipelines.i18n import t

SUMMARY_MEASURES = ("pct_all_achieved", "avg_benchmarks_achieved", "response_rate")


def render() -> None:
    lang, scope, f = ui.lang(), ui.scope(), ui.filters()
    ui.page_title("page_overview")
    if f.year is None:
        st.info(ui.m("no_years"))
        return
    benchmarks = ui.benchmarks()
    summary = data.query(q_areas.selection_summary, scope, year=f.year, **f.selection())
    this_year = summary.row(-1, named=True)
    if not this_year["schools_registered"]:
        ui.no_schools()
        return
    last_year = summary.row(0, named=True)
    shown, label = ui.selection(f), ui.selection_label(f)
    st.caption(ui.m("overview_caption", year=f.year, selection=md(label)))
    _headline(this_year, last_year, benchmarks.height, lang)

    left, right = st.columns([1, 1])
    with left:
        measure = url_selectbox(
            "measure",
            ui.m("map_measure"),
            [*SUMMARY_MEASURES, *benchmarks["benchmark_id"]],
            SUMMARY_MEASURES[0],
            lambda v: (
                t(f"dashboard.measure_{v}", lang)
                if v in SUMMARY_MEASURES
                else t(
                    "dashboard.measure_benchmark",
                    lang,
                    benchmark=charts.benchmark_label(benchmarks, v, lang),
                )
            ),
        )
        if measure in SUMMARY_MEASURES:
            prefectures = data.query(q_areas.area_summaries, scope, level="prefecture", year=f.year)
            column = measure
        else:
            prefectures = data.query(
                q_areas.area_benchmarks, scope, level="prefecture", year=f.year
            ).filter(benchmark_id=measure)
            column = "pct_fully_achieved"
        percent = column != "avg_benchmarks_achieved"
        ui.chart(
            ui.figure(
                charts.tile_map,
                prefectures,
                column,
                lang,
                ui.m("map_title", year=f.year),
                percent=percent,
                zmax=100.0 if percent else float(benchmarks.height),
            ),
            key="tile_map",
        )
    with right:
        nation = data.query(q_areas.area_benchmarks, scope, level="national", year=f.year)
        area = (
            data.query(q_areas.selection_benchmarks, scope, year=f.year, **f.selection())
            if shown.is_filtered
            else None
        )
        ui.chart(
            ui.figure(
                charts.benchmark_bars,
                nation,
                area,
                benchmarks,
                lang,
                nation_label=ui.m("level_national"),
                area_label=label if shown.is_filtered else None,
                title=ui.m("bars_title"),
            ),
            key="benchmark_bars",
        )
        if not shown.is_filtered:
            st.caption(ui.m("bars_hint"))


def _headline(this_year: dict, last_year: dict, benchmark_count: int, lang: str) -> None:
    def delta(column: str, suffix: str = "") -> str | None:
        if this_year[column] is None or last_year[column] is None:
            return None
        return fmt.change(this_year[column] - last_year[column], 1, suffix)

    points = ui.m("unit_points")
    reporting, registered, response, achieved, all_achieved = st.columns(5)
    reporting.metric(
        ui.m("metric_reporting"),
        fmt.count(this_year["schools_reporting"], lang),
        delta=fmt.change(this_year["schools_reporting"] - (last_year["schools_reporting"] or 0), 0),
        help=ui.m("metric_reporting_help"),
    )
    registered.metric(ui.m("metric_registered"), fmt.count(this_year["schools_registered"], lang))
    # Returned this term: marts.return_status's one definition, as on the returns page.
    response.metric(
        ui.m("metric_returned_this_term"),
        fmt.pct(this_year["pct_returned_this_term"]),
        delta=delta("pct_returned_this_term", points),
        help=ui.m(
            "metric_returned_this_term_help",
            returned=f"{this_year['schools_returned_this_term']:,}",
            registered=f"{this_year['schools_registered']:,}",
            term=this_year["due_term"] or "—",
        ),
    )
    achieved.metric(
        ui.m("metric_avg_achieved_short"),  # five metrics in a row: short labels, help for more
        fmt.out_of(this_year["avg_benchmarks_achieved"], benchmark_count),
        delta=delta("avg_benchmarks_achieved"),
        help=ui.m("metric_avg_help"),
    )
    all_achieved.metric(
        ui.m("metric_pct_all_short"),
        fmt.pct(this_year["pct_all_achieved"]),
        delta=delta("pct_all_achieved", points),
        help=ui.m("metric_pct_all_help"),
    )


ui.run_page(render)
