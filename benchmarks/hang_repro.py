"""The dashboard's named queries from many threads at once on a fresh snapshot (issue 17).

    python benchmarks/hang_repro.py SNAPSHOT.duckdb [--threads 30] [--rounds 3] [--timeout 60]
        [--out benchmarks/out/hang.json]

Right after a publish every session misses the cache at once: each runs the dashboard's named
queries on the new snapshot's fresh connection, one cursor per thread (dashboard.data), then polars
work on the results. This does the same from `--threads` threads started together on one
connection, for `--rounds` passes over the warm-up plan (dashboard.warmup.plan) plus the pages'
per-school and per-area queries. A thread still running after `--timeout` s counts as stuck; the
stacks of every thread are then dumped (faulthandler) and the run exits with status 1.

It checks the DuckDB side of the hang seen after a publish: on the national snapshot, 30-40
threads x 3 passes (4,080 queries) finished with no thread stuck, so the queries alone do not
deadlock; the cause was polars' thread pool and the GIL (tests/test_polars_gil_hang.py).
Writes {threads, rounds, queries, expected, seconds, stuck, errors, error_count} to --out (JSON).
Run it on a COPY of a snapshot file: it only reads, but a copy keeps the shared one out of it.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import random
import sys
import threading
import time
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parents[1]


def calls(con: duckdb.DuckDBPyConnection, seed: int) -> list[tuple]:
    """(named query, parameters) a page visit after a publish would run, in a seeded order."""
    from dashboard import warmup
    from dashboard.queries import areas, options, schools
    from dashboard.scope import Scope

    everything = Scope.everything()
    year = int(options.academic_years(con, everything)["academic_year"][0])
    codes = schools.school_codes(con, everything)["school_code"].head(50).to_list()
    prefectures = options.areas(con, everything, level="prefecture")["area_code"].to_list()
    rng = random.Random(seed)
    plan = list(warmup.plan(year))
    for code in rng.sample(codes, min(5, len(codes))):
        plan.append((schools.school_info, {"school": code}))
        plan.append((schools.school_years, {"school": code}))
    for code in rng.sample(prefectures, min(5, len(prefectures))):
        choices = {**warmup.NATIONAL_SELECTION, "area_level": "prefecture", "area_code": code}
        plan.append((areas.selection_trend, choices))
        plan.append((areas.selection_summary, {"year": year, **choices}))
    rng.shuffle(plan)
    return plan


def polars_work(frame: pl.DataFrame) -> None:
    """What a page does with a result: sort it, group it."""
    if frame.is_empty():
        return
    first = frame.columns[0]
    frame.sort(first, nulls_last=True)
    frame.group_by(first).len()


def run(path: Path, threads: int, rounds: int, timeout: float, seed: int = 1) -> dict:
    from dashboard.scope import Scope
    from pipelines.warehouse import open_snapshot

    with duckdb.connect(str(path), read_only=True) as probe:
        plan = calls(probe, seed)
    # A fresh connection, as after a publish: nothing read yet.
    con = open_snapshot(path)
    scope = Scope.everything()
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def user(index: int) -> None:
        mine = plan[index % len(plan) :] + plan[: index % len(plan)]
        start.wait()
        for _ in range(rounds):
            for function, params in mine:
                cursor = con.cursor()  # one cursor per thread, as dashboard.data
                try:
                    polars_work(function(cursor, scope, **params))
                except Exception as error:  # noqa: BLE001 - counted, the run goes on
                    with lock:
                        errors.append(f"{function.__name__}: {error!r}"[:300])
                finally:
                    cursor.close()
                with lock:
                    done[0] += 1

    workers = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    deadline = started + timeout
    for worker in workers:
        worker.join(max(0.0, deadline - time.perf_counter()))
    stuck = sum(worker.is_alive() for worker in workers)
    seconds = time.perf_counter() - started
    if stuck:
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    return {
        "threads": threads,
        "rounds": rounds,
        "queries": done[0],
        "expected": threads * rounds * len(plan),
        "seconds": round(seconds, 2),
        "stuck": stuck,
        "errors": errors[:20],
        "error_count": len(errors),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--threads", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = run(args.snapshot, args.threads, args.rounds, args.timeout, args.seed)
    print(json.dumps(result, ensure_ascii=False, indent=1), flush=True)
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if result["stuck"] else 0


if __name__ == "__main__":
    import os

    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # stuck threads would keep a normal exit waiting
