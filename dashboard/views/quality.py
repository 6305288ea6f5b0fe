"""提出状況・データ品質 / Returns and data quality: who has returned, the ingest log and the
quarantine, and the upload of new files (the CLI's ingest) followed by a rebuild."""

import polars as pl
import streamlit as st

from dashboard import access, data, tables, ui
from dashboard import format as fmt
from dashboard.queries import quality as q_quality
from dashboard.queries import schools as q_schools
from dashboard.text import md
from dashboard.upload import build_now, check_upload, ingest_uploads
from pipelines.i18n import t
from pipelines.ingest.headers import KINDS


def render() -> None:
    lang = ui.lang()
    ui.page_title("page_quality")
    for message in st.session_state.pop("quality_flash", []):
        st.success(message)
    if data.snapshot() is None:
        ui.show_no_snapshot()
    else:
        _returns(lang)
        _log(lang)
    _upload(lang)


render.works_without_snapshot = True


def _returns(lang: str) -> None:
    scope, f = ui.scope(), ui.filters()
    if f.year is None:
        return
    status = data.query(q_schools.return_status, scope, year=f.year, **f.selection())
    st.markdown(f"#### {ui.m('returns_title', year=f.year)}")
    if status.is_empty():
        ui.no_schools()
        return
    # Returned this term: each school's due term (marts.return_status), as the overview counts.
    returned = int(status["has_return"].sum())
    latest = status["latest_term"].max()
    done, missing, term = st.columns(3)
    done.metric(ui.m("returns_done"), fmt.count(returned, lang))
    missing.metric(ui.m("returns_missing"), fmt.count(status.height - returned, lang))
    term.metric(ui.m("returns_latest_term"), ui.m("term_format", term=latest))
    st.caption(ui.m("returns_term_note", term=latest))
    term_labels = {n: ui.m("term_format", term=n) for n in status["term"].drop_nulls().unique()}
    # Schools that have not returned come first (the query's order): the ones to chase.
    tables.long_table(
        status.select(
            pl.col("school_name").alias(ui.m("col_school")),
            pl.col("school_code").alias(ui.m("col_code")),
            pl.col("municipality_name").alias(ui.m("level_municipality")),
            pl.col("hub_name").alias(ui.m("level_hub")),
            # Labels made here, in the page's thread: a Python function run by polars' own
            # threads has no Streamlit session (wrong language) and froze the server under load.
            pl.col("term")
            .replace_strict(term_labels, default=None, return_dtype=pl.String)
            .alias(ui.m("col_due_term")),
            pl.when(pl.col("has_return"))
            .then(pl.lit(ui.m("returns_yes")))
            .otherwise(pl.lit(ui.m("returns_no")))
            .alias(ui.m("col_returned")),
            pl.col("submitted_on").dt.strftime("%Y-%m-%d").alias(ui.m("col_submitted_on")),
        ),
        key="return_status",
        stem=f"returns_{f.year}",
        sheet=ui.m("page_quality"),
        detail=ui.selection_label(f),
    )


