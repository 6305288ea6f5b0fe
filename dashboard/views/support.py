"""支援が必要な学校 / Needs support: flagged schools, most severe first, with reasons in words.

The table lists the schools; the panel below it shows one school's reasons in full with a
suggested next step for each kind of concern, and a link that opens its profile in the same tab
with the filters kept (a row selected in the table chooses the school too).
"""

import polars as pl
import streamlit as st

from dashboard import concerns, data, tables, ui
from dashboard import format as fmt
from dashboard.queries import schools as q_schools
from dashboard.text import md
from pipelines.vocabulary import SEVERITIES

FLAGS = concerns.FLAGS
PICK_KEY, TABLE_KEY, CODES_KEY = "support_school", "support_table", "_support_codes"


def render() -> None:
    lang, scope, f = ui.lang(), ui.scope(), ui.filters()
    ui.page_title("page_support")
    if f.year is None:
        st.info(ui.m("no_years"))
        return
    severities = st.multiselect(
        ui.m("support_severity"),
        SEVERITIES,
        default=SEVERITIES,
        format_func=ui.labels("severity_", lang),
        key="support_severity",
    )
    flagged = data.query(
        q_schools.flagged_schools, scope, year=f.year, severities=tuple(severities), **f.selection()
    )
    st.caption(ui.m_md("support_caption", year=f.year, selection=ui.selection_label(f)))
    if flagged.is_empty():
        st.success(ui.m("support_none"))
        return
    st.metric(ui.m("support_count"), fmt.count(flagged.height, lang))
    table = _table(flagged, lang)
    limit = tables.rows_shown()
    if table.height > limit:  # a national list: the downloads carry every row
        st.caption(ui.m("support_shown", shown=f"{limit:,}", total=f"{table.height:,}"))
    shown = flagged.head(limit)
    st.session_state[CODES_KEY] = shown["school_code"].to_list()
    st.dataframe(
        table.head(limit),
        hide_index=True,
        placeholder="—",
        key=TABLE_KEY,
        on_select=_pick_selected_row,
        selection_mode="single-row",
        column_config={ui.m("col_reasons"): st.column_config.TextColumn(width="large")},
    )
    _detail_panel(shown, lang, f.year)
    tables.downloads(
        table,
        stem=f"support_{f.year}",
        sheet=ui.m("page_support"),
        key="support",
        detail=ui.selection_label(f),
    )


def _table(flagged: pl.DataFrame, lang: str) -> pl.DataFrame:
    flag_names = {flag: ui.m(f"flag_{flag}") for flag in FLAGS}
    severity_names = {3: ui.m("severity_high"), 2: ui.m("severity_medium"), 1: ui.m("severity_low")}
    return flagged.select(
        pl.col("school_name").alias(ui.m("col_school")),
        pl.col("school_code").alias(ui.m("col_code")),
        pl.col("municipality_name").alias(ui.m("level_municipality")),
        pl.col("hub_name").alias(ui.m("level_hub")),
        pl.col(f"school_type_{lang}").alias(ui.m("filter_school_type")),
        pl.col("severity_rank")
        .replace_strict(severity_names, return_dtype=pl.String)
        .alias(ui.m("col_severity")),
        pl.col("flags").alias(ui.m("col_flags")),
        pl.col("flag_kinds")
        .list.eval(pl.element().replace_strict(flag_names, return_dtype=pl.String))
        .list.join(ui.m("list_separator"))
        .alias(ui.m("col_flag_kinds")),
        pl.col(f"reasons_{lang}").alias(ui.m("col_reasons")),
    )


def _pick_selected_row() -> None:
    """A row selected in the table becomes the school of the detail panel."""
    rows = st.session_state[TABLE_KEY].selection.rows
    codes = st.session_state.get(CODES_KEY, [])
    if rows and rows[0] < len(codes):
        st.session_state[PICK_KEY] = codes[rows[0]]


def _detail_panel(shown: pl.DataFrame, lang: str, year: int) -> None:
    codes = shown["school_code"].to_list()
    names = dict(zip(codes, shown["school_name"].to_list(), strict=True))
    if st.session_state.get(PICK_KEY) not in names:  # the list changed: start at the top
        st.session_state[PICK_KEY] = codes[0]
    code = st.selectbox(
        ui.m("support_pick"), codes, key=PICK_KEY, format_func=lambda c: f"{names[c]} ({c})"
    )
    with st.container(border=True, key="support_detail"):
        st.subheader(f"{md(names[code])} ({md(code)})")
        flags = data.query(q_schools.school_flags, ui.scope(), school=code, year=year)
        if flags.is_empty():
            st.info(ui.m("support_detail_none"))
        else:
            concerns.show(flags, lang)
        st.page_link(
            "views/school.py",
            label=ui.m("open_profile_link"),
            icon=":material/school:",
            query_params=ui.link_params(school=code),
        )


ui.run_page(render)
