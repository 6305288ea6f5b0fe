"""支援が必要な学校 / Needs support: flagged schools, most severe first, with reasons in words."""

import polars as pl
import streamlit as st

from dashboard import access, data, exports, ui
from dashboard.queries import schools as q_schools
from pipelines.vocabulary import MEDIA_TYPES, SEVERITIES

SHOWN_ROWS = 1000
FLAGS = (
    "no_return",
    "below_hub_mean",
    "fall_in_achieved",
    "fall_in_mean_score",
    "low_coverage",
    "stale_data",
)


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
    st.caption(ui.m("support_caption", year=f.year, selection=ui.selection_label(f)))
    if flagged.is_empty():
        st.success(ui.m("support_none"))
        return
    st.metric(ui.m("support_count"), ui.m("unit_schools", n=f"{flagged.height:,}"))
    flag_names = {flag: ui.m(f"flag_{flag}") for flag in FLAGS}
    severity_names = {3: ui.m("severity_high"), 2: ui.m("severity_medium"), 1: ui.m("severity_low")}
    table = flagged.select(
        pl.format("school?school={}", "school_code").alias("profile"),
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
        .list.join("、" if lang == "ja" else "; ")
        .alias(ui.m("col_flag_kinds")),
        pl.col(f"reasons_{lang}").alias(ui.m("col_reasons")),
    )
    if table.height > SHOWN_ROWS:  # a national list: the downloads carry every row
        st.caption(ui.m("support_shown", shown=f"{SHOWN_ROWS:,}", total=f"{table.height:,}"))
    st.dataframe(
        table.head(SHOWN_ROWS),
        hide_index=True,
        placeholder="—",
        key="support_table",
        column_config={
            "profile": st.column_config.LinkColumn(
                ui.m("col_profile"), display_text=ui.m("open_profile")
            )
        },
    )
    download = table.drop("profile")
    sheet = ui.m("page_support")
    csv_col, xlsx_col = st.columns(2)
    stem = f"support_{f.year}"
    csv_col.download_button(
        ui.m("download_csv"),
        lambda: exports.to_csv(download),  # made on click, not on every rerun
        f"{stem}.csv",
        "text/csv",
        key="support_csv",
        on_click=access.record,
        args=("export", f"{stem}.csv", f"{download.height} rows; {ui.selection_label(f)}"),
    )
    xlsx_col.download_button(
        ui.m("download_xlsx"),
        lambda: exports.to_xlsx(download, sheet),
        f"{stem}.xlsx",
        MEDIA_TYPES["xlsx"],
        key="support_xlsx",
        on_click=access.record,
        args=("export", f"{stem}.xlsx", f"{download.height} rows; {ui.selection_label(f)}"),
    )


ui.run_page(render)
