"""Funder reports: PDF, Excel and HTML."""

from pathlib import Path


def run_report_command(*, db: str | None, year: int, area: str, out: Path, lang: str) -> int:
    from pipelines.cli import not_landed

    return not_landed("report", 6, lang)
