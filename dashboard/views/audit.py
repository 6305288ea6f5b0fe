"""監査ログ / Audit log: logins, profiles viewed, downloads and uploads (ASKNET staff only)."""

import polars as pl
import streamlit as st

from dashboard import access, data, ui
from dashboard.queries import audit as q_audit

ACTIONS = ("login", "view_school", "export", "upload", "denied")


def render() -> None:
    ui.page_title("page_audit")
    if not access.current().is_asknet:  # the page is only registered for asknet; belt and braces
        st.warning(ui.m("access_page_not_allowed"))
        return
    st.caption(ui.m("audit_caption"))
    events = data.query(q_audit.audit_log, ui.scope())
    if events.is_empty():
        st.info(ui.m("audit_empty"))
        return
    st.dataframe(
        events.select(
            pl.col("occurred_at").dt.strftime("%Y-%m-%d %H:%M").alias(ui.m("col_when")),
            pl.col("user_email").alias(ui.m("col_user")),
            pl.col("action")
            .replace_strict(
                {a: ui.m(f"audit_action_{a}") for a in ACTIONS}, default=pl.col("action")
            )
            .alias(ui.m("col_action")),
            pl.col("target").alias(ui.m("col_target")),
            pl.col("detail").alias(ui.m("col_detail")),
        ),
        hide_index=True,
        placeholder="—",
        key="audit_log",
    )


ui.run_page(render)
