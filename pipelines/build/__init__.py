"""Build: run the SQL models, the audits, and publish the marts for readers.

Public interface: `build_warehouse(db_path, lang=...) -> BuildResult` (raises `BuildError`), used by
the dashboard's upload page, and `run_build_command(db=..., lang=...)` for `shirube build`.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.build.audits import AuditResult, run_audits
from pipelines.build.runner import BuildError, BuildResult, build_warehouse, first_line
from pipelines.i18n import t
from pipelines.settings import settings

__all__ = [
    "AuditResult",
    "BuildError",
    "BuildResult",
    "build_warehouse",
    "resolve_parquet_dir",
    "run_audits",
    "run_build_command",
]


def resolve_parquet_dir(parquet_dir: str | None) -> Path | None:
    """--parquet-dir, else settings [snapshots] parquet_dir; None (off) when both are empty."""
    chosen = parquet_dir or str(settings()["snapshots"].get("parquet_dir") or "")
    return Path(chosen).expanduser().resolve() if chosen else None


def run_build_command(
    *, db: str | None, lang: str, parquet_dir: str | None = None, full: bool = False
) -> int:
    """`shirube build`: 0 when published (and written to the shared Parquet folder, if any),
    1 when a model, an audit or a publish failed (reason on stderr)."""
    from pipelines.warehouse import resolve_db_path

    db_path = resolve_db_path(db)
    shared = resolve_parquet_dir(parquet_dir)
    click.echo(t("build.started", lang, db=db_path))
    try:
        result = build_warehouse(db_path, lang=lang, parquet_dir=shared, full=full)
    except BuildError as exc:
        click.echo(exc.message(lang), err=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - a person reads this, never a traceback
        click.echo(t("build.unexpected", lang, error=first_line(exc)), err=True)
        return 1
    click.echo(
        t(
            "build.done",
            lang,
            models=result.models,
            audits=len(result.audits),
            version=result.version,
            seconds=f"{result.seconds:.1f}",
        )
    )
    if not result.full:
        click.echo(t("build.incremental_done", lang))
    if shared is not None:
        click.echo(
            t(
                "build.parquet_published",
                lang,
                dir=shared,
                version=result.version,
                seconds=f"{result.parquet_seconds:.1f}",
            )
        )
    return 0
