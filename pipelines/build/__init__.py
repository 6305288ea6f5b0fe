"""Build: run the SQL models, the audits, and publish the marts for readers."""


def run_build_command(*, db: str | None, lang: str) -> int:
    from pipelines.cli import not_landed

    return not_landed("build", 4, lang)
