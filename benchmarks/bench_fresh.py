"""Freshness: from one school's one-row return file arriving to the dashboard's snapshot showing
it (`shirube ingest` + `shirube build`, which publishes), at two warehouse sizes.

    python benchmarks/bench_fresh.py [--fractions 0.5,1] [--warehouse PATH] [--json PATH]
                                     [--out PATH]

For each size, raw rows for the national schools are generated in SQL (bench_build_data.py),
or, with `--warehouse` (e.g. the national warehouse `make bench`'s ingest step writes), that
warehouse is copied; below 1x, the raw rows of all but that share of its schools are deleted,
in two ways (SUBSETS), each a part of the whole: whole hubs kept, as a warehouse grows when hubs
join (the target's comparison: one school's file is then the same change at both sizes, its
hub's schools included), and every hub halved (reported beside it: there the school's hub holds
twice the schools in the whole, and so does the change). A full build publishes the first
snapshot, another school's file is ingested and built (untimed: a writer's first file after
opening a warehouse pays once for what later files find ready), then a one-row return file of
one school (a resubmission of its latest year, term 3) is ingested through the real ingest and
the build runs as `shirube build` does (incremental unless something forbids it: see
pipelines/build/incremental.py); five schools' files, taken in turns at every size (a file at
each size, then the next school's at each), the median reported (one sub-second sample on a
shared machine is as much noise as build, and a slow moment then falls on every size alike,
not on one size's files). The schools are chosen on the first smaller warehouse among those
both smaller ones keep, and the same schools' files are timed at every size. Each file's row
is then read back from the published snapshot.
On the largest warehouse two more schools' files follow: one through the two commands a
writer's timer runs (`shirube ingest`, `shirube build`, each a new process), one built with the
next day's date, as the first file of a morning is (a new build date moves the stale-data flags).
Target (issue 17): under 5 s, and not growing with the warehouse (the two sizes' ratio near 1).

`--json` writes {"figures": [one per size and subset], "growth": fresh s largest / smallest
with whole hubs, "growth_every_hub_halved", "target_seconds"}; each figure: fraction, subset
("hubs", "schools" or "all"), schools (nth -> the school timed), source, raw_rows,
full_build_seconds, full_publish_seconds, full_build_cpu_seconds, ingest_seconds,
build_seconds, model_seconds, audit_seconds, publish_seconds, fresh_seconds (ingest + build +
publish; the median of fresh_samples, whose build the other fields describe), fresh_cpu_seconds,
load_average, file_status, build_full, build_reason, published_whole, publish_written_mb and
snapshot_mb (the part files the publish wrote, and all the version names), shown (the row
reached the snapshot), version, slowest / rebuilt (model, seconds), audits_run, publish_steps and
audit_steps (step, seconds); the largest also commands (another file through the two
commands, each a new process: ingest_seconds, build_seconds, fresh_seconds, exit_codes,
shown) and next_day (the next day's file: fresh_seconds,
build_seconds, build_full, build_reason, model/audit/publish_seconds, shown, rebuilt).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
from bench_build_data import load_raw, school_frame
from fresh_report import TARGET_SECONDS, page_lines

from pipelines.build import build_warehouse
from pipelines.ingest.api import ingest_files
from pipelines.settings import default_framework
from pipelines.snapshot_files import MAX_LAYERS, files_of, read_layers
from pipelines.warehouse import connect_writer, current_snapshot, open_snapshot, writer_lock


def cpu_seconds() -> float:
    """CPU time of this process, all threads: steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# The schools whose one-row files are timed (the n-th school of one_school_file); 2 is the
# warm-up's, 3 and 1 the command-line and next-day files'.
SAMPLE_SCHOOLS = (0, 4, 5, 6, 7)


