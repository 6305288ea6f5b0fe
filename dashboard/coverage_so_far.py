"""The coverage-so-far section shared by the school profile and the district page: this year's
coverage beside meaningful coverage (prepared and reflected) and coverage ever (any year, any
earlier school of the student's journey), each labelled with its area, year and group."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, ui
from dashboard import format as fmt
from dashboard.text import md
from pipelines import schooling

WORKPLACE = "B6"  # the benchmark workplace experiences count toward (default framework)


# No Python function runs inside a polars expression here (map_elements and the like): polars
# runs it on its thread pool, which then waits for the GIL, while another session's thread holds
# the GIL and waits for that pool (DataFrame.to_pandas in st.dataframe does): the server stops
# answering (issue 17; tests/test_polars_gil_hang.py). Labels are looked up from plain dicts
# and percentages formatted by polars itself.


def _pct(column: str) -> pl.Expr:
    """fmt.pct(value, 0) as a polars expression: "—" for a missing value, else "12%"."""
    value = pl.col(column).cast(pl.Float64)
    return (
        pl.when(value.is_null() | value.is_nan())
        .then(pl.lit("—"))
        .otherwise(pl.format("{}%", value.round(0, mode="half_to_even").cast(pl.Int64)))
    )


def _group_label(rows: pl.DataFrame, lang: str) -> pl.Expr:
    """schooling.label of each row's year of schooling (null: all years), from a plain dict."""
    years = [y for y in rows["year_of_schooling"].unique().to_list() if y is not None]
    column = pl.col("year_of_schooling")
    return (
        pl.when(column.is_null())
        .then(pl.lit(schooling.label(None, lang)))
        .otherwise(
            column.replace_strict(
                {y: schooling.label(y, lang) for y in years}, return_dtype=pl.String
            )
        )
    )


def school_section(rows: pl.DataFrame, school_name: str, year: int, lang: str) -> None:
    st.markdown(f"#### {md(ui.m('so_far_title'))}")
    if rows.is_empty():
        st.info(ui.m("school_no_coverage"))
        return
    benchmarks = ui.benchmarks()
    first = rows.filter(pl.col("benchmark_id") == WORKPLACE).sort("grade").head(1)
    if first.height and first.item(0, "year_of_schooling") in (7, 10):
        r = first.row(0, named=True)
        group = schooling.label(r["year_of_schooling"], lang)
        st.metric(
            ui.m("so_far_before_metric", school=school_name, year=year, group=group),
            fmt.out_of(r["students_reached_before"], r["students_on_roll"], 0),
            help=ui.m("so_far_before_help"),
        )
    st.caption(ui.m("so_far_school_caption", school=md(school_name), year=year))
    st.dataframe(
        rows.select(
            pl.col("grade").alias(ui.m("record_col_grade")),
            *_figures(benchmarks, lang, before=True),
        ),
        hide_index=True,
        placeholder="—",
        key="so_far_school",
    )


def area_section(rows: pl.DataFrame, area: str, year: int, lang: str) -> None:
    st.markdown(f"#### {md(ui.m('so_far_title'))}")
    if rows.is_empty():
        st.info(ui.m("so_far_none", area=md(area), year=year))
        return
    benchmarks = ui.benchmarks()
    st.caption(ui.m("so_far_area_caption", area=md(area), year=year))
    st.dataframe(
        rows.select(
            _group_label(rows, lang).alias(ui.m("so_far_col_group")),
            *_figures(benchmarks, lang, before=False),
        ),
        hide_index=True,
        placeholder="—",
        key="so_far_area",
    )
    if rows["suppressed"].any():
        st.caption(ui.m("so_far_suppressed"))


def _figures(benchmarks: pl.DataFrame, lang: str, *, before: bool) -> list[pl.Expr]:
    """The benchmark and its coverage columns, shared by the school and the area tables (only
    the school's table has "before arriving")."""
    # Labels looked up from a plain dict (see the note above _pct).
    labels = {b: charts.benchmark_label(benchmarks, b, lang) for b in benchmarks["benchmark_id"]}
    columns = [
        pl.col("benchmark_id").replace(labels).alias(ui.m("col_benchmark")),
        pl.col("students_on_roll").alias(ui.m("so_far_col_on_roll")),
        _pct("coverage_pct").alias(ui.m("so_far_col_this_year")),
        _pct("meaningful_coverage_pct").alias(ui.m("so_far_col_meaningful")),
        _pct("coverage_ever_pct").alias(ui.m("so_far_col_ever")),
    ]
    if before:
        columns.append(_pct("coverage_before_pct").alias(ui.m("so_far_col_before")))
    return [*columns, _pct("prep_unknown_pct").alias(ui.m("so_far_col_unknown"))]
