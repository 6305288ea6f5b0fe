"""自己評価 / Self-assessment: a school answers its framework's criteria in the browser.

Each answer is saved to the draft in the warehouse as it is given (pipelines.self_assessment), so
closing the browser loses nothing. Submit sends the draft as a criteria-answer file through the
same ingest as the CLI, then rebuilds, so the school sees its new percentages at once.
"""

import polars as pl
import streamlit as st

from dashboard import access, data, ui
from dashboard import format as fmt
from dashboard.queries import criteria as q_criteria
from dashboard.queries import schools as q_schools
from dashboard.text import md
from dashboard.upload import build_now
from pipelines.ingest.validate import today_in_japan
from pipelines.self_assessment import (
    ANSWERS,
    load_draft,
    preview,
    save_draft_answer,
    submit_self_assessment,
)

# Message key suffix of each answer the questionnaire offers.
ANSWER_LABELS = {
    "はい": "yes",
    "いいえ": "no",
    "未着手": "not_started",
    "取組中": "in_progress",
    "達成": "achieved",
}


def render() -> None:
    lang, scope, viewer = ui.lang(), ui.scope(), access.current()
    ui.page_title("page_self_assessment")
    if data.is_replica():  # drafts and returns are written on the writer's machine only
        st.info(ui.m("sa_not_on_replica"))
        return
    school = _school(scope)
    if not school:
        st.info(ui.m("sa_pick_school"))
        return
    info = data.query(q_schools.school_info, scope, school=school)
    if info.is_empty():
        st.warning(ui.m("school_out_of_scope", code=md(school)))
        return
    criteria = data.query(q_criteria.criteria, scope)
    if criteria.is_empty():
        st.info(ui.m("sa_no_criteria"))
        return
    st.subheader(md(info.item(0, "school_name")))
    year, term = _year_and_term()
    draft = load_draft(data.db_path(), school=school, year=year, term=term)
    st.caption(ui.m("sa_intro"))
    previews = {p.benchmark_id: p for p in preview(draft)}
    benchmarks = ui.benchmarks()
    for benchmark in benchmarks.iter_rows(named=True):
        own = criteria.filter(pl.col("benchmark_id") == benchmark["benchmark_id"])
        if own.is_empty():
            continue
        _benchmark(benchmark, previews.get(benchmark["benchmark_id"]), lang)
        for criterion in own.iter_rows(named=True):
            _criterion(criterion, draft, lang, key=(school, year, term, viewer.audit_name))
    _submit(school, year, term, draft, viewer, lang)


def _school(scope) -> str | None:
    """A school's own login answers for itself; staff choose the school they act for."""
    if scope.is_school:
        return scope.codes[0]
    text = st.text_input(ui.m("sa_search"), key="sa_search").strip()
    if not text:
        return None
    found = data.query(q_schools.find_schools, scope, text=text)
    if found.is_empty():
        st.caption(ui.m("school_search_none"))
        return None
    names = {c: f"{n} ({c})" for c, n in found.select("school_code", "school_name").iter_rows()}
    return st.selectbox(ui.m("sa_acting_for"), list(names), format_func=names.get, key="sa_school")


def _year_and_term() -> tuple[int, int]:
    today = today_in_japan()
    this_year = today.year - (1 if today.month < 4 else 0)
    left, right = st.columns(2)
    year = left.selectbox(
        ui.m("sa_year"),
        [this_year, this_year - 1],
        format_func=lambda y: ui.m("year_format", year=y),
        key="sa_year",
    )
    term = right.selectbox(
        ui.m("sa_term"),
        [1, 2, 3],
        format_func=lambda n: ui.m("sa_term_format", term=n),
        key="sa_term",
    )
    return int(year), int(term)


def _benchmark(benchmark: dict, shown, lang: str) -> None:
    """The benchmark's heading and, before submit, its score or what it still misses."""
    name = md(benchmark[f"name_{lang}"])
    st.markdown(f"### {md(benchmark['benchmark_id'])} {name}")
    if shown is not None and shown.score is not None:
        st.success(ui.m("sa_benchmark_score", score=fmt.number(shown.score)))
    elif shown is not None:
        joiner = "、" if lang == "ja" else ", "
        st.warning(ui.m("sa_not_assessed", missing=md(joiner.join(shown.missing))))


def _save(widget_key: str, school: str, year: int, term: int, criterion_id: str, user: str):
    value = st.session_state.get(widget_key)
    answer = None if value is None else _as_answer(value)
    save_draft_answer(
        data.db_path(),
        school=school,
        year=year,
        term=term,
        criterion_id=criterion_id,
        answer=answer,
        user=user,
    )


def _as_answer(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _criterion(criterion: dict, draft: dict, lang: str, key: tuple) -> None:
    school, year, term, user = key
    cid, kind = criterion["criterion_id"], criterion["kind"]
    widget_key = f"sa_{school}_{year}_{term}_{cid}"
    label = f"**{md(cid)}** {md(criterion[f'text_{lang}'])}"
    help_text = criterion[f"help_{lang}"] or None
    saved = draft.get(cid)
    callback = {"on_change": _save, "args": (widget_key, school, year, term, cid, user)}
    if kind == "share":
        value = float(saved) if saved is not None else None
        st.number_input(
            label,
            min_value=0.0,
            max_value=100.0,
            value=value,
            step=5.0,
            placeholder=ui.m("sa_share_placeholder"),
            help=md(help_text) if help_text else None,
            key=widget_key,
            **callback,
        )
        return
    options = list(ANSWERS[kind])
    st.radio(
        label,
        options,
        index=options.index(saved) if saved in options else None,
        format_func=lambda answer: ui.m(f"sa_answer_{ANSWER_LABELS[answer]}"),
        horizontal=True,
        help=md(help_text) if help_text else None,
        key=widget_key,
        **callback,
    )


def _submit(school: str, year: int, term: int, draft: dict, viewer, lang: str) -> None:
    st.divider()
    st.markdown(f"### {ui.m('sa_submit_title')}")
    st.caption(ui.m("sa_submit_help", year=year, term=term))
    if not st.button(ui.m("sa_submit"), type="primary", disabled=not draft, key="sa_submit"):
        return
    allowed = {school} if viewer.scope.is_school else None
    result = submit_self_assessment(
        data.db_path(),
        school=school,
        year=year,
        term=term,
        user=viewer.audit_name,
        allowed_schools=allowed,
    )
    access.record("self_assessment", school, f"file {result.file_id}: {result.status}")
    if result.status != "loaded" or not result.rows_loaded:
        st.error(result.reason(lang) or ui.m("sa_submit_failed"))
        for row in result.quarantine_rows():
            st.markdown(f"- {md(row.reason(lang))}")
        return
    with st.spinner(ui.m("rebuild_running")):
        ok, message = build_now(lang)
    if not ok:
        st.error(message)
        return
    st.success(ui.m("sa_submitted", rows=result.rows_loaded))
    scores = data.query(q_schools.school_comparison, viewer.scope, school=school, year=year)
    benchmarks = ui.benchmarks()
    names = dict(zip(benchmarks["benchmark_id"], benchmarks[f"name_{lang}"], strict=True))
    st.dataframe(
        scores.select(
            pl.col("benchmark_id")
            .replace_strict(names, default=pl.col("benchmark_id"))
            .alias(ui.m("col_benchmark")),
            pl.col("score").round(1).alias(ui.m("sa_col_score")),
        ),
        hide_index=True,
        key="sa_new_scores",
    )
    st.page_link("views/school.py", label=ui.m("sa_open_profile"), query_params={"school": school})


ui.run_page(render)
