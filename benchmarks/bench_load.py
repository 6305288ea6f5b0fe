"""Load test of the dashboard: concurrent users on one `shirube serve` while an ingest and a
rebuild run (issue 8).

    python benchmarks/bench_load.py --db PATH [--sessions 30] [--seconds 120] [--ingest DIR]
        [--think 5-15] [--browsers 2] [--seed 1] [--writer-at 15] [--writer-nice 19]
        [--settle 10] [--warm-up] [--publish-only [--publishes 1]]
        [--out benchmarks/out/load.md]

Starts one real `shirube serve --no-auth` on a free loopback port, opens `--sessions` Streamlit
websocket clients (benchmarks/load_client.py) and `--browsers` headless Chromium users, all
visiting the pages in a seeded random order with real filter values from the published snapshot
and a think time between views. About 15 s in, `shirube ingest` (of --ingest, or of a freshly
generated sample that yields new rows) and then `shirube build` run as separate processes, as a
scheduled writer would. The load lasts `--seconds`, and at least `--settle` s past the end of
the build, so that sessions are seen reading the new snapshot. What counts as an error: see
load_client. The server's memory (the process and its children) is sampled every second; the
tracebacks in its log are collected, and when it was stuck at the end (views timing out, none
finishing), a SIGABRT with Python's fault handler on records where its threads were.
`--publish-only` replaces the ingest and the build by `--publishes` bare publishes (a copy of the
current snapshot file under a new version, made current as `shirube build` does, 20 s apart):
the moment every session misses the cache at once, in seconds instead of a full rebuild. Writes a
markdown table to --out and the raw figures to a .json beside it. Exit status 0 when the run
completes, whether or not the targets are met.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, not by pytest: the live-server helper lives with the browser tests (the
# packages come from the editable install; benchmarks/ is the script's own folder).
if str(ROOT / "tests" / "browser") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests" / "browser"))

from bare_publish import publish_copy  # noqa: E402
from live_server import start_server, stop_server  # noqa: E402
from load_client import (  # noqa: E402
    StreamlitSession,
    ViewResult,
    browser_user,
    page_requests,
    run_user,
    visit_each_page,
    warehouse_values,
)
from load_report import render_markdown, summarise  # noqa: E402

from pipelines.warehouse import current_snapshot  # noqa: E402

OUT = ROOT / "benchmarks" / "out" / "load.md"


@dataclass
class WriterRun:
    """One `shirube` writer command run during the load."""

    command: str
    started: float | None = None  # seconds since the load began
    ended: float | None = None
    exit_code: int | None = None
    rows_loaded: int | None = None
    files: dict[str, int] = field(default_factory=dict)  # status -> count (ingest only)
    not_loaded: list[str] = field(default_factory=list)  # "path: reason" of refused files
    output_tail: str = ""


class Writer(threading.Thread):
    """Runs `shirube ingest --json` then `shirube build` on the DB, `start_at` seconds in."""

    def __init__(
        self,
        db: Path,
        files: list[Path],
        start_at: float,
        clock,
        stop: threading.Event,
        nice: int = 0,
    ):
        super().__init__(name="writer", daemon=True)
        self.db, self.files, self.start_at, self.clock, self.stop = db, files, start_at, clock, stop
        self.nice = nice
        self.runs = [WriterRun("ingest"), WriterRun("build")]
        self.process: subprocess.Popen | None = None
        self.done = threading.Event()
        self.publishes = 0  # > 0: bare publishes instead of ingest and build

    def _publish_copies(self, every: float = 20.0) -> None:
        """Publish a copy of the current snapshot under a new version, `publishes` times."""
        self.runs = []
        for n in range(self.publishes):
            if n and self.stop.wait(every):
                return
            record = WriterRun("publish", started=self.clock())
            old, new = publish_copy(self.db, n)
            record.ended, record.exit_code = self.clock(), 0
            record.output_tail = f"{old} -> {new}"
            self.runs.append(record)

    def run(self) -> None:
        try:
            if self.stop.wait(max(0.0, self.start_at - self.clock())):
                return
            if self.publishes:
                self._publish_copies()
                return
            ingest, build = self.runs
            self._run(ingest, ["ingest", "--json", "--db", str(self.db), *map(str, self.files)])
            # Exit 1 means some files were refused; the others are loaded, so build as a
            # scheduled writer would.
            if ingest.exit_code in (0, 1) and not self.stop.is_set():
                self._run(build, ["build", "--db", str(self.db)])
        finally:
            self.done.set()

    def _run(self, record: WriterRun, arguments: list[str]) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "shirube.cli", *arguments]
        record.started = self.clock()
        if self.nice:
            # As a scheduled writer sharing a machine with a dashboard should run (systemd
            # Nice=, `nice` in cron; docs/deployment.md): it yields the CPU to people's pages.
            command = ["nice", "-n", str(self.nice), *command]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        out, err = self.process.communicate()
        record.ended, record.exit_code = self.clock(), self.process.returncode
        record.output_tail = (err or out)[-2000:]
        if record.command == "ingest" and out.strip():
            try:
                files = json.loads(out)["files"]
            except (json.JSONDecodeError, KeyError):
                return
            record.rows_loaded = sum(f["rows_loaded"] for f in files)
            for f in files:
                record.files[f["status"]] = record.files.get(f["status"], 0) + 1
                if f["status"] != "loaded":
                    record.not_loaded.append(f"{f['path']}: {f['reason']}")

    def terminate(self) -> None:
        self.stop.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    total_kb, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except (FileNotFoundError, ProcessLookupError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
        for task in tasks:
            try:
                pending += [int(c) for c in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                pass
    return total_kb / 1024


def logged_errors(log: str) -> list[dict]:
    """The distinct tracebacks in the server log: the message before each, the traceback, and
    how often the same final line occurred."""
    lines = [line for line in log.splitlines() if "missing ScriptRunContext" not in line]
    found: dict[str, dict] = {}
    for i, line in enumerate(lines):
        if not line.startswith("Traceback (most recent call last):"):
            continue
        end = next((j for j in range(i + 1, len(lines)) if not lines[j].startswith(" ")), i)
        last = lines[end] if end < len(lines) else ""
        entry = found.setdefault(
            last, {"message": lines[i - 1] if i else "", "traceback": lines[i : end + 1]}
        )
        entry["count"] = entry.get("count", 0) + 1
    return list(found.values())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_stuck(views: list[ViewResult]) -> bool:
    """True when views timed out and none finished after the latest timed-out one began."""
    timed_out = [v.started for v in views if v.error and "no script_finished" in v.error]
    finished = [v.started + v.seconds for v in views if v.error is None]
    return bool(timed_out) and max(finished, default=0.0) < max(timed_out)


def stuck_thread_stacks(log: str, frames: int = 14) -> list[str]:
    """After a SIGABRT with the fault handler on: the stacks (most recent call first) of the
    threads that were running dashboard code, and of the event loop's thread."""
    dump = log.partition("Fatal Python error: Aborted")[2]
    blocks = re.split(r"\n(?=Thread 0x|Current thread 0x)", dump)[1:]
    # The current thread is the event loop's (every websocket waits on it).
    kept = [b for b in blocks if "/dashboard/" in b or b.startswith("Current")]
    return ["\n".join(b.splitlines()[: frames + 1]) for b in kept]


