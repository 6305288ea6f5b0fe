"""Ingest speed and memory at national scale, against a bare DuckDB `read_csv` of the same files.

    .venv/bin/python benchmarks/bench_ingest.py [--schools 34700] [--years 5]
        [--activity-schools 2000] [--shapes small,large,memory] [--scale 1.0] [--big-scale 10]
        [--work DIR] [--out benchmarks/out/ingest.md] [--json FILE]

Two shapes, each in two encodings, each against the bare load of the same files:
- small ("utf8", "cp932"): many small files, the national sample as schools send it (below);
- large ("utf8-large", "cp932-large"): four large files as a board sends them
  (`ingest_shapes.write_large_files`: registry, five years of returns, a roster of 800,000 rows
  and 3.2 million activity rows, times --scale);
and memory ("memory"): peak RSS of ingesting the registry and the activities file alone, at
--scale and at --big-scale times it, each in a fresh process (the ceiling must not grow).

For each dress ("utf8": plain UTF-8 CSV; "cp932": CP932 CSV) it generates the sample with
`pipelines.sample.generate_sample`, then runs, each in a fresh child process (so peak RSS is that
run's own: the process's VmHWM, which exec resets, unlike getrusage's ru_maxrss):

- bare:   DuckDB `create table ... as select * from read_csv(file)` per file into a new database.
          DuckDB cannot read CP932, so for CP932 the bare load first decodes each file to UTF-8 in
          Python (that decode is part of the bare time: it is the least any CP932 load must do).
- ingest: `pipelines.ingest.ingest_files` of the same files (folder order) into a new warehouse:
          detection, normalisation, every rule, quarantine, archive, log, one transaction per file.

Targets (issue #17): ingest within 1.5x of bare on both shapes and encodings; peak RSS under
1 GB for the 3.2-million-row file and for one ten times larger. Prints a table and writes it to
benchmarks/out/ingest.md; --json writes {"targets", "results", "memory", "peak_limit_mb"}:
"results" holds one entry per shape and encoding (dress), "memory" one per scale.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"utf8": 1.5, "cp932": 1.5, "utf8-large": 1.5, "cp932-large": 1.5}
PEAK_LIMIT_MB = 1024
LARGE_RUNS = 3  # runs of each side of the large shape, in turns; the median is reported

BARE = r"""
import json, os, re, sys, time, duckdb
from pathlib import Path
files, db, encoding, scratch = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])
# "numbered": each row stored with its line number and nothing else: read by polars, which
# numbers rows as it reads them (in parallel, like the ingest's reader), and stored by DuckDB.
numbered = sys.argv[5:] == ["numbered"]
if numbered:
    import polars as pl
start, cpu = time.perf_counter(), os.times()
con = duckdb.connect(db)
rows = 0
for i, name in enumerate(files):
    path = Path(name)
    if encoding == "cp932":
        utf8 = scratch / f"{i}.csv"
        utf8.write_bytes(path.read_bytes().decode("cp932").encode("utf-8"))
        path = utf8
    if numbered:
        frame = pl.read_csv(path, row_index_name="line", row_index_offset=2, try_parse_dates=True)
        con.execute(f"create table t{i} as select * from frame")
        del frame
    else:
        con.execute(f"create table t{i} as select * from read_csv('{path}')")
    rows += con.execute(f"select count(*) from t{i}").fetchall()[0][0]
con.close()
elapsed = time.perf_counter() - start
done = os.times()
cpu_s = done.user + done.system - cpu.user - cpu.system  # every thread of the process
sys_s = done.system - cpu.system  # of which in the kernel (page faults, reads, thread switches)
# VmHWM, not getrusage: ru_maxrss survives exec, so a child would report the parent's peak
# (the sample generator's) when that was higher.
peak = int(re.search(r"VmHWM:\s*(\d+)", open("/proc/self/status").read()).group(1)) / 1024
print(json.dumps({"seconds": elapsed, "cpu_s": cpu_s, "sys_s": sys_s, "rows": rows,
                  "peak_mb": peak}))
