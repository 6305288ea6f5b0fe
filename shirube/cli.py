"""The `shirube` command line: one way in for each job.

Each command only parses its options and calls the function that does the work; those live with
their layer (pipelines.sample, .ingest, .build, .reports; dashboard.serve). This package sits above
both pipelines/ and dashboard/, so neither ever needs to import the other's way in.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipelines.i18n import LANGS, normalise_lang, t
from pipelines.ingest.headers import KINDS
from shirube.click_language import use_language


def _lang_from_argv(argv: list[str]) -> str:
    """Help text is built before options are parsed, so read --lang (or SHIRUBE_LANG) early."""
    import os

    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return normalise_lang(argv[i + 1])
        if arg.startswith("--lang="):
            return normalise_lang(arg.split("=", 1)[1])
    return normalise_lang(os.environ.get("SHIRUBE_LANG"))


def build_cli(lang: str) -> click.Group:
    def m(key: str) -> str:
        return t(f"cli.{key}", lang)

    db_option = click.option(
        "--db", "db", type=click.Path(dir_okay=False), default=None, help=m("db_help")
    )
    lang_option = click.option(
        "--lang",
        "lang",
        type=click.Choice(LANGS),
        default=lang,
        show_default=True,
        help=m("lang_help"),
    )

    # click's own "Show this message and exit." is English only; every command gets this one.
    help_option = click.help_option("-h", "--help", help=m("help_option_help"))

    # The usage line's placeholders in the chosen language (click's own are English).
    options = m("options_metavar")

    @click.group(
        help=m("group_help"), options_metavar=options, subcommand_metavar=m("command_metavar")
    )
    @help_option
    @lang_option
    def cli(lang: str) -> None:  # noqa: ARG001 - read early by _lang_from_argv
        pass

    def command(help_key: str):
        """A command of `cli` with its help and the usage line's placeholders in `lang`."""
        return cli.command(help=m(help_key), options_metavar=options)

    @command("sample_help")
    @click.argument("out_dir", type=click.Path(file_okay=False), metavar=m("out_dir_metavar"))
    @click.option(
        "--schools",
        type=click.IntRange(1),
        default=300,
        show_default=True,
        help=m("sample_schools_help"),
    )
    @click.option(
        "--years",
        type=click.IntRange(1, 20),
        default=3,
        show_default=True,
        help=m("sample_years_help"),
    )
    @click.option("--seed", type=int, default=7, show_default=True, help=m("sample_seed_help"))
    @click.option("--with-errors", is_flag=True, help=m("sample_errors_help"))
    @help_option
    @lang_option
    def sample(
        out_dir: str,
        schools: int,
        years: int,
        seed: int,
        with_errors: bool,
        lang: str,
    ) -> None:
        from pipelines.sample import run_sample_command

        sys.exit(
            run_sample_command(
                Path(out_dir),
                schools=schools,
                years=years,
                seed=seed,
                with_errors=with_errors,
                lang=lang,
            )
        )

    @command("ingest_help")
    @click.argument(
        "paths",
        nargs=-1,
        required=True,
        type=click.Path(exists=True),
        metavar=m("paths_metavar"),
    )
    @click.option(
        "--kind",
        type=click.Choice(KINDS),
        default=None,
        help=m("ingest_kind_help"),
    )
    @click.option("--json", "as_json", is_flag=True, help=m("ingest_json_help"))
    @db_option
    @help_option
    @lang_option
    def ingest(
        paths: tuple[str, ...], kind: str | None, as_json: bool, db: str | None, lang: str
    ) -> None:
        from pipelines.ingest import run_ingest_command

        sys.exit(
            run_ingest_command(
                [Path(p) for p in paths], db=db, kind=kind, as_json=as_json, lang=lang
            )
        )

    @command("build_help")
    @click.option(
        "--parquet-dir",
        "parquet_dir",
        type=click.Path(),
        default=None,
        help=m("build_parquet_dir_help"),
    )
    @click.option("--full", "full", is_flag=True, default=False, help=m("build_full_help"))
    @db_option
    @help_option
    @lang_option
    def build(parquet_dir: str | None, full: bool, db: str | None, lang: str) -> None:
        from pipelines.build import run_build_command

        sys.exit(run_build_command(db=db, lang=lang, parquet_dir=parquet_dir, full=full))

    @command("serve_help")
    @click.option(
        "--port",
        type=click.IntRange(1, 65535),
        default=8501,
        show_default=True,
        help=m("serve_port_help"),
    )
    @click.option(
        "--roles",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help=m("serve_roles_help"),
    )
    @click.option("--no-auth", is_flag=True, help=m("serve_no_auth_help"))
    @click.option(
        "--snapshot-dir",
        "snapshot_dir",
        type=click.Path(file_okay=False),
        default=None,
        help=m("serve_snapshot_dir_help"),
    )
    @click.option(
        "--audit-dir",
        "audit_dir",
        type=click.Path(file_okay=False),
        default=None,
        help=m("serve_audit_dir_help"),
    )
    @db_option
    @help_option
    @lang_option
    def serve(
        port: int,
        roles: str | None,
        no_auth: bool,
        snapshot_dir: str | None,
        audit_dir: str | None,
        db: str | None,
        lang: str,
    ) -> None:
        from dashboard.serve import run_serve_command

        sys.exit(
            run_serve_command(
                db=db,
                port=port,
                roles=roles,
                no_auth=no_auth,
                lang=lang,
                snapshot_dir=snapshot_dir,
                audit_dir=audit_dir,
            )
        )

    @command("demo_help")
    @click.option(
        "--port",
        type=click.IntRange(1, 65535),
        default=8501,
        show_default=True,
        help=m("serve_port_help"),
    )
    @db_option
    @help_option
    @lang_option
    def demo(port: int, db: str | None, lang: str) -> None:
        from shirube.demo import run_demo_command

        sys.exit(run_demo_command(db=db, port=port, lang=lang))

    @command("report_help")
    @click.option("--year", type=int, required=True, help=m("report_year_help"))
    @click.option("--area", default="national", show_default=True, help=m("report_area_help"))
    @click.option(
        "--out", "out", type=click.Path(dir_okay=False), required=True, help=m("report_out_help")
    )
    @db_option
    @help_option
    @lang_option
    def report(year: int, area: str, out: str, db: str | None, lang: str) -> None:
        from pipelines.reports import run_report_command

        sys.exit(run_report_command(db=db, year=year, area=area, out=Path(out), lang=lang))

    return cli


def _framework_refusal() -> str | None:
    """Why the framework file(s) in force cannot be used, or None. Checked before any command,
    so a broken replacement file stops the CLI (and the server it starts) at once."""
    from pipelines.framework import FrameworkError
    from pipelines.settings import frameworks

    try:
        frameworks()
    except (FrameworkError, OSError) as exc:
        return str(exc)
    return None


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    lang = _lang_from_argv(args)
    refusal = _framework_refusal()
    if refusal:
        click.echo(t("cli.framework_refused", lang, reason=refusal), err=True)
        sys.exit(2)
    use_language(lang)  # click's own words (Usage:, Error: ...) in the same language
    build_cli(lang)(args=args, prog_name="shirube")


if __name__ == "__main__":
    main()