def _log(lang: str) -> None:
    scope = ui.scope()
    st.markdown(f"#### {ui.m('ingest_log_title')}")
    if not scope.is_everything:
        # File names and rows are not tied to areas: only nation-wide viewers see the log and
        # the quarantine (queries.quality), and an empty table would read as "nothing wrong".
        st.info(ui.m("ingest_log_nationwide_only"))
        return
    files = data.query(q_quality.ingest_files, scope)
    if files.is_empty():
        st.info(ui.m("ingest_log_empty"))
    else:
        tables.long_table(
            files.select(
                pl.col("file_id").alias("ID"),
                pl.col("original_name").alias(ui.m("col_file")),
                # The catalogue's names of the kinds (学校一覧, ...), never the raw code.
                pl.col("kind")
                .replace_strict(
                    {k: t(f"ingest.kind_{k}", lang) for k in KINDS},
                    default=pl.col("kind"),
                    return_dtype=pl.String,
                )
                .alias(ui.m("col_kind")),
                pl.col("status")
                .replace_strict(
                    {s: ui.m(f"status_{s}") for s in ("loaded", "rejected", "duplicate")},
                    default=pl.col("status"),
                )
                .alias(ui.m("col_status")),
                pl.col("rows_read").alias(ui.m("col_rows_read")),
                pl.col("rows_loaded").alias(ui.m("col_rows_loaded")),
                pl.col("rows_quarantined").alias(ui.m("col_rows_quarantined")),
                pl.col(f"reason_{lang}").alias(ui.m("col_reason")),
                pl.col("finished_at").dt.strftime("%Y-%m-%d %H:%M").alias(ui.m("col_when")),
            ),
            key="ingest_files",
            stem="ingest_files",
            sheet=ui.m("ingest_log_title"),
            detail="ingest log",
        )
    st.markdown(f"#### {ui.m('quarantine_title')}")
    quarantine = data.query(q_quality.quarantine, scope)
    if quarantine.is_empty():
        st.success(ui.m("quarantine_empty"))
        return
    tables.long_table(
        quarantine.select(
            pl.col("original_name").alias(ui.m("col_file")),
            pl.col("row_number").alias(ui.m("col_row")),
            pl.col("column_name").alias(ui.m("col_column")),
            pl.col("value").alias(ui.m("col_value")),
            pl.col(f"reason_{lang}").alias(ui.m("col_reason")),
        ),
        key="quarantine",
        stem="quarantine",
        sheet=ui.m("quarantine_title"),
        detail="quarantine",
    )


def _upload(lang: str) -> None:
    st.markdown(f"#### {ui.m('upload_title')}")
    if data.is_replica():  # no writer DB on this machine: the scheduled writer loads files
        st.info(ui.m("upload_not_on_replica"))
        return
    viewer = access.current()
    if not viewer.may_upload:
        if viewer.role is not None and viewer.role.role == "superintendent":
            st.info(ui.m("upload_not_allowed_superintendent"))
        elif viewer.mode == access.OPEN_DEMO:
            st.info(ui.m("upload_not_allowed_demo"))
        else:
            st.info(ui.m("upload_not_allowed"))
        return
    allowed = _allowed_schools(viewer)
    # Every kind the ingest reads, named as the files table names them: the list cannot fall
    # behind the contract (it once left out criteria, skills and student links).
    kinds = ui.join(t(f"ingest.kind_{kind}", ui.lang()) for kind in KINDS)
    st.caption(ui.m_md("upload_help", kinds=kinds))
    if allowed is not None and viewer.scope.is_school:
        st.caption(ui.m("upload_scope_note_school", school=md(viewer.role.code)))
    elif allowed is not None:
        st.caption(ui.m("upload_scope_note", hub=md(viewer.role.code)))
    uploads = st.file_uploader(
        ui.m("upload_label"), type=["csv", "xlsx"], accept_multiple_files=True, key="upload_files"
    )
    if st.button(ui.m("upload_button"), disabled=not uploads, key="upload_button"):
        accepted = []
        for u in uploads:
            content = u.getvalue()
            problem = check_upload(u.name, content, lang)
            if problem:
                st.error(problem.replace(u.name, md(u.name)))  # the file's name is data
                access.record("upload", u.name, f"refused: {problem}")
            else:
                accepted.append((u.name, content))
        # ingest_uploads audits each file before ingesting it.
        outcome = ingest_uploads(accepted, lang, viewer.audit_name, allowed) if accepted else None
        if outcome and outcome.error:
            st.error(outcome.error)
        elif outcome:
            st.dataframe(outcome.files, hide_index=True, placeholder="—", key="upload_results")
            for name, rows in outcome.quarantine.items():
                with st.expander(ui.m("upload_quarantine", file=md(name), rows=rows.height)):
                    st.dataframe(rows, hide_index=True, placeholder="—")
    st.caption(ui.m("rebuild_help"))
    if st.button(ui.m("rebuild_button"), key="rebuild_button"):
        with st.spinner(ui.m("rebuild_running")):
            ok, message = build_now(lang)
        if ok:
            st.session_state["quality_flash"] = [message]
            st.rerun()
        st.error(message)


def _allowed_schools(viewer: access.Viewer) -> set[str] | None:
    """None (any school) for a nation-wide uploader; else the schools inside their scope."""
    if viewer.scope.is_everything:
        return None
    if data.snapshot() is None:
        return set()
    return set(data.query(q_schools.school_codes, viewer.scope)["school_code"])


ui.run_page(render)