"""

INGEST = r"""
import json, os, re, sys, time
from pathlib import Path
from pipelines.ingest import ingest_files
files, db = [Path(f) for f in json.loads(sys.argv[1])], Path(sys.argv[2])
start, cpu = time.perf_counter(), os.times()
results = ingest_files(files, db)
elapsed = time.perf_counter() - start
done = os.times()
cpu_s = done.user + done.system - cpu.user - cpu.system  # every thread of the process
sys_s = done.system - cpu.system  # of which in the kernel (page faults, reads, thread switches)
# VmHWM, not getrusage: ru_maxrss survives exec, so a child would report the parent's peak
# (the sample generator's) when that was higher.
peak = int(re.search(r"VmHWM:\s*(\d+)", open("/proc/self/status").read()).group(1)) / 1024
print(json.dumps({"seconds": elapsed, "cpu_s": cpu_s, "sys_s": sys_s,
                  "rows": sum(r.rows_read for r in results),
                  "loaded": sum(r.rows_loaded for r in results),
                  "quarantined": sum(r.rows_quarantined for r in results),
                  "rejected": sum(r.status == "rejected" for r in results), "peak_mb": peak}))
"""


def run_child(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def measure(dress: str, folder: Path, args: argparse.Namespace) -> dict:
    from pipelines.ingest import expand_paths
    from pipelines.sample import generate_sample

    started = time.perf_counter()
    generate_sample(
        folder,
        schools=args.schools,
        years=args.years,
        seed=1,
        activity_schools=args.activity_schools,
        dresses=dress,
    )
    generated = time.perf_counter() - started
    files = [str(p) for p in expand_paths([folder])]
    size_mb = sum(Path(f).stat().st_size for f in files) / 1e6
    scratch = folder.parent / f"{dress}.scratch"
    scratch.mkdir()
    bare = run_child(
        BARE,
        json.dumps(files),
        str(folder.parent / f"{dress}.bare.duckdb"),
        "cp932" if dress == "cp932" else "utf-8",
        str(scratch),
    )
    # With --work the ingested warehouse stays there (bench_all.py builds and serves it next).
    ingest = run_child(INGEST, json.dumps(files), str(folder.parent / f"{dress}.ingest.duckdb"))
    # Only the UTF-8 warehouse is used afterwards; the rest is gigabytes of scratch.
    for leftover in (folder, scratch, folder.parent / f"{dress}.bare.duckdb"):
        remove(leftover)
    if dress != "utf8":
        for leftover in folder.parent.glob(f"{dress}.ingest.duckdb*"):
            remove(leftover)
    return {
        "dress": dress,
        "files": len(files),
        "size_mb": size_mb,
        "generate_s": generated,
        "bare": bare,
        "ingest": ingest,
    }


def measure_large(encoding: str, folder: Path, args: argparse.Namespace) -> dict:
    from ingest_shapes import write_large_files

    started = time.perf_counter()
    files = [str(p) for p in write_large_files(folder, encoding=encoding, scale=args.scale)]
    generated = time.perf_counter() - started
    size_mb = sum(Path(f).stat().st_size for f in files) / 1e6
    dress = f"{'cp932' if encoding == 'cp932' else 'utf8'}-large"
    scratch = folder.parent / f"{dress}.scratch"
    scratch.mkdir()
    bare_db, ingest_db = folder.parent / f"{dress}.bare.duckdb", folder.parent / f"{dress}.duckdb"
    # A few seconds each on a shared 2-core machine, where one run can be 10 % off: the bare
    # load and the ingest run LARGE_RUNS times each, in turns (a slow moment falls on both
    # alike), and the median of each is reported, every run beside it.
    runs: dict[str, list[dict]] = {"bare": [], "ingest": []}
    for _ in range(LARGE_RUNS):
        remove(bare_db)
        runs["bare"].append(
            run_child(BARE, json.dumps(files), str(bare_db), encoding, str(scratch))
        )
        for leftover in _ingest_leftovers(folder.parent, dress):
            remove(leftover)
        runs["ingest"].append(run_child(INGEST, json.dumps(files), str(ingest_db)))
    bare, ingest = _median_run(runs["bare"]), _median_run(runs["ingest"])
    # Every row the ingest keeps names its line (quarantine reasons, raw tables), which DuckDB's
    # reader cannot give without undoing its parallel read: the same files read with a line
    # number on each row (by polars, as the ingest reads them) and stored, nothing else.
    remove(bare_db)
    numbered = run_child(BARE, json.dumps(files), str(bare_db), encoding, str(scratch), "numbered")
    phases = profile_child(files)
    for leftover in (folder, scratch, bare_db, *_ingest_leftovers(folder.parent, dress)):
        remove(leftover)
    return {
        "dress": dress,
        "files": len(files),
        "size_mb": size_mb,
        "generate_s": generated,
        "bare": bare,
        "numbered": numbered,
        "ingest": ingest,
        "runs": {side: [r["seconds"] for r in done] for side, done in runs.items()},
        "profile": phases,
    }


def _ingest_leftovers(parent: Path, dress: str) -> tuple[Path, ...]:
    """An ingest run's warehouse (with its WAL and lock) and archive: removed before the next
    run, whose archive copies would otherwise be found already made."""
    return (*parent.glob(f"{dress}.duckdb*"), *parent.glob(f"{dress}.archive"))


def _median_run(runs: list[dict]) -> dict:
    """The run of median time, with the highest peak memory of all the runs."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    median = dict(ordered[len(ordered) // 2])
    peaks = [r["peak_mb"] for r in runs if r.get("peak_mb") is not None]
    if peaks:
        median["peak_mb"] = max(peaks)
    return median


