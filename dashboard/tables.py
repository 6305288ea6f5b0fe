"""Long tables on a page: the first rows shown, every row in the downloads.

A national list (every school's return, every quarantined row, every flagged school) sent whole
to the browser cost megabytes a click (6 MB for the returns page). A page shows the first
`[dashboard] table_rows_shown` rows and says so; its CSV and Excel downloads, made only when
clicked and each recorded in the audit log, carry every row.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from dashboard import access, exports, ui
from pipelines.settings import settings
from pipelines.vocabulary import MEDIA_TYPES


def rows_shown() -> int:
    return int(settings()["dashboard"]["table_rows_shown"])


def long_table(
    table: pl.DataFrame, *, key: str, stem: str, sheet: str, detail: str, **dataframe: object
) -> None:
    """The table's first rows (all of them when few), a note when some are left out, and the
    downloads of the whole table. `detail` goes into the export's audit event."""
    limit = rows_shown()
    if table.height > limit:
        st.caption(ui.m("rows_shown", shown=f"{limit:,}", total=f"{table.height:,}"))
    st.dataframe(table.head(limit), hide_index=True, placeholder="—", key=key, **dataframe)
    downloads(table, stem=stem, sheet=sheet, key=key, detail=detail)


def downloads(table: pl.DataFrame, *, stem: str, sheet: str, key: str, detail: str) -> None:
    """CSV and Excel buttons for the whole of `table`. Each file is made when its button is
    clicked and recorded in the audit log then, for the viewer of this run. The click does not
    rerun the page: a rerun raced the file's request, and under load the browser sometimes got
    no file at all (Streamlit drops a deferred download that a newer run has replaced)."""
    detail = f"{table.height} rows; {detail}"
    viewer = access.current()
    csv_col, xlsx_col = st.columns(2)
    csv_col.download_button(
        ui.m("download_csv"),
        _audited(lambda: exports.to_csv(table), viewer, f"{stem}.csv", detail),
        f"{stem}.csv",
        "text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    xlsx_col.download_button(
        ui.m("download_xlsx"),
        _audited(lambda: exports.to_xlsx(table, sheet), viewer, f"{stem}.xlsx", detail),
        f"{stem}.xlsx",
        MEDIA_TYPES["xlsx"],
        key=f"{key}_xlsx",
        on_click="ignore",
    )


def _audited(make: Callable[[], bytes], viewer, name: str, detail: str) -> Callable[[], bytes]:
    """`make`, recording the export for `viewer` when it runs (outside the page's run, where
    there is no session to ask who is looking)."""

    def made() -> bytes:
        access.record("export", name, detail, viewer=viewer)
        return make()

    return made
