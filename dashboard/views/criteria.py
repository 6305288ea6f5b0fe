"""観点別の状況 / Criteria: which criteria an area's schools meet, against the nation.

For a hub, municipality or prefecture (the sidebar's area): the share of its schools meeting each
criterion in their latest return of the year, beside the nation's, furthest behind first. Areas
outside the viewer's scope are suppressed below min_schools.
"""

import polars as pl
import streamlit as st

from dashboard import data, ui
from dashboard.charts import _positions
from dashboard.charts_criteria import criteria_gaps
from dashboard.queries import criteria as q_criteria
from dashboard.text import md

AREA_LEVELS_SHOWN = ("hub", "municipality", "prefecture", "region", "national")


def render() -> None:
    lang, scope, f = ui.lang(), ui.scope(), ui.filters()
    ui.page_title("page_criteria")
    shown = ui.selection(f)
    if shown.area is None or shown.area[0] not in AREA_LEVELS_SHOWN or not f.year:
        st.info(ui.m("criteria_pick_area"))
        return
    level, code = shown.area
    gaps = data.query(q_criteria.area_criteria_gaps, scope, level=level, code=code, year=f.year)
    label = ui.selection_label(f)
    if gaps.is_empty():
        st.info(ui.m("criteria_none", area=md(label), year=f.year))
        return
    st.caption(ui.m("criteria_caption", area=md(label), year=f.year))
    if gaps["suppressed"].all():
        st.warning(ui.m("criteria_suppressed"))
    ui.chart(
        criteria_gaps(
            gaps,
            label,
            lang,
            ui.m("criteria_chart_title", area=label, year=f.year),
            _positions(ui.benchmarks()),
        ),
        key="criteria_gaps",
    )
    st.dataframe(
        gaps.select(
            pl.col("criterion_id").alias(ui.m("col_criterion")),
            pl.col(f"text_{lang}").alias(ui.m("col_criterion_text")),
            pl.col("schools_answering").alias(ui.m("col_schools_answering")),
            pl.col("pct_met").round(1).alias(ui.m("col_pct_met")),
            pl.col("national_pct_met").round(1).alias(ui.m("col_national_pct_met")),
            pl.col("gap").round(1).alias(ui.m("col_gap")),
        ),
        hide_index=True,
        placeholder="—",
        key="criteria_table",
    )


ui.run_page(render)
