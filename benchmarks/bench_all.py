"""`make bench`: every national-scale benchmark in one run, summarised in docs/performance.md.

    .venv/bin/python benchmarks/bench_all.py [--schools 34700] [--years 5]
        [--activity-schools 2000] [--sessions 30] [--seconds 120] [--runs 2]
        [--steps ingest,build,pages,load] [--work benchmarks/out/work]

Steps, each a separate process (so one step's memory never inflates the next), in this order:

1. ingest  bench_ingest.py: generates the national sample twice (UTF-8 and CP932 CSV), loads each
           with a bare DuckDB `read_csv` and with `shirube ingest`; keeps the UTF-8 warehouse.
           It also loads four large files as a board sends them (registry, five years of
           returns, a roster, 3.2 million activity rows) against the bare load in UTF-8 and CP932,
           and the peak memory of ingesting the activities file at 1x and 10x its size.
2. build   bench_build.py on that warehouse's ingested raw rows: `shirube build` end to end, and
           the SQL area marts against pandas.
3. fresh   bench_fresh.py: copies of that warehouse at half and all of its schools; a full build,
           then one school's one-row return file ingested and built (incremental) and read back
           from the published snapshot: freshness, and whether it grows with the warehouse.
4. pages   bench_pages.py: per role (open, ASKNET, hub, superintendent, school) in headless
           Chromium: the first visit and every page reached through the sidebar.
5. load    bench_load.py: concurrent sessions for two minutes while an ingest and a rebuild run,
           each session pausing 5-15 s between views as a person reading the pages would; the
           server has shown each page once before (cold pages are step 4's), and the writer runs
           at low CPU priority (nice 19), as docs/deployment.md asks of a writer sharing a
           machine with a dashboard server.
6. stress  the same with 2-5 s pauses: past what one server process can serve, to show where it
           saturates (no target; docs/deployment.md says when to add servers).
7. skills  bench_skills.py: essential-skills files for every student of the 2,000 student
           schools, eight skills twice a year: ingest and build time per million rows.
8. links   bench_links.py: the build with 1,000 high schools' rolls and student links from the
           junior highs (journeys, cumulative coverage, the student's record).

Each step writes benchmarks/out/<step>.md and <step>.json; this script then writes
docs/performance.md from the JSON files, with the machine and the versions. `--steps` reruns only
some steps and reuses the others' last JSON (the page says when each figure was measured).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from performance_page import write_performance_page

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
OUT = BENCH / "out"
STEPS = ("ingest", "build", "fresh", "pages", "load", "stress", "skills", "links")
OWN_WAREHOUSE = ("skills", "links")  # steps that build their own warehouse


def warehouse(work: Path) -> Path:
    """The UTF-8 warehouse bench_ingest leaves in its work folder (see bench_ingest.measure)."""
    return work / "utf8.ingest.duckdb"


def step_command(step: str, args: argparse.Namespace) -> list[str]:
    py = [sys.executable]
    db = str(warehouse(args.work))
    if step == "ingest":
        return [
            *py,
            str(BENCH / "bench_ingest.py"),
            f"--schools={args.schools}",
            f"--years={args.years}",
            f"--activity-schools={args.activity_schools}",
            f"--work={args.work}",
            f"--json={OUT / 'ingest.json'}",
        ]
    if step == "build":
        return [
            *py,
            str(BENCH / "bench_build.py"),
            f"--keep-db={db}",
            f"--json={OUT / 'build.json'}",
        ]
    if step == "fresh":  # copies of the ingest step's warehouse, read only
        return [
            *py,
            str(BENCH / "bench_fresh.py"),
            "--fractions=0.5,1",
            f"--warehouse={db}",
            f"--work={args.work / 'fresh'}",
            f"--json={OUT / 'fresh.json'}",
            f"--out={OUT / 'fresh.md'}",
        ]
    if step == "skills":  # bench_skills.py: its own warehouse, the bench's student schools
        return [*py, str(BENCH / "bench_skills.py"), f"--work={args.work / 'skills'}"]
    if step == "links":  # bench_links.py: its own warehouse of the national raw rows plus links
        return [
            *py,
            str(BENCH / "bench_links.py"),
            f"--work={args.work / 'links'}",
            f"--out={OUT / 'links.md'}",
            f"--json={OUT / 'links.json'}",
        ]
    if step == "pages":
        return [
            *py,
            str(BENCH / "bench_pages.py"),
            f"--db={db}",
            f"--runs={args.runs}",
            f"--json={OUT / 'pages.json'}",
        ]
    return [
        *py,
        str(BENCH / "bench_load.py"),
        f"--db={db}",
        f"--sessions={args.sessions}",
        f"--seconds={args.seconds}",
        f"--think={'2-5' if step == 'stress' else '5-15'}",
        "--warm-up",  # a server people use has run before; cold pages are the pages step's
        f"--out={OUT / f'{step}.md'}",
    ]


def run_step(step: str, args: argparse.Namespace) -> float:
    command = step_command(step, args)
    print(f"\n=== {step}: {' '.join(Path(c).name if c == sys.executable else c for c in command)}")
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark step '{step}' failed (exit {done.returncode}); see above")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=34_700)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--activity-schools", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--runs", type=int, default=2, help="page benchmark runs")
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--work", type=Path, default=OUT / "work")
    parser.add_argument("--page", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args()
    args.work = args.work.resolve()
    steps = [s for s in STEPS if s in args.steps.split(",")]
    if "ingest" in steps:
        shutil.rmtree(args.work, ignore_errors=True)
    elif not set(steps) <= set(OWN_WAREHOUSE) and not warehouse(args.work).exists():
        raise SystemExit(f"no warehouse at {warehouse(args.work)}: run the ingest step first")
    OUT.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    durations = (
        json.loads((OUT / "steps.json").read_text()) if (OUT / "steps.json").exists() else {}
    )
    for step in steps:
        seconds = run_step(step, args)
        durations[step] = {"seconds": seconds, "finished": time.strftime("%Y-%m-%d %H:%M")}
        (OUT / "steps.json").write_text(json.dumps(durations, indent=1))
    write_performance_page(OUT, args.page, durations, work_size_gb=folder_gb(args.work))
    print(f"\nwrote {args.page}")


def folder_gb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e9


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
