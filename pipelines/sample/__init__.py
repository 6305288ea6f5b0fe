"""Deterministic synthetic Japan: schools, returns, activities and roster as schools send them."""

from pathlib import Path


def run_sample_command(out_dir: Path, *, schools: int, years: int, seed: int,
                       with_errors: bool, lang: str) -> int:
    from pipelines.cli import not_landed

    return not_landed("sample", 2, lang)
