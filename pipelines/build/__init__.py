"""Build: run the SQL models, the audits, and publish the marts for readers.

Public interface: `build_warehouse(db_path, lang=...) -> BuildResult` (raises `BuildError`), used by
the dashboard's upload page, and `run_build_command(db=..., lang=...)` for `shirube build`.
"""

from __future__ import annotations

import click

from pipelines.build.audits import AuditResult, run_audits
from pipelines.build.runner import BuildError, BuildResult, build_warehouse, first_line
from pipelines.i18n import t

__all__ = [
    "AuditResult",
    "BuildError",
    "BuildResult",
    "build_warehouse",
    "run_audits",
    "run_build_command",
]


def run_build_command(*, db: str | None, lang: str) -> int:
    """`shirube build`: 0 when published, 1 when a model or audit failed (reason on stderr)."""
    from pipelines.warehouse import resolve_db_path

    db_path = resolve_db_path(db)
    click.echo(t("build.started", lang, db=db_path))
    try:
        result = build_warehouse(db_path, lang=lang)
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
    return 0
