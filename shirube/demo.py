"""`shirube demo`: the sample, loaded, built and served, in one command."""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.i18n import t

SAMPLE_DIR = Path("data") / "sample"


def run_demo_command(*, db: str | None, port: int, lang: str) -> int:
    from dashboard.serve import run_serve_command
    from pipelines.build import run_build_command
    from pipelines.ingest import run_ingest_command
    from pipelines.sample import run_sample_command

    if not SAMPLE_DIR.is_dir() or not any(SAMPLE_DIR.iterdir()):
        click.echo(t("cli.demo_sampling", lang, path=SAMPLE_DIR))
        code = run_sample_command(
            SAMPLE_DIR, schools=300, years=3, seed=7, with_errors=False, lang=lang
        )
        if code:
            click.echo(t("cli.demo_step_failed", lang, step="sample", code=code), err=True)
            return code
    steps = (
        (
            "ingest",
            lambda: run_ingest_command([SAMPLE_DIR], db=db, kind=None, as_json=False, lang=lang),
        ),
        ("build", lambda: run_build_command(db=db, lang=lang)),
    )
    for name, step in steps:
        code = step()
        if code:
            click.echo(t("cli.demo_step_failed", lang, step=name, code=code), err=True)
            return code
    # Marks the warehouse as the sample only when every loaded file is a sample file: then the
    # dashboard may run open without login (pipelines.sample_mark).
    from pipelines.sample_mark import mark_if_sample
    from pipelines.warehouse import resolve_db_path

    mark_if_sample(resolve_db_path(db), SAMPLE_DIR)
    return run_serve_command(db=db, port=port, roles=None, no_auth=False, lang=lang)