def one_school_file(
    folder: Path, db_path: Path, nth: int = 0, school: str | None = None, every: int | None = None
) -> tuple[Path, str, int]:
    """A one-row return file (term 3) for the `nth` school (0: the first) with a return in the
    latest year, among those that have returned a term 3 before (the file changes no calendar);
    or for `school`, chosen so in a smaller copy of this warehouse (which has all its rows)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        school, year = con.execute(
            "select distinct school_code, academic_year from raw.returns "
            "where academic_year = (select max(academic_year) from raw.returns) "
            "and school_code in (select school_code from raw.returns where term = 3) "
            "and (school_code = $school or $school is null) "
            "and (hash(school_code) % $every = 0 or $every is null) "
            "order by school_code limit 1 offset $nth",
            {"school": school, "nth": 0 if school else nth, "every": every},
        ).fetchone() or (None, None)
    if school is None or year is None:
        raise SystemExit(f"no school with a term-3 return in the latest year (nth {nth}, {school})")
    framework = default_framework()
    ids = [b.id for b in framework.benchmarks]
    path = folder / f"returns_{school}_{year}.csv"
    header = ["school_code", "academic_year", "term", "submitted_on", *ids, "framework"]
    row = [school, str(year), "3", f"{year + 1}-02-20", *["100.0"] * len(ids), framework.version]
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    return path, school, year


def snapshot_sizes(manifest: Path, version: str) -> tuple[float, float]:
    """(MB of part files this version wrote, MB of every part it names): what a publish wrote
    against the whole snapshot it published (unchanged marts' files are reused)."""
    files = {f for named in files_of(manifest).values() for f in named}
    sizes = [((manifest.parent / f).stat().st_size, Path(f).stem == version) for f in files]
    total = sum(size for size, _ in sizes)
    return sum(size for size, new in sizes if new) / 1e6, total / 1e6


def prepare(db_path: Path, fraction: float, subset: str = "hubs") -> dict[str, int]:
    """Generated raw rows for the national schools, then every school's but about `fraction`
    of them deleted as from a copy (keep_fraction): each size keeps the same schools' rows, so a
    smaller warehouse is a part of a larger one."""
    with writer_lock(db_path):
        con = connect_writer(db_path)
        load_raw(con, school_frame())
        # The generated rows take file ids directly: move the sequence past them.
        top = con.execute("select max(file_id) from raw.ingest_log").fetchone()[0]
        con.execute("drop sequence raw.file_seq")
        con.execute(f"create sequence raw.file_seq start {int(top) + 1}")
        counts = keep_fraction(con, fraction, subset)
        con.close()
    return counts


def copy_warehouse(
    source: Path, db_path: Path, fraction: float, subset: str = "hubs"
) -> dict[str, int]:
    """A copy of an ingested warehouse keeping every raw row of about `fraction` of its schools
    (keep_fraction), and nothing else of the other schools."""
    shutil.copyfile(source, db_path)
    with writer_lock(db_path):
        con = connect_writer(db_path)
        counts = keep_fraction(con, fraction, subset)
        con.close()
    return counts


# How a smaller warehouse keeps about a fraction of the national schools: "hubs" keeps whole hubs
# (and, of the schools in none, whole schools), as a warehouse grows when hubs join; "schools"
# keeps that share of every hub's schools, so each hub also holds fewer.
SUBSETS = ("hubs", "schools")
SUBSET_LABELS = {"hubs": "whole hubs", "schools": "every hub halved", "all": ""}


def keep_fraction(
    con: duckdb.DuckDBPyConnection, fraction: float, subset: str = "hubs"
) -> dict[str, int]:
    """Delete every raw row but those of about `fraction` of the schools, chosen by a hash of
    their hub's code (`subset` "hubs") or of their own ("schools"): a smaller fraction keeps a
    part of a larger one's schools. The row counts."""
    if fraction < 1:
        every = max(1, round(1 / fraction))
        unit = "coalesce(max(hub_code), school_code)" if subset == "hubs" else "school_code"
        con.execute(
            "create or replace temp table kept_schools as select school_code from raw.schools "
            f"group by school_code having hash({unit}) % {every} = 0"
        )
        drop = "school_code not in (select school_code from kept_schools)"
        for table in ("schools", "returns", "activities", "roster", "skill_assessments"):
            con.execute(f"delete from raw.{table} where {drop}")
        con.execute(
            f"delete from raw.criteria_drafts where {drop}; delete from raw.student_links "
            f"where {drop.replace('school_code not', 'from_school_code not')} "
            f"or {drop.replace('school_code not', 'to_school_code not')}"
        )
        for child, parent in (
            ("return_scores", "returns"),
            ("criterion_answers", "returns"),
            ("skill_steps", "skill_assessments"),
        ):
            con.execute(
                f"delete from raw.{child} where (file_id, row_number) not in "
                f"(select (file_id, row_number) from raw.{parent})"
            )
        con.execute("drop table kept_schools")
        con.execute("checkpoint")
    return {
        t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
        for t in ("schools", "returns", "return_scores", "roster", "activities")
    }


@dataclass
class Size:
    """One warehouse size under test: its copy, its full build, and its timed files."""

    fraction: float
    subset: str
    folder: Path
    db_path: Path
    counts: dict[str, int]
    full: object  # the full build's BuildResult
    full_cpu: float
    today: date
    samples: list[dict] = field(default_factory=list)


def set_up(fraction: float, work: Path, warehouse: Path | None, subset: str = "hubs") -> Size:
    """A copy of the warehouse keeping about `fraction` of its schools (`subset`: how; see
    SUBSETS), or generated rows, and its full build (below 1x some raw rows were deleted)."""
    folder = work / f"fresh_{fraction:g}_{subset}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db_path = folder / "fresh.duckdb"
    if warehouse is not None:
        counts = copy_warehouse(warehouse, db_path, fraction, subset)
    else:
        counts = prepare(db_path, fraction, subset)
    cpu0 = cpu_seconds()
    today = datetime.now(UTC).date()
    full = build_warehouse(db_path, lang="en", full=True, build_date=today)
    return Size(fraction, subset, folder, db_path, counts, full, cpu_seconds() - cpu0, today)


def school_file(size: Size, nth: int, schools: dict[int, str], every: int | None):
    """The nth school's one-row file for this size: the school chosen at the first size that
    asked (kept in `schools`), so every size times the same schools' files (a school without a
    hub changes its own flags; one in a hub, every school's of its hub: comparing the two is not
    comparing sizes). `every`: choose only schools both smaller subsets keep (a hash of the
    school code divisible by it)."""
    path, school, year = one_school_file(
        size.folder, size.db_path, nth=nth, school=schools.get(nth), every=every
    )
    schools[nth] = school
    return path, school, year


def warm_up(size: Size, schools: dict[int, str], every: int | None) -> None:
    """A writer's first file after it opens a warehouse pays once for what later files find
    ready (0.27 s against 0.09 s for the ingest, measured on the half-size copy): another
    school's file is ingested and built first, untimed, at each size alike."""
    path, _school, _year = school_file(size, 2, schools, every)
    ingest_files([path], size.db_path, lang="en")
    build_warehouse(size.db_path, lang="en", build_date=size.today)


def take_sample(size: Size, nth: int, schools: dict[int, str], every: int | None) -> None:
    """The nth school's one-row file ingested and built, timed until it is published."""
    path, school, year = school_file(size, nth, schools, every)
    started, cpu0 = time.perf_counter(), cpu_seconds()
    results = ingest_files([path], size.db_path, lang="en")
    ingest_seconds = time.perf_counter() - started
    build = build_warehouse(size.db_path, lang="en", build_date=size.today)
    total, fresh_cpu = time.perf_counter() - started, cpu_seconds() - cpu0
    version, snap = current_snapshot(size.db_path)
    size.samples.append(
        {
            "total": total,
            "cpu": fresh_cpu,
            "ingest": ingest_seconds,
            "results": results,
            "build": build,
            "sizes": snapshot_sizes(snap, version),
            "shown": is_shown(snap, school, year),
            "version": version,
            "load": os.getloadavg()[0],  # when this size's file was done, not when all were
        }
    )


def figure_of(size: Size, schools: dict[int, str], source: str) -> dict[str, object]:
    """The size's figure: the median of its samples (whose build the other fields describe)."""
    samples = size.samples
    median = sorted(samples, key=lambda sample: sample["total"])[len(samples) // 2]
    build, (written_mb, snapshot_mb) = median["build"], median["sizes"]
    results = median["results"]
    subset = size.subset if size.fraction < 1 else "all"
    return {
        "fraction": size.fraction,
        "subset": subset,
        "subset_label": SUBSET_LABELS[subset],
        "source": source,
        "raw_rows": size.counts,
        "full_build_seconds": size.full.seconds,
        "full_publish_seconds": size.full.publish_seconds,
        "full_build_cpu_seconds": size.full_cpu,
        "fresh_cpu_seconds": median["cpu"],
        "load_average": median["load"],
        "file_status": results[0].status if results else "none",
        "ingest_seconds": median["ingest"],
        "build_seconds": build.seconds,
        "build_full": build.full,
        "build_reason": build.reason,
        "published_whole": build.published_whole,
        "model_seconds": sum(s for _, s in build.model_seconds),
        "audit_seconds": build.audit_seconds,
        "publish_seconds": build.publish_seconds,
        "publish_written_mb": written_mb,
        "snapshot_mb": snapshot_mb,
        "fresh_seconds": median["total"],
        "fresh_samples": [round(sample["total"], 3) for sample in samples],
        "schools": dict(schools),
        "shown": all(sample["shown"] for sample in samples),
        "version": median["version"],
        "slowest": sorted(build.model_seconds, key=lambda m: -m[1])[:6],
        # Every model the incremental build rebuilt ("schema.name [years]"), with its seconds.
        "rebuilt": [(name, round(sec, 3)) for name, sec in build.model_seconds],
        "audits_run": len(build.audits),
        # Where publishing's seconds went: each changed mart's new file ("marts.name": a copy of
        # that mart's previous file with the changed rows replaced, or the mart written whole),
        # meta.snapshot, then "manifest, pointer and pruning"; unchanged marts' files are reused.
        "publish_steps": [(name, round(sec, 3)) for name, sec in build.publish_steps],
        "audit_steps": [(name, round(sec, 3)) for name, sec in build.audit_steps],
    }


def measure_all(
    plan: list[tuple[float, str]], work: Path, warehouse: Path | None, every: int | None
) -> list[dict[str, object]]:
    """Every size of `plan` set up first, then the timed files taken in turns (one at each
    size, then the next school's at each size...): a moment when the shared machine is slow
    then falls on every size alike, not on one size's files (one publish once took 0.13 s in
    the whole warehouse's median file and 0.01 s at half size, and the ratio moved from 1.12x
    to 1.35x between two runs of the same code). The largest size then takes two more files:
    one through the two commands, one on the next day."""
    sizes = [set_up(fraction, work, warehouse, subset) for fraction, subset in plan]
    schools: dict[int, str] = {}
    for size in sizes:
        warm_up(size, schools, every)
    for nth in SAMPLE_SCHOOLS:
        for size in sizes:
            take_sample(size, nth, schools, every)
    source = "warehouse copy" if warehouse is not None else "generated"
    figures = [figure_of(size, schools, source) for size in sizes]
    largest, last = sizes[-1], figures[-1]
    last["commands"] = as_the_timer_runs_it(largest.folder, largest.db_path)
    next_day = largest.today + timedelta(days=1)
    last["next_day"] = first_file_of_next_day(largest.folder, largest.db_path, next_day)
    last["compaction"] = file_that_compacts(largest.folder, largest.db_path, next_day)
    for figure in figures:
        print(json.dumps(figure, indent=1, default=str))
    for size in sizes:
        shutil.rmtree(size.folder, ignore_errors=True)
    return figures


def is_shown(snapshot: Path, school: str, year: int) -> bool:
    """The one-row file's return is in the published snapshot."""
    with open_snapshot(snapshot) as con:
        return bool(
            con.execute(
                "select count(*) from marts.return_history where school_code = ? "
                "and academic_year = ? and term = 3 and submitted_on = ?",
                [school, year, date(year + 1, 2, 20)],
            ).fetchone()[0]
        )


def as_the_timer_runs_it(folder: Path, db_path: Path) -> dict[str, object]:
    """Another school's one-row file through the two commands a writer's timer runs
    (`shirube ingest FILE` then `shirube build`), each a new process: what the in-process
    figure leaves out (starting Python, imports, opening the warehouse) is in here."""
    path, school, year = one_school_file(folder, db_path, nth=3)
    command = [sys.executable, "-m", "shirube"]
    started = time.perf_counter()
    ingest = subprocess.run(
        [*command, "ingest", str(path), "--db", str(db_path), "--lang", "en"],
        capture_output=True,
        check=False,
    )
    ingested = time.perf_counter()
    build = subprocess.run(
        [*command, "build", "--db", str(db_path), "--lang", "en"], capture_output=True, check=False
    )
    done = time.perf_counter()
    return {
        "ingest_seconds": ingested - started,
        "build_seconds": done - ingested,
        "fresh_seconds": done - started,
        "exit_codes": [ingest.returncode, build.returncode],
        "shown": is_shown(current_snapshot(db_path)[1], school, year),
    }


def first_file_of_next_day(folder: Path, db_path: Path, day: date) -> dict[str, object]:
    """The next school's one-row file, built on the next day: the build date moves the
    stale-data flags, so this is the first file a writer sees each morning."""
    path, school, year = one_school_file(folder, db_path, nth=1)
    started = time.perf_counter()
    ingest_files([path], db_path, lang="en")
    build = build_warehouse(db_path, lang="en", build_date=day)
    total = time.perf_counter() - started
    return {
        "build_date": day.isoformat(),
        "fresh_seconds": total,
        "build_seconds": build.seconds,
        "build_full": build.full,
        "build_reason": build.reason,
        "model_seconds": sum(s for _, s in build.model_seconds),
        "audit_seconds": build.audit_seconds,
        "publish_seconds": build.publish_seconds,
        "shown": is_shown(current_snapshot(db_path)[1], school, year),
        "rebuilt": [(name, round(sec, 3)) for name, sec in build.model_seconds],
    }


def file_that_compacts(folder: Path, db_path: Path, day: date) -> dict[str, object]:
    """More schools' one-row files, one after another, until one's publish compacts a mart's
    layers (its change after MAX_LAYERS: that mart's file copied with every layer's rows
    replaced, as every publish did before layers): the file that pays for the ones before it."""
    for count in range(1, MAX_LAYERS + 2):
        before = read_layers(current_snapshot(db_path)[1])
        path, school, year = one_school_file(folder, db_path, nth=20 + count)
        started = time.perf_counter()
        ingest_files([path], db_path, lang="en")
        build = build_warehouse(db_path, lang="en", build_date=day)
        total = time.perf_counter() - started
        manifest = current_snapshot(db_path)[1]
        after = read_layers(manifest)
        compacted = [rel for rel, items in before.items() if len(items) >= MAX_LAYERS]
        if compacted and all(rel not in after for rel in compacted):
            return {
                "files": count,
                "compacted": len(compacted),
                "fresh_seconds": total,
                "build_seconds": build.seconds,
                "publish_seconds": build.publish_seconds,
                "shown": is_shown(manifest, school, year),
            }
    return {"files": MAX_LAYERS + 1, "compacted": 0, "fresh_seconds": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fractions", default="0.5,1")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument(
        "--warehouse", type=Path, default=None, help="an ingested warehouse to copy (read only)"
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "fresh.md")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_fresh"))
    fractions = [float(f) for f in args.fractions.split(",")]
    # The largest warehouse also takes a second file on the next day (the build date moved).
    fractions.sort()  # the smallest first: its schools' files are timed at every size
    every = max(1, round(1 / fractions[0]))
    # Below 1x, both ways of keeping a fraction (SUBSETS), whole hubs first; the timed schools
    # are chosen there among those the other way keeps too, and timed at every size.
    plan = [(f, subset) for f in fractions if f < 1 for subset in SUBSETS]
    plan += [(f, "hubs") for f in fractions if f >= 1]
    figures = measure_all(plan, work, args.warehouse, every if fractions[0] < 1 else None)
    small, large = figures[0], figures[-1]
    growth = large["fresh_seconds"] / small["fresh_seconds"] if small["fresh_seconds"] else 0
    halved = next((f for f in figures if f["subset"] == "schools"), None)
    halved_seconds = halved["fresh_seconds"] if halved else 0
    growth_halved = large["fresh_seconds"] / halved_seconds if halved_seconds else 0
    lines = page_lines(figures, growth, growth_halved)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    if args.json:
        payload = {
            "figures": figures,
            "growth": growth,
            "growth_every_hub_halved": growth_halved,
            "target_seconds": TARGET_SECONDS,
        }
        args.json.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
