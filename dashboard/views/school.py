"""学校カルテ / School profile: opened by ?school=CODE or by searching a name or code."""

import polars as pl
import streamlit as st

from dashboard import (
    access,
    charts,
    charts_trends,
    concerns,
    coverage_so_far,
    data,
    skills_panel,
    ui,
)
from dashboard import format as fmt
from dashboard.filters import ANY, url_selectbox
from dashboard.queries import criteria as q_criteria
from dashboard.queries import journeys as q_journeys
from dashboard.queries import schools as q_schools
from dashboard.text import md, one_line
from pipelines.codes import school_code_format_ok

# How much of an invalid ?school= value the audit log keeps (the page never repeats it).
AUDITED_CHARS = 40


def render() -> None:
    lang, scope, f = ui.lang(), ui.scope(), ui.filters()
    ui.page_title("page_school")
    school = _pick_school(scope, lang)
    if not school:
        st.info(ui.m("school_pick_hint"))
        return
    info = data.query(q_schools.school_info, scope, school=school)
    if info.is_empty():
        st.warning(ui.m_md("school_not_found", code=school))
        return
    s = info.row(0, named=True)
    access.record_once("view_school", school)
    st.subheader(md(s["school_name"]))
    st.caption(
        ui.m_md(
            "school_caption",
            code=s["school_code"],
            type=s[f"school_type_{lang}"],
            establishment=s[f"establishment_{lang}"],
            prefecture=s[f"prefecture_{lang}"],
            municipality=s["municipality_name"] or s["municipality_code"],
            hub=s["hub_name"] or s["hub_code"] or ui.m("no_hub"),
        )
    )
    benchmarks = ui.benchmarks()
    years = data.query(q_schools.school_years, scope, school=school)
    year = f.year
    this_year = years.filter(academic_year=year) if year else years.clear()
    if this_year.is_empty():
        st.warning(ui.m("school_no_return", year=year))
    else:
        row = this_year.row(0, named=True)
        achieved, mean_score, term = st.columns(3)
        achieved.metric(
            ui.m("metric_achieved"),
            fmt.out_of(row["benchmarks_achieved"], benchmarks.height, 0),
            delta=fmt.change(row["change_benchmarks_achieved"], 0),
        )
        mean_score.metric(
            ui.m("metric_mean_score"),
            fmt.number(row["mean_score"]),
            delta=fmt.change(row["change_mean_score"]),
        )
        term.metric(ui.m("metric_latest_return"), fmt.day(row["submitted_on"]))

    if not scope.is_school:  # flags compare with the hub's unsuppressed means: staff only
        _flags(scope, school, year, lang)

    if year:
        _next_steps(scope, school, year, lang)

    comparison = data.query(q_schools.school_comparison, scope, school=school, year=year or 0)
    if not comparison.is_empty():
        ui.chart(
            ui.figure(
                charts.school_comparison,
                comparison,
                benchmarks,
                lang,
                ui.m("school_comparison_title", year=year),
            ),
            key="school_comparison",
        )
    left, right = st.columns(2)
    history = data.query(q_schools.school_history, scope, school=school)
    with left:
        if history.is_empty():
            st.info(ui.m("school_no_history"))
        else:
            ui.chart(
                ui.figure(
                    charts_trends.history_lines,
                    history,
                    benchmarks,
                    lang,
                    ui.m("school_history_title"),
                ),
                key="history",
            )
    with right:
        coverage = data.query(q_schools.school_coverage, scope, school=school, year=year or 0)
        if coverage.is_empty():
            st.info(ui.m("school_no_coverage"))
        else:
            ui.chart(
                ui.figure(
                    charts.coverage_by_grade,
                    coverage,
                    benchmarks,
                    lang,
                    ui.m("school_coverage_title", year=year),
                ),
                key="coverage",
            )
    if year:
        so_far = data.query(q_journeys.school_coverage_so_far, scope, school=school, year=year)
        coverage_so_far.school_section(so_far, s["school_name"], year, lang)
    if not years.is_empty():
        st.dataframe(
            years.select(
                pl.col("academic_year").alias(ui.m("col_year")),
                pl.col("term").alias(ui.m("col_term")),
                pl.col("benchmarks_achieved").alias(ui.m("metric_achieved")),
                pl.col("mean_score").round(1).alias(ui.m("metric_mean_score")),
            ),
            hide_index=True,
            placeholder="—",
            key="school_years",
        )
    if year:
        skills_panel.school_section(scope, school, s["school_name"], s["hub_code"], year)


