"""The upload page's calls into pipelines: the same ingest and build as the CLI.

Both are imported inside the handlers, so the page still opens (with a friendly message) on an
installation where they are missing or broken. Before anything reaches ingest, `check_upload`
refuses files over the size limit (settings ingest.max_upload_mb) and files whose content does
not match their extension; who may upload at all is decided by the page (dashboard.access).
Each upload is audited before it is ingested, so even an upload that took the process down
would leave its record.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass, field

import polars as pl

from dashboard import data
from pipelines import audit
from pipelines.i18n import t
from pipelines.settings import settings

UPLOAD_EXTENSIONS = (".csv", ".xlsx")

log = logging.getLogger("shirube.dashboard")


@dataclass
class IngestOutcome:
    files: pl.DataFrame | None = None
    quarantine: dict[str, pl.DataFrame] = field(default_factory=dict)
    error: str | None = None


def max_upload_mb() -> float:
    return float(settings()["ingest"]["max_upload_mb"])


def _is_xlsx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def _is_text(content: bytes) -> bool:
    """Decodes as the ingest reads CSV (UTF-8 with or without BOM, UTF-16 with BOM, CP932) and
    holds no control characters a text file never has (a renamed binary fails here)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            return False
    else:
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return False
    return not any(ch in text for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f")


def check_upload(name: str, content: bytes, lang: str) -> str | None:
    """Why this file may not be uploaded (a message in `lang`), or None when it may."""
    limit_mb = max_upload_mb()
    size_mb = len(content) / 1024 / 1024
    if size_mb > limit_mb:
        return t(
            "dashboard.upload_too_large",
            lang,
            file=name,
            size_mb=f"{size_mb:.3g}",
            limit_mb=f"{limit_mb:g}",
        )
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in UPLOAD_EXTENSIONS:
        return t("dashboard.upload_bad_type", lang, file=name)
    ok = _is_xlsx(content) if extension == ".xlsx" else _is_text(content)
    return None if ok else t("dashboard.upload_bad_content", lang, file=name)


def ingest_uploads(
    uploads: list[tuple[str, bytes]],
    lang: str,
    user: str = "dashboard",
    allowed_schools: set[str] | None = None,
) -> IngestOutcome:
    """Ingest uploaded files; one result row per file and its quarantined rows, in `lang`.

    `allowed_schools` (a hub coordinator's schools) quarantines rows of any other school.
    """
    try:
        from pipelines.ingest import IngestSource, ingest_files
        from pipelines.ingest.names import readable_name
    except ImportError:
        return IngestOutcome(error=t("dashboard.ingest_unavailable", lang))

    def m(key: str) -> str:
        return t(f"dashboard.{key}", lang)

    for name, content in uploads:  # before the ingest: the record survives whatever follows
        audit.record(
            data.db_path(),
            user=user,
            action="upload",
            target=readable_name(name),
            detail=f"{len(content)} bytes",
        )
    try:
        results = ingest_files(
            [IngestSource(name, content) for name, content in uploads],
            data.db_path(),
            lang=lang,
            user=user,
            allowed_schools=allowed_schools,
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
