"""A warehouse built by the real pipeline for the report tests: `shirube sample`, `shirube ingest`
and `shirube build`, as a user runs them (no hand-written marts), and helpers that read its
public marts and pick areas of each kind from them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipelines.settings import settings
from pipelines.warehouse import current_snapshot, open_snapshot

REPO = Path(__file__).resolve().parents[1]
YEAR = 2025


def shirube(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "shirube.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def build_sample_warehouse(folder: Path, *, schools: int = 300, years: int = 3) -> Path:
    """The sample ingested and built into `folder`/shirube.duckdb; the published snapshot's path."""
    db = folder / "shirube.duckdb"
    sample = folder / "sample"
    sizes = ["--schools", str(schools), "--years", str(years)]
    shirube("sample", str(sample), *sizes)
    shirube("ingest", str(sample), "--db", str(db))
    shirube("build", "--db", str(db))
    return current_snapshot(db)[1]


def query(snapshot: Path, sql: str, params: list | None = None) -> list[dict]:
    con = open_snapshot(snapshot)
    try:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def summary(snapshot: Path, level: str, code: str, year: int = YEAR) -> dict | None:
    found = query(
        snapshot,
        "select * from marts.public_area_year_summary s join marts.build_info b "
        "on s.framework_version = b.default_framework_version "
        "where area_level = ? and area_code = ? and academic_year = ?",
        [level, code, year],
    )
    return found[0] if found else None


def benchmark_figures(snapshot: Path, level: str, code: str, year: int = YEAR) -> dict[str, dict]:
    return {
        r["benchmark_id"]: r
        for r in query(
            snapshot,
            "select * from marts.public_area_year_benchmark s join marts.build_info b "
            "on s.framework_version = b.default_framework_version "
            "where area_level = ? and area_code = ? and academic_year = ?",
            [level, code, year],
        )
    }


def parent(snapshot: Path, level: str, code: str) -> tuple[str, str]:
    row = query(
        snapshot,
        "select parent_level, parent_code from marts.dim_area where area_level = ? "
        "and area_code = ?",
        [level, code],
    )[0]
    return row["parent_level"], row["parent_code"]


def area_where(snapshot: Path, level: str, condition: str) -> str:
    """The code of the first area of `level` (most schools reporting) meeting a SQL condition on
    this year's public summary `now`, last year's `before` and dim_area `d`."""
    found = query(
        snapshot,
        "select now.area_code from marts.public_area_year_summary now "
        "join marts.dim_area d using (area_level, area_code) "
        "left join marts.public_area_year_summary before on before.area_level = now.area_level "
        "and before.area_code = now.area_code and before.academic_year = now.academic_year - 1 "
        "and before.framework_version = now.framework_version "
        f"where now.area_level = ? and now.academic_year = ? and ({condition}) "
        "order by now.schools_reporting desc, now.area_code limit 1",
        [level, YEAR],
    )
    assert found, f"the sample has no {level} where {condition}"
    return found[0]["area_code"]


def min_schools() -> int:
    return int(settings()["suppression"]["min_schools"])
