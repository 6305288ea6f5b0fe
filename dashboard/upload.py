"""The upload page's calls into pipelines: the same ingest and build as the CLI.

Both are imported inside the handlers, so the page still opens (with a friendly message) on an
installation where they are missing or broken.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import polars as pl

from dashboard import data
from pipelines.i18n import t

log = logging.getLogger("shirube.dashboard")


@dataclass
class IngestOutcome:
    files: pl.DataFrame | None = None
    quarantine: dict[str, pl.DataFrame] = field(default_factory=dict)
    error: str | None = None


def ingest_uploads(
    uploads: list[tuple[str, bytes]], lang: str, user: str = "dashboard"
) -> IngestOutcome:
    """Ingest uploaded files; one result row per file and its quarantined rows, in `lang`."""
    try:
        from pipelines.ingest import IngestSource, ingest_files
    except ImportError:
        return IngestOutcome(error=t("dashboard.ingest_unavailable", lang))

    def m(key: str) -> str:
        return t(f"dashboard.{key}", lang)

    try:
        results = ingest_files(
            [IngestSource(name, content) for name, content in uploads],
            data.db_path(),
            lang=lang,
            user=user,
        )
    except Exception:
        log.exception("upload ingest failed")
        return IngestOutcome(error=t("dashboard.ingest_failed", lang))
    files = pl.DataFrame(
        {
            m("col_file"): [r.path for r in results],
            m("col_kind"): [r.kind for r in results],
            m("col_status"): [m(f"status_{r.status}") for r in results],
            m("col_rows_read"): [r.rows_read for r in results],
            m("col_rows_loaded"): [r.rows_loaded for r in results],
            m("col_rows_quarantined"): [r.rows_quarantined for r in results],
            m("col_reason"): [getattr(r, f"reason_{lang}") for r in results],
        },
        strict=False,
    )
    quarantine = {}
    for r in results:
        rows = list(getattr(r, "quarantine", []) or [])
        if rows:
            quarantine[r.path] = pl.DataFrame(
                {
                    m("col_row"): [q.row for q in rows],
                    m("col_column"): [q.column for q in rows],
                    m("col_value"): [q.value for q in rows],
                    m("col_reason"): [getattr(q, f"reason_{lang}") for q in rows],
                },
                strict=False,
            )
    return IngestOutcome(files=files, quarantine=quarantine)


def build_now(lang: str) -> tuple[bool, str]:
    """Rebuild the marts and publish a snapshot; (succeeded, message for the viewer)."""
    try:
        from pipelines.build import BuildError, build_warehouse
    except ImportError:
        return False, t("dashboard.build_unavailable", lang)
    try:
        build_warehouse(data.db_path(), lang=lang)
    except BuildError as error:
        return False, getattr(error, f"message_{lang}", str(error))
    except Exception:
        log.exception("rebuild failed")
        return False, t("dashboard.build_failed", lang)
    return True, t("dashboard.build_done", lang)
