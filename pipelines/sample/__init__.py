"""Deterministic synthetic Japan: schools, returns, activities and roster as schools send them.

`generate_sample` is the library entry (tests, benchmarks);
`run_sample_command` is `shirube sample`.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.i18n import t
from pipelines.sample.generate import generate_sample
from pipelines.sample.manifest import SampleError, SampleFile, SampleManifest

__all__ = ["SampleError", "SampleFile", "SampleManifest", "generate_sample", "run_sample_command"]


def run_sample_command(
    out_dir: Path, *, schools: int, years: int, seed: int, with_errors: bool, lang: str
) -> int:
    """`shirube sample`: write the sample and print a short summary; the exit code."""
    try:
        manifest = generate_sample(
            out_dir, schools=schools, years=years, seed=seed, with_errors=with_errors
        )
    except SampleError as exc:
        click.echo(t(f"sample.{exc.key}", lang, **exc.values), err=True)
        return 1
    except OSError as exc:  # disk full, no permission: say which file, without a traceback
        click.echo(
            t("sample.failed", lang, reason=f"{exc.strerror or exc}: {exc.filename or out_dir}"),
            err=True,
        )
        return 1
    except Exception as exc:  # a bug here is still reported to people in words, not a traceback
        click.echo(t("sample.failed", lang, reason=f"{type(exc).__name__}: {exc}"), err=True)
        return 2
    click.echo(
        t(
            "sample.done",
            lang,
            path=out_dir,
            schools=schools,
            years=years,
            files=len(manifest.files),
        )
    )
    click.echo(
        t(
            "sample.done_rows",
            lang,
            **{
                k: manifest.rows(k)
                for k in (
                    "schools",
                    "returns",
                    "roster",
                    "activities",
                    "criteria",
                    "skills",
                    "links",
                )
            },
        )
    )
    if with_errors:
        click.echo(t("sample.errors_written", lang, path=Path(out_dir) / "9_with_errors"))
    return 0
