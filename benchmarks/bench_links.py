"""Build time with student links and cumulative coverage at the national (`make bench`) scale.

The raw rows of benchmarks/bench_build_data.py (34,709 schools, roster and activities for 2,000
junior highs over five years) plus the rolls of 1,000 high schools (~100 students a grade) and
student links: each junior high's third-years of a year linked to the first-years of the high
schools of the same prefecture the next April (the n-th leaver to the n-th newcomer, as far as
both go). Builds twice and reports the whole build and
the models that journeys and cumulative coverage add.

Run: .venv/bin/python benchmarks/bench_links.py [--work DIR (emptied first)]
        [--out benchmarks/out/links.md]
        [--json benchmarks/out/links.json]   (`make bench` runs it as its `links` step)
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from bench_build_data import load_raw, school_frame

from pipelines.build import build_warehouse
from pipelines.warehouse import connect_writer

NEW_MODELS = (
    "staging.stg_raw__student_links",
    "intermediate.int_student_links",
    "intermediate.int_journeys",
    "marts.coverage",
    "marts.cumulative_coverage",
    "marts.area_cumulative_coverage",
    "marts.journey_members",
    "marts.journey_activities",
    "marts.support_flags",
)


def add_links(con) -> int:
    con.execute("""
        insert into raw.roster
        select 800 + y.academic_year,
               (row_number() over (partition by y.academic_year
                                   order by s.school_code, g.grade, n.n))::integer + 1,
               s.school_code, y.academic_year::integer, 'H' || (y.academic_year - g.grade)
               || '-' || n.n, g.grade::integer
        from (select school_code from raw.schools where left(school_code, 2) = 'D1'
              order by school_code limit 1000) s
        cross join range(2021, 2026) y(academic_year)
        cross join range(1, 4) g(grade)
        cross join range(0, 100) n(n)
    """)
    con.execute("""
        create or replace temp table leavers as
        select school_code, academic_year + 1 as arrival_year, student_ref,
               row_number() over (partition by substr(school_code, 2 + 1, 2), academic_year
                                  order by school_code, student_ref) as n
        from raw.roster where left(school_code, 2) = 'C1' and grade = 3
    """)
    con.execute("""
        create or replace temp table arrivals as
        select school_code, academic_year, student_ref,
               row_number() over (partition by substr(school_code, 2 + 1, 2), academic_year
                                  order by school_code, student_ref) as n
        from raw.roster where left(school_code, 2) = 'D1' and grade = 1
    """)
    con.execute("""
        insert into raw.student_links
        select 900 + a.academic_year,
               (row_number() over (partition by a.academic_year
                                   order by a.school_code, a.student_ref))::integer + 1,
               l.school_code, l.student_ref, a.school_code, a.student_ref,
               make_date(a.academic_year, 4, 1)
        from arrivals a
        join leavers l on l.arrival_year = a.academic_year and l.n = a.n
             and substr(l.school_code, 3, 2) = substr(a.school_code, 3, 2)
    """)
    con.execute("""
        insert into raw.ingest_log
        select distinct file_id, 'bench' || file_id, 'bench_' || file_id || '.csv', null, null,
            'bench', 'loaded', 0, 0, 0, null, null, now()::timestamp, now()::timestamp, 'benchmark'
        from (select file_id from raw.student_links union select file_id from raw.roster
              where file_id between 2800 and 2899)
    """)
    return con.execute("select count(*) from raw.student_links").fetchall()[0][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_links"))
    shutil.rmtree(work, ignore_errors=True)  # a second load of the raw rows would double them
    work.mkdir(parents=True)
    db = work / "bench.duckdb"
    con = connect_writer(db)
    started = time.perf_counter()
    counts = load_raw(con, school_frame())
    counts["student_links"] = add_links(con)
    con.close()
    print(f"raw rows in {time.perf_counter() - started:.1f} s: {counts}")
    # Both full: the second build of an unchanged warehouse would otherwise be incremental and
    # rebuild nothing (0.3 s, no model timed), and "best of 2" would report that.
    builds = [build_warehouse(db, lang="en", full=True) for _ in range(2)]
    best = min(builds, key=lambda b: b.seconds)
    print(
        f"build (best of 2): {best.seconds:.2f} s ({', '.join(f'{b.seconds:.2f}' for b in builds)})"
    )
    timings = dict(best.model_seconds)
    for name in NEW_MODELS:
        print(f"  {name}: {timings.get(name, float('nan')):.2f} s")
    print(
        f"  all models: {sum(timings.values()):.2f} s; audits {best.audit_seconds:.2f} s; "
        f"publish {best.publish_seconds:.2f} s"
    )
    result = {
        "raw_rows": counts,
        "builds_seconds": [round(b.seconds, 2) for b in builds],
        "best_seconds": round(best.seconds, 2),
        "models_seconds": round(sum(timings.values()), 2),
        "audit_seconds": round(best.audit_seconds, 2),
        "publish_seconds": round(best.publish_seconds, 2),
        "new_models": {name: round(timings.get(name, float("nan")), 2) for name in NEW_MODELS},
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    if args.out:
        args.out.write_text(report(result), encoding="utf-8")


def report(result: dict) -> str:
    """The step's section of docs/performance.md."""
    rows = result["raw_rows"]
    lines = [
        "# Build with student links and cumulative coverage",
        "",
        "The national raw rows of `benchmarks/bench_build_data.py` (with `prepared`/`reflected`) "
        "plus the rolls of 1,000 high schools and student links from each junior high's leavers "
        "to the first-years of high schools of the same prefecture: "
        + ", ".join(f"{name} {count:,}" for name, count in rows.items())
        + " raw rows. Two full builds (`shirube build --full`) of the same warehouse; the faster "
        "one is reported.",
        "",
        "| step | seconds |",
        "|---|---|",
        f"| whole build (models, audits, publish), best of 2 | {result['best_seconds']:.1f} "
        f"({', '.join(f'{s:.1f}' for s in result['builds_seconds'])}) |",
        f"| all models | {result['models_seconds']:.1f} |",
        f"| audits | {result['audit_seconds']:.1f} |",
        f"| publish | {result['publish_seconds']:.1f} |",
        *(f"| `{name}` | {seconds:.2f} |" for name, seconds in result["new_models"].items()),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