PROFILE = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, "benchmarks")
from profile_ingest import profile
print(json.dumps(profile([Path(f) for f in json.loads(sys.argv[1])])))
"""


def profile_child(files: list[str]) -> dict:
    """The same ingest again in a fresh process, timed phase by phase (profile_ingest.py): where
    the time over the bare load goes."""
    return run_child(PROFILE, json.dumps(files))


def profile_table(results: list[dict]) -> list[str]:
    """Phase by phase, for each large shape profiled: seconds and share of the profiled ingest,
    with the bare load of the same files beside them."""
    profiled = [r for r in results if r.get("profile")]
    if not profiled:
        return []
    names = list(profiled[0]["profile"]["phases"])
    lines = [
        "",
        "Where the large shape's ingest time goes (`benchmarks/profile_ingest.py`: the same "
        "files ingested again in a fresh process, each phase timed by wrapping its function):",
        "",
        "| phase | " + " | ".join(r["dress"] for r in profiled) + " |",
        "|---|" + "---:|" * len(profiled),
    ]
    for name in names:
        cells = []
        for r in profiled:
            spent, total = r["profile"]["phases"][name], r["profile"]["seconds"]
            cells.append(f"{spent:.1f} s ({100 * spent / total:.0f} %)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(
        "| **profiled ingest** / bare load | "
        + " | ".join(
            f"{r['profile']['seconds']:.1f} s / {r['bare']['seconds']:.1f} s" for r in profiled
        )
        + " |"
    )
    return lines


def measure_memory(scale: float, folder: Path) -> dict:
    """Peak RSS of ingesting the registry and the activities file at `scale`."""
    from ingest_shapes import ACTIVITY_ROWS, write_large_files

    paths = write_large_files(folder, scale=scale)
    files = [str(paths[0]), str(paths[3])]
    db = folder.parent / f"memory{scale}.duckdb"
    ingest = run_child(INGEST, json.dumps(files), str(db))
    size_mb = paths[3].stat().st_size / 1e6
    for leftover in (folder, *folder.parent.glob(f"memory{scale}.*")):
        remove(leftover)
    return {
        "scale": scale,
        "activity_rows": int(ACTIVITY_ROWS * scale),
        "activity_mb": size_mb,
        "ingest": ingest,
    }


def table(results: list[dict], args: argparse.Namespace, memory: list[dict] | None = None) -> str:
    lines = [
        "# Ingest benchmark",
        "",
        f"Sample: {args.schools} schools, {args.years} years, {args.activity_schools} schools "
        f"with activity records (seed 1). Machine: {platform.machine()}, "
        f"Python {platform.python_version()}. Each load in a fresh process.",
        "",
        "| dress | files | MB | rows read | bare read_csv s | ingest s | ratio | target | "
        "ingest peak RSS MB | quarantined | result |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = r["ingest"]["seconds"] / r["bare"]["seconds"]
        target = TARGETS[r["dress"]]
        peak = r["ingest"]["peak_mb"]  # None: not measured in the run these figures come from
        ok = ratio <= target and (peak is None or peak < PEAK_LIMIT_MB)
        lines.append(
            f"| {r['dress']} | {r['files']} | {r['size_mb']:.0f} | {r['ingest']['rows']:,} | "
            f"{r['bare']['seconds']:.1f} | {r['ingest']['seconds']:.1f} | {ratio:.2f}x | "
            f"<= {target}x | {'not measured' if peak is None else f'{peak:.0f}'} | "
            f"{r['ingest']['quarantined']} | "
            f"{'pass' if ok else 'FAIL'} |"
        )
    if memory:
        lines += [
            "",
            "| activity rows | file MB | ingest s | peak RSS MB | limit MB | result |",
            "|---|---|---|---|---|---|",
        ]
        for m in memory:
            peak = m["ingest"]["peak_mb"]
            lines.append(
                f"| {m['activity_rows']:,} | {m['activity_mb']:.0f} | {m['ingest']['seconds']:.1f} "
                f"| {peak:.0f} | {PEAK_LIMIT_MB} | {'pass' if peak < PEAK_LIMIT_MB else 'FAIL'} |"
            )
    lines += profile_table(results)
    numbered = [r for r in results if r.get("numbered")]
    if numbered:
        lines += [
            "",
            "The same files read with a line number on each row (by polars, as the ingest reads "
            "them) and stored by DuckDB, with no rule, type check or normalisation: "
            + ", ".join(
                f"{r['dress']} {r['numbered']['seconds']:.1f} s "
                f"({r['numbered']['seconds'] / r['bare']['seconds']:.2f}x the bare load)"
                for r in numbered
            ),
        ]
    timed = [r for r in results if "cpu_s" in r["ingest"] and "cpu_s" in r["bare"]]
    if timed:
        lines += [
            "",
            "CPU time of every thread, ingest / bare load: "
            + ", ".join(
                f"{r['dress']} {r['ingest']['cpu_s']:.1f} s / {r['bare']['cpu_s']:.1f} s "
                f"({r['ingest']['cpu_s'] / r['bare']['cpu_s']:.2f}x)"
                for r in timed
            ),
        ]
    kernel = [r for r in timed if "sys_s" in r["ingest"] and "sys_s" in r["bare"]]
    if kernel:
        lines += [
            "",
            "Of which in the kernel (page faults on memory allocated afresh, reading files, "
            "threads switching), ingest / bare load: "
            + ", ".join(
                f"{r['dress']} {r['ingest']['sys_s']:.1f} s / {r['bare']['sys_s']:.1f} s"
                for r in kernel
            ),
        ]
    lines += [
        "",
        "Bare load rows (sanity): "
        + ", ".join(f"{r['dress']} {r['bare']['rows']:,}" for r in results),
        "Sample generation s: " + ", ".join(f"{r['dress']} {r['generate_s']:.0f}" for r in results),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=34_700)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--activity-schools", type=int, default=2000)
    parser.add_argument("--dresses", default="utf8,cp932")
    parser.add_argument("--shapes", default="small,large,memory")
    parser.add_argument("--scale", type=float, default=1.0, help="large shape: x 3.2 M activities")
    parser.add_argument("--big-scale", type=float, default=10.0, help="memory: the larger file")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: temp)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "ingest.md")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="shirube-bench-"))
    shapes = args.shapes.split(",")
    results: list[dict] = []
    memory: list[dict] = []
    try:
        if "small" in shapes:
            results += [measure(d, work / d, args) for d in args.dresses.split(",")]
        if "large" in shapes:
            for dress in args.dresses.split(","):
                encoding = "cp932" if dress == "cp932" else "utf-8"
                results.append(measure_large(encoding, work / f"{dress}-large", args))
        if "memory" in shapes:
            for scale in (args.scale, args.scale * args.big_scale):
                memory.append(measure_memory(scale, work / f"memory{scale}"))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    report = table(results, args, memory)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    if args.json:
        figures = {
            "targets": TARGETS,
            "results": results,
            "memory": memory,
            "peak_limit_mb": PEAK_LIMIT_MB,
        }
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
