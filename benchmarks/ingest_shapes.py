"""The "few large files" shape of the ingest benchmark: one file per kind, as a board sends them.

    write_large_files(folder, encoding="utf-8", scale=1.0) -> [paths]

Four plain CSVs with the contract's English headers: the registry (34,700 schools), five years of
returns (about 280,000 rows), a roster (800,000 rows x scale) and activities (3.2 million rows x
scale, about 170 MB at scale 1). The registry and returns come from the sample generator
(`pipelines.sample`); roster and activity rows are drawn here with numpy, a million rows at a
time, so a 32-million-row file is written in bounded memory. `encoding="cp932"` writes the same
text in CP932. Generated on demand under benchmarks/out or a temp folder, never committed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.ingest.headers import FIELD_HEADERS
from pipelines.reference import activity_types, school_types
from pipelines.sample.registry import build_registry
from pipelines.sample.returns import build_returns
from pipelines.settings import default_framework

SCHOOLS = 34_700
YEARS = 5
ROSTER_ROWS = 800_000
ACTIVITY_ROWS = 3_200_000
BLOCK = 1_000_000  # rows drawn and written at a time


def _english(field: str) -> str:
    return FIELD_HEADERS[field][1]


def _write(frame: pl.DataFrame, path: Path, encoding: str, first: bool) -> None:
    text = frame.write_csv(include_header=first)
    with open(path, "ab" if not first else "wb") as fh:
        fh.write(text.encode("cp932" if encoding == "cp932" else "utf-8"))


def _students(
    rng: np.random.Generator,
    secondary: pl.DataFrame,
    rows: int,
    years: list[int],
    path: Path,
    encoding: str,
    activities: bool,
) -> None:
    """Roster or activity rows: each block draws schools, students, grades in the school's
    range, dates in the academic year (never after today)."""
    codes = secondary["school_code"].to_numpy()
    low = secondary["grade_min"].to_numpy()
    high = secondary["grade_max"].to_numpy()
    types = np.array(sorted(activity_types()))
    latest = (date.today() - date(years[-1], 4, 1)).days
    written = 0
    while written < rows:
        n = min(BLOCK, rows - written)
        school = rng.integers(len(codes), size=n)
        year = np.array(years)[rng.integers(len(years), size=n)]
        grade = low[school] + (rng.random(n) * (high[school] - low[school] + 1)).astype(int)
        student = school * 400 + rng.integers(400, size=n)
        columns = {
            _english("school_code"): codes[school],
            _english("student_ref"): np.char.add("S", np.char.zfill(student.astype(str), 8)),
            _english("grade"): grade,
        }
        if activities:
            days = rng.integers(0, 365, size=n)
            days = np.where(year == years[-1], np.minimum(days, max(latest, 0)), days)
            start = np.array([np.datetime64(f"{y}-04-01") for y in years])
            day = start[np.searchsorted(years, year)] + days.astype("timedelta64[D]")
            columns[_english("activity_type")] = types[rng.integers(len(types), size=n)]
            columns[_english("activity_date")] = day
            columns[_english("hours")] = rng.integers(1, 13, size=n) / 2
            columns[_english("provider")] = np.char.add(
                "Provider ", rng.integers(1, 5000, size=n).astype(str)
            )
        else:
            columns = {_english("academic_year"): year, **columns}
            columns = {_english("school_code"): codes[school], **columns}
        _write(pl.DataFrame(columns), path, encoding, first=written == 0)
        written += n


def write_large_files(folder: Path, *, encoding: str = "utf-8", scale: float = 1.0) -> list[Path]:
    """The four files (registry, returns, roster, activities) in `folder`, in ingest order."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(17)
    years = list(range(2021, 2021 + YEARS))
    registry = build_registry(rng, SCHOOLS)
    framework = default_framework()
    returns, _ = build_returns(rng, registry, years, framework, date.today())
    paths = [folder / f"{name}.csv" for name in ("schools", "returns", "roster", "activities")]
    schools = registry.select(
        pl.col("school_code").alias(_english("school_code")),
        pl.col("school_name").alias(_english("school_name")),
        pl.col("municipality_code").alias(_english("municipality_code")),
        pl.col("municipality_name").alias(_english("municipality_name")),
        pl.col("hub_code").alias(_english("hub_code")),
        pl.col("hub_name").alias(_english("hub_name")),
        pl.col("enrolment").alias(_english("enrolment")),
    )
    _write(schools, paths[0], encoding, first=True)
    ids = [b.id for b in framework.benchmarks]
    _write(
        returns.select(
            pl.col("school_code").alias(_english("school_code")),
            pl.col("academic_year").alias(_english("academic_year")),
            pl.col("term").alias(_english("term")),
            pl.col("submitted_on").alias(_english("submitted_on")),
            *(
                pl.col(b).round(1).alias(f"B{b_.position}")
                for b, b_ in zip(ids, framework.benchmarks, strict=True)
            ),
        ),
        paths[1],
        encoding,
        first=True,
    )
    ranges = {code: (t.min_grade, t.max_grade) for code, t in school_types().items()}
    secondary = registry.filter(pl.col("secondary")).with_columns(
        pl.col("type_code").replace_strict({k: v[0] for k, v in ranges.items()}).alias("grade_min"),
        pl.col("type_code").replace_strict({k: v[1] for k, v in ranges.items()}).alias("grade_max"),
    )
    _students(rng, secondary, int(ROSTER_ROWS * scale), years, paths[2], encoding, False)
    _students(rng, secondary, int(ACTIVITY_ROWS * scale), years, paths[3], encoding, True)
    return paths