def _next_steps(scope, school: str, year: int, lang: str) -> None:
    """The criteria the school has not met yet, those most peers meet first (achievable)."""
    steps = data.query(q_criteria.school_next_steps, scope, school=school, year=year)
    if steps.is_empty():
        return
    texts = data.query(q_criteria.criteria, scope).select("criterion_id", f"text_{lang}")
    st.markdown(f"#### {ui.m('criteria_next_steps_title')}")
    st.caption(ui.m("criteria_next_steps_help"))

    def peers(met: str, answering: str) -> pl.Expr:
        counted = pl.format("{} / {}", pl.col(met), pl.col(answering))
        return pl.when(pl.col(met).is_null()).then(pl.lit("—")).otherwise(counted)

    st.dataframe(
        steps.join(texts, on="criterion_id", how="left", maintain_order="left").select(
            pl.col("criterion_id").alias(ui.m("col_criterion")),
            pl.col(f"text_{lang}").alias(ui.m("col_criterion_text")),
            pl.col("criterion_score").round(0).alias(ui.m("col_your_score")),
            pl.col("change").round(0).alias(ui.m("col_change_since_previous")),
            peers("hub_schools_met", "hub_schools_answering").alias(ui.m("col_hub_meeting")),
            peers("national_schools_met", "national_schools_answering").alias(
                ui.m("col_nation_meeting")
            ),
        ),
        hide_index=True,
        placeholder="—",
        key="next_steps",
    )


def _flags(scope, school: str, year: int | None, lang: str) -> None:
    flags = data.query(q_schools.school_flags, scope, school=school, year=year or 0)
    st.markdown(f"#### {ui.m('school_flags')}")
    if flags.is_empty():
        st.success(ui.m("school_no_flags"))
    else:
        concerns.show(flags, lang)


def _pick_school(scope, lang: str) -> str:
    """Search by name or code; the chosen school lives in the URL as ?school=CODE. A school's
    own login has only itself to show: no search (another code in the URL is refused)."""
    if scope.is_school and st.query_params.get("school") in (None, scope.codes[0]):
        return scope.codes[0]
    text = st.text_input(
        ui.m("school_search"), key="school_search", placeholder=ui.m("school_search_placeholder")
    )
    own = scope.codes[0] if scope.is_school else ANY  # a school's login opens on itself
    linked = st.query_params.get("school") or st.session_state.get("_kept_school") or own
    if linked and not school_code_format_ok(linked):
        # Not a school code at all (a mistyped or crafted link): said without repeating it.
        st.warning(ui.m("school_link_invalid"))
        access.record_once("denied", f"school={one_line(linked)[:AUDITED_CHARS]}")
        st.session_state.pop("_kept_school", None)
        linked = ANY
    found = data.query(q_schools.find_schools, scope, text=text.strip()) if text.strip() else None
    names: dict[str, str] = {}
    if linked:
        info = data.query(q_schools.school_info, scope, school=linked)
        if not info.is_empty():
            names[linked] = f"{info.item(0, 'school_name')} ({linked})"
        else:
            # Outside the viewer's scope, or no such school: the same words for both, so a
            # guessed code tells nothing; only the code the viewer typed is repeated.
            st.warning(ui.m_md("school_out_of_scope", code=linked))
            access.record_once("denied", f"school={linked}")
            st.session_state.pop("_kept_school", None)
    if found is not None:
        if found.is_empty():
            st.caption(ui.m("school_search_none"))
        for code, name, pref in found.select(
            "school_code", "school_name", f"prefecture_{lang}"
        ).iter_rows():
            names[code] = f"{name} ({pref}, {code})"
    none_chosen = ui.m("school_none_chosen")
    return url_selectbox(
        "school",
        ui.m("school_choose"),
        [ANY, *names],
        linked if linked in names else ANY,
        lambda c: names.get(c, none_chosen),
    )


ui.run_page(render)
