"""Where an ingest's time goes, phase by phase (wall clock, no profiler overhead).

    .venv/bin/python benchmarks/profile_ingest.py FILE... [--json OUT]

Ingests the files, in the order given, into a new warehouse in a temp folder and prints the
seconds spent in each phase of pipelines.ingest, timed by wrapping its functions:

1 scan: the first pass over the bytes (SHA-256, UTF-8 check, line ends);
2 polars read_csv: parsing each chunk's text into string columns;
3 trim/NFKC/blank rows/stats: reading._finish (numbering, blank rows, NFKC, trimming, lengths);
4 typed: staging.typed_frame (each distinct value parsed once, joined back onto the rows);
5 Arrow conversion: the typed frame handed to DuckDB;
6 check + insert: rows.FileLoad.add and .prechecked without 5 (whether a batch breaks a rule,
  told by polars and, for the rules polars does not read, DuckDB; the inserts; any quarantine);
7 archive: waiting for the archive copy (made in a thread beside the load) and its fsync;
8 rest: the remainder (commit and checkpoints, the log row, decoding CP932, cutting chunks).

Run it with the bare load of the same files (benchmarks/bench_ingest.py) to read it as ratios.
The ingest types and checks a file's next batch in a second thread, and reads the one after it
in a third, while DuckDB inserts the one before (ahead.read_ahead), and prepares a batch's next
file as far as its first chunk likewise (ingest.prefetch); here those threads are off, so the
phases run one after the other and add up to the total (which is therefore longer than the
ingest's own time).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import polars as pl

import pipelines.ingest.api as api
import pipelines.ingest.load as load
import pipelines.ingest.reading as reading
import pipelines.ingest.rows as rows

PHASES = {
    "scan": "1 scan: hash + UTF-8 check",
    "read_csv": "2 polars read_csv",
    "finish": "3 trim/NFKC/blank rows/stats",
    "typed": "4 typed: parse distinct values + join",
    "arrow": "5 Arrow conversion",
    "add": "6 check (polars, DuckDB) + insert (DuckDB)",
    "archive": "7 archive: waiting for its copy",
}


def _wrap(owner: object, name: str, phase: str, seconds: dict[str, float]) -> None:
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[phase] = seconds.get(phase, 0.0) + time.perf_counter() - started

    setattr(owner, name, timed)


@contextmanager
def _one_after_the_other(items):
    yield items  # in place of ahead.read_ahead: every phase in this thread, so they add up


def profile(files: list[Path]) -> dict:
    from pipelines.ingest import ingest_files

    seconds: dict[str, float] = {}
    load.read_ahead = _one_after_the_other
    api._prepare_next = lambda *args, **kwargs: None  # no next file prepared ahead
    _wrap(load, "scan", "scan", seconds)
    _wrap(pl, "read_csv", "read_csv", seconds)
    _wrap(reading, "_finish", "finish", seconds)
    _wrap(load, "typed_frame", "typed", seconds)
    _wrap(pl.DataFrame, "to_arrow", "arrow", seconds)
    _wrap(rows.FileLoad, "add", "add", seconds)
    _wrap(rows.FileLoad, "prechecked", "add", seconds)
    _wrap(load, "archived", "archive", seconds)
    with tempfile.TemporaryDirectory(prefix="shirube-profile-") as work:
        started = time.perf_counter()
        results = ingest_files(files, Path(work) / "w.duckdb")
        total = time.perf_counter() - started
    seconds["add"] = seconds.get("add", 0.0) - seconds.get("arrow", 0.0)
    phases = {PHASES[k]: round(seconds.get(k, 0.0), 2) for k in PHASES}
    phases["8 rest (commit, log, decode, chunking)"] = round(total - sum(phases.values()), 2)
    return {
        "seconds": round(total, 2),
        "rows": sum(r.rows_read for r in results),
        "quarantined": sum(r.rows_quarantined for r in results),
        "phases": phases,
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    figures = profile(args.files)
    print(f"{figures['seconds']:.1f} s for {figures['rows']:,} rows")
    for phase, spent in figures["phases"].items():
        print(f"  {phase:<40} {spent:6.2f} s  {100 * spent / figures['seconds']:4.0f} %")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