def sample_memory(pid: int, samples: list[float], stop: threading.Event) -> None:
    while not stop.wait(1.0):
        samples.append(tree_rss_mb(pid))


def new_sample_files(folder: Path, seed: int) -> list[Path]:
    """A small fresh sample. Its seed differs from run to run, so its bytes (and rows) are new
    to the warehouse: ingest refuses only byte-identical files as duplicates."""
    from pipelines.sample import generate_sample

    generate_sample(folder, schools=100, years=1, seed=seed, dresses="utf8")
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in {".csv", ".xlsx"})


def run_load(
    db: Path,
    *,
    sessions: int,
    seconds: float,
    ingest_files: list[Path],
    think: tuple[float, float],
    browsers: int = 0,
    seed: int = 1,
    writer_at: float = 15.0,
    writer_nice: int = 0,
    settle_after: float = 10.0,
    warm_up: bool = False,
    publishes: int = 0,
    scratch: Path,
) -> dict:
    """Run the load and return its summary (see `summarise`). The load lasts `seconds`, and
    `settle_after` seconds past the end of the build. `warm_up`: one session first visits every
    page once, alone, before the clock starts (not counted)."""
    db = db.resolve()
    values = warehouse_values(db, seed=seed)
    pages = page_requests()
    views: list[ViewResult] = []
    memory: list[float] = []
    stop = threading.Event()
    version = lambda: (current_snapshot(db) or (None,))[0]  # noqa: E731
    first_version = version()
    clock_start = [time.monotonic()]
    clock = lambda: time.monotonic() - clock_start[0]  # noqa: E731
    writer = Writer(db, ingest_files, writer_at, clock, stop, nice=writer_nice)
    writer.publishes = publishes

    def until() -> bool:
        ended = max((r.ended or 0.0 for r in writer.runs), default=0.0)
        return stop.is_set() or (
            clock() >= seconds and writer.done.is_set() and clock() >= ended + settle_after
        )

    async def all_users() -> None:
        users = (
            run_user(
                StreamlitSession(url, f"ws-{i + 1}"),
                pages,
                values,
                random.Random(seed * 100_000 + i),
                think,
                clock,
                until,
                version,
                views,
            )
            for i in range(sessions)
        )
        await asyncio.gather(*users)

    # With the fault handler on, SIGABRT makes a stuck server print every thread's stack.
    os.environ["PYTHONFAULTHANDLER"] = "1"
    process, url = start_server(db, scratch / "server.log", "--no-auth")
    threads = [
        threading.Thread(target=sample_memory, args=(process.pid, memory, stop), daemon=True)
    ]
    threads += [
        threading.Thread(
            target=browser_user,
            args=(url, pages, values, seed * 1000 + i, think, clock, until, version, views),
            kwargs={"name": f"chromium-{i + 1}"},
            daemon=True,
        )
        for i in range(browsers)
    ]
    try:
        warm_up_errors = asyncio.run(visit_each_page(url, pages)) if warm_up else []
        clock_start[0] = time.monotonic()
        cpu_before = cpu_seconds(process.pid), time.process_time()
        writer.start() if ingest_files or publishes else writer.done.set()
        for thread in threads:
            thread.start()
        asyncio.run(all_users())
        while not until():  # no websocket sessions: the browsers alone set the pace
            time.sleep(0.5)
        duration = clock()
        # Over 1 core-second per second means the server's Python (one GIL) is saturated.
        cpu = {
            "server": round(cpu_seconds(process.pid) - cpu_before[0], 1),
            "harness": round(time.process_time() - cpu_before[1], 1),
        }
    finally:
        stop.set()
        writer.terminate()
        for thread in (t for t in [writer, *threads] if t.is_alive()):
            thread.join(timeout=90)
        if server_stuck(views):
            os.kill(process.pid, signal.SIGABRT)  # record where its threads are
            process.wait(timeout=30)
        stop_server(process)
    log = (scratch / "server.log").read_text(errors="replace")
    server_errors = logged_errors(log)
    hang_dump = stuck_thread_stacks(log)
    return summarise(
        views=views,
        memory=memory,
        writer=[asdict(r) for r in writer.runs] if ingest_files or publishes else [],
        versions=(first_version, version()),
        config={
            "db": str(db),
            "sessions": sessions,
            "browsers": browsers,
            "seconds": seconds,
            "duration": round(duration, 1),
            "think": list(think),
            "seed": seed,
            "ingest_files": len(ingest_files),
            "warm_up": warm_up,
            "writer_nice": writer_nice,
            "publishes": publishes,
        },
        machine={
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "streamlit": _version("streamlit"),
            "duckdb": _version("duckdb"),
            "load_average_end": round(os.getloadavg()[0], 2),
            "cpu_seconds": cpu,
        },
        server_errors=server_errors,
        warm_up_errors=warm_up_errors,
        stuck_threads=hang_dump,
    )


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _think(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a built warehouse")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--ingest", type=Path, help="files to ingest during the load")
    # People read a chart or a table before their next click; 5-15 s is a brisk coordinator.
    # bench_all.py also runs a stress pass at 2-5 s to show where one server saturates.
    parser.add_argument("--think", type=_think, default=(5.0, 15.0), help="seconds, e.g. 5-15")
    parser.add_argument("--browsers", type=int, default=2, help="headless Chromium users")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--writer-at", type=float, default=15.0, help="start ingest after s")
    parser.add_argument(
        "--writer-nice", type=int, default=19, help="CPU niceness of ingest and build (0: none)"
    )
    parser.add_argument("--settle", type=float, default=10.0, help="load after the build, s")
    parser.add_argument(
        "--warm-up", action="store_true", help="visit each page once before the load (uncounted)"
    )
    parser.add_argument(
        "--publish-only", action="store_true", help="bare publishes instead of ingest + build"
    )
    parser.add_argument("--publishes", type=int, default=1, help="with --publish-only")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if current_snapshot(args.db.resolve()) is None:
        parser.error(f"{args.db}: no published snapshot (run `shirube build --db {args.db}`)")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        scratch = Path(folder)
        if args.publish_only:
            files = []
        elif args.ingest:
            files = [args.ingest]  # `shirube ingest` finds the files in a folder itself
        else:
            files = new_sample_files(scratch / "ingest", seed=time.time_ns() % 2**31)
        try:
            summary = run_load(
                args.db,
                sessions=args.sessions,
                seconds=args.seconds,
                ingest_files=files,
                think=args.think,
                browsers=args.browsers,
                seed=args.seed,
                writer_at=args.writer_at,
                writer_nice=args.writer_nice,
                settle_after=args.settle,
                warm_up=args.warm_up,
                publishes=args.publishes if args.publish_only else 0,
                scratch=scratch,
            )
        except KeyboardInterrupt:  # run_load has stopped the server and the writer
            print("interrupted", file=sys.stderr)
            return 130
    text = render_markdown(summary)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
