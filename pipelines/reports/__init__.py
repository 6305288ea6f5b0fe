"""Funder reports: PDF, Excel and HTML, made from the published snapshot only.

`render_report` is the library entry (the dashboard's report page); `run_report_command` is what
`shirube report` calls. Both read the figures once (content.gather_report) and hand the same
ReportContent to the format's renderer.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click
import duckdb

from pipelines.i18n import both, normalise_lang, t
from pipelines.reports.content import gather_report, parse_area
from pipelines.reports.model import ReportContent, ReportError
from pipelines.vocabulary import MEDIA_TYPES
from pipelines.warehouse import current_snapshot, open_snapshot, resolve_db_path

FORMATS = {".pdf": "pdf", ".xlsx": "xlsx", ".html": "html"}

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "ReportContent",
    "ReportError",
    "gather_report",
    "parse_area",
    "render_content",
    "render_report",
    "report_format",
    "run_report_command",
    "suggested_filename",
]


def report_format(out: Path) -> str:
    """The format named by the output file's extension; ReportError if it is not one we make."""
    fmt = FORMATS.get(out.suffix.casefold())
    if fmt is None:
        raise ReportError("error_bad_extension", suffix=out.suffix or "(none)")
    return fmt


def suggested_filename(*, year: int, area: str, fmt: str) -> str:
    """A safe download name, e.g. shirube-report-2025-prefecture-23.pdf (for the dashboard)."""
    level, code = parse_area(area)
    safe_code = re.sub(r"[^0-9A-Za-z_-]+", "_", code).strip("_") or "area"
    return f"shirube-report-{year}-{level}-{safe_code}.{fmt}"


def render_content(content: ReportContent, fmt: str) -> bytes:
    """`fmt`: "pdf", "xlsx", "html", or "preview" (HTML with no script, for the dashboard)."""
    if fmt == "pdf":
        from pipelines.reports.pdf import render_pdf

        return render_pdf(content)
    if fmt == "xlsx":
        from pipelines.reports.xlsx import render_xlsx

        return render_xlsx(content)
    if fmt == "html":
        from pipelines.reports.html import render_html

        return render_html(content)
    if fmt == "preview":  # the dashboard's preview: HTML without scripts, charts as SVG
        from pipelines.reports.pdf import render_preview

        return render_preview(content)
    raise ReportError("error_bad_extension", suffix=fmt)


def render_report(snapshot_path: Path, *, year: int, area: str, lang: str, fmt: str) -> bytes:
    """The report as bytes in `fmt` ("pdf", "xlsx", "html" or "preview"), from one snapshot file.

    Raises ReportError (with `.message(lang)`) for a bad area, an unknown area or a year with
    no data.
    """
    lang = normalise_lang(lang)
    con = open_snapshot(Path(snapshot_path))
    try:
        content = gather_report(con, year=year, area=area, lang=lang)
    finally:
        con.close()
    return render_content(content, fmt)


def _write_atomically(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, out)  # a reader never sees half a report


def run_report_command(*, db: str | None, year: int, area: str, out: Path, lang: str) -> int:
    """`shirube report`: 0 written, 1 no snapshot / unknown area / no data, 2 bad extension."""
    lang = normalise_lang(lang)
    try:
        fmt = report_format(out)
    except ReportError as error:
        click.echo("\n".join(both(f"report.{error.key}", **error.values)), err=True)
        return 2
    db_path = resolve_db_path(db)
    snapshot = current_snapshot(db_path)
    if snapshot is None:
        click.echo(t("report.error_no_snapshot", lang, db=db_path), err=True)
        return 1
    try:
        data = render_report(snapshot[1], year=year, area=area, lang=lang, fmt=fmt)
    except ReportError as error:
        click.echo(error.message(lang), err=True)
        return 1
    except duckdb.Error as error:
        click.echo(
            t("report.error_snapshot_unreadable", lang, reason=type(error).__name__), err=True
        )
        return 1
    try:
        _write_atomically(out, data)
    except OSError as error:
        click.echo(t("report.error_write_failed", lang, path=out, reason=error.strerror), err=True)
        return 1
    click.echo(t("report.written", lang, path=out))
    return 0
