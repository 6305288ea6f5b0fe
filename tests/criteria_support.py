"""Helpers for the criteria tests: criteria-answer files written here, ingested and built by the
real pipeline (ingest_files, build_warehouse), read back from the published snapshot."""

from __future__ import annotations

from pathlib import Path

import duckdb
from test_ingest_support import load, write_csv

from pipelines.build import build_warehouse
from pipelines.settings import default_framework
from pipelines.warehouse import current_snapshot, open_snapshot

HEADER_JA = ["学校コード", "年度", "学期", "提出日", "観点", "回答"]


def criteria_rows(
    school: str, year: str, term: str, submitted_on: str, answers: list[tuple[str, str]]
) -> list[list[str]]:
    """One return's rows: (criterion id, answer) each."""
    return [[school, year, term, submitted_on, c, a] for c, a in answers]


def all_met(benchmark_id: str) -> list[tuple[str, str]]:
    """An answer meeting every criterion of the benchmark, in the kind's own words."""
    words = {"yes_no": "はい", "progress": "達成", "share": "100"}
    criteria = default_framework().benchmark(benchmark_id).criteria
    return [(c.id, words[c.kind]) for c in criteria]


def send_criteria(db: Path, path: Path, rows: list[list[str]], encoding: str = "utf-8"):
    (result,) = load(db, write_csv(path, [HEADER_JA, *rows], encoding))
    return result


def build_and_read(db: Path) -> duckdb.DuckDBPyConnection:
    build_warehouse(db, lang="en")
    _version, snapshot = current_snapshot(db)
    return open_snapshot(snapshot)
