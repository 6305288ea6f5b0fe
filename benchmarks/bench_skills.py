"""Benchmark essential-skills files: ingest and build time, and the cost per million rows.

Data: the bench's student schools (the first --schools of the 2,000 secondary schools that
bench_build_data gives rosters, same order and the same ~80-130 students a grade), every student
of the latest year assessed by a teacher on the eight skills twice (June and February): about
1.3 M assessment rows (10 M steps) at full scale. Written as UTF-8 CSV files of SKILLS_FILE_ROWS
rows with Japanese headers, as schools send them, into a warehouse holding the national registry
(34,700 schools) and nothing else, so the timings are the skills' own:

- ingest: `shirube ingest` of the skills files (every rule checked, rows typed, inserted);
- build: `shirube build --full` after the ingest, less a build of the same warehouse before it (the
  registry-only baseline), i.e. what the skills models add to a build.

Cost per million assessment rows is each time / rows x 1e6; the national figure (about 12 M
students, twice a year: 24 M rows) is read off from it on docs/performance.md.

Run: .venv/bin/python benchmarks/bench_skills.py [--schools 2000] [--work DIR]
        [--out benchmarks/out/skills.md] [--json benchmarks/out/skills.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from bench_build_data import SECONDARY_WITH_STUDENTS, school_frame

from pipelines.warehouse import connect_writer

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
SKILLS_FILE_ROWS = 100_000
NATIONAL_STUDENTS = 12_000_000
YEAR = 2025
HEADER_JA = {
    "listening": "聴く力",
    "speaking": "話す力",
    "problem_solving": "問題解決力",
    "creativity": "創造力",
    "staying_positive": "前向きさ",
    "aiming_high": "高い目標",
    "leadership": "リーダーシップ",
    "teamwork": "チームワーク",
}


def prepare(db: Path, files: Path, schools: int) -> int:
    """The registry in raw.schools, the skills files in `files`; returns assessment rows."""
    con = connect_writer(db)
    try:
        frame = school_frame()  # noqa: F841 - read by SQL
        con.execute(
            "create temp table bench_schools as select row_number() over "
            "(order by school_code) as idx, * from frame"
        )
        (file_id,) = con.execute("select nextval('raw.file_seq')").fetchall()[0]
        con.execute(
            f"insert into raw.schools select {file_id}, idx::integer + 1, school_code, "
            "school_name, municipality_code, null, hub_code, hub_name, enrolment from bench_schools"
        )
        con.execute(
            f"insert into raw.ingest_log values ({file_id}, 'bench-registry', 'registry.csv', "
            "null, null, "
            "'schools', 'loaded', 0, 0, 0, null, null, now()::timestamp, now()::timestamp, "
            "'benchmark')"
        )
        # The same students as bench_build_data's roster for the latest year.
        steps = ", ".join(
            f"least(15, greatest(0, (grade + case when school_code like 'C1%' then 6 else 9 end)"
            f" - 1 + (hash(school_code, student_ref, '{s}') % 5)::integer - 2 + a.half)) "
            f'as "{HEADER_JA[s]}"'
            for s in HEADER_JA
        )
        con.execute(f"""
            create temp table bench_skills as
            with s as (
                select * from bench_schools where type_code in ('C1', 'D1')
                order by idx limit {min(schools, SECONDARY_WITH_STUDENTS)}
            ),
            students as (
                select s.school_code, s.idx, g.grade::integer as grade,
                    'S' || ({YEAR} - g.grade) || '-' || n.n as student_ref
                from s cross join range(1, 4) g(grade) cross join range(0, 130) n(n)
                where n.n < 80 + hash(s.idx, {YEAR}, g.grade) % 50
            )
            select school_code as 学校コード, student_ref as 生徒番号, grade as 学年,
                case a.half when 0 then '{YEAR}-06-15' else '{YEAR + 1}-02-10' end as 評価日,
                '教員' as 評価者, {steps}
            from students cross join (select unnest([0, 1]) as half) a
            order by idx, a.half, grade, student_ref
        """)
        rows = con.execute("select count(*) from bench_skills").fetchall()[0][0]
        files.mkdir(parents=True, exist_ok=True)
        for part, start in enumerate(range(0, rows, SKILLS_FILE_ROWS)):
            con.execute(
                f"copy (select * from bench_skills limit {SKILLS_FILE_ROWS} offset {start}) "
                f"to '{files / f'skills_{part:03d}.csv'}' (header, delimiter ',')"
            )
        con.execute("checkpoint")
    finally:
        con.close()
    return rows


def timed(*args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "shirube.cli", *args, "--lang", "en"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"shirube {args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def measure(schools: int, work: Path) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db, files = work / "skills.duckdb", work / "skills_files"
    rows = prepare(db, files, schools)
    baseline = timed("build", "--db", str(db))
    ingest = timed("ingest", str(files), "--db", str(db))
    # Full, like the baseline: what the skills models cost in a whole build, not in an
    # incremental one that happens to touch every skills row.
    build = timed("build", "--full", "--db", str(db))
    con = duckdb.connect(str(db), read_only=True)
    try:
        loaded, steps, quarantined = con.execute(
            "select (select count(*) from raw.skill_assessments), "
            "(select count(*) from raw.skill_steps), (select count(*) from raw.quarantine)"
        ).fetchall()[0]
    finally:
        con.close()
    if loaded != rows or quarantined:
        raise SystemExit(f"{rows} rows written, {loaded} loaded, {quarantined} quarantined")
    per_million = 1e6 / rows
    build_skills = max(build - baseline, 0.0)
    return {
        "schools": min(schools, SECONDARY_WITH_STUDENTS),
        "assessment_rows": rows,
        "skill_steps": steps,
        "files": len(list(files.glob("*.csv"))),
        "ingest_seconds": ingest,
        "build_seconds": build,
        "baseline_build_seconds": baseline,
        "build_skills_seconds": build_skills,
        "ingest_seconds_per_million": ingest * per_million,
        "build_seconds_per_million": build_skills * per_million,
        "national_rows": 2 * NATIONAL_STUDENTS,
        "national_ingest_minutes": ingest * per_million * 2 * NATIONAL_STUDENTS / 1e6 / 60,
        "national_build_minutes": build_skills * per_million * 2 * NATIONAL_STUDENTS / 1e6 / 60,
    }


def report(f: dict) -> str:
    return "\n".join(
        [
            "# Essential skills",
            "",
            f"Every student (latest year) of {f['schools']:,} schools with student records, "
            f"assessed by a teacher on eight skills twice a year: {f['assessment_rows']:,} "
            f"assessment rows ({f['skill_steps']:,} steps) in {f['files']} UTF-8 CSV files, "
            "into a warehouse holding only the national registry.",
            "",
            "| measure | time | per million rows |",
            "|---|---|---|",
            f"| ingest (`shirube ingest`) | {f['ingest_seconds']:.1f} s | "
            f"{f['ingest_seconds_per_million']:.1f} s |",
            f"| build, added by skills (build {f['build_seconds']:.1f} s less the registry-only "
            f"{f['baseline_build_seconds']:.1f} s) | {f['build_skills_seconds']:.1f} s | "
            f"{f['build_seconds_per_million']:.1f} s |",
            "",
            f"Read off for the nation (about {NATIONAL_STUDENTS / 1e6:.0f} M students twice a "
            f"year, {f['national_rows'] / 1e6:.0f} M rows): ingest about "
            f"{f['national_ingest_minutes']:.0f} min, build about "
            f"{f['national_build_minutes']:.1f} min more, if the cost stays linear.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=SECONDARY_WITH_STUDENTS)
    parser.add_argument("--work", type=Path, default=OUT / "work" / "skills")
    parser.add_argument("--out", type=Path, default=OUT / "skills.md")
    parser.add_argument("--json", type=Path, default=OUT / "skills.json")
    args = parser.parse_args()
    figures = measure(args.schools, args.work.resolve())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(figures), encoding="utf-8")
    args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(report(figures))


if __name__ == "__main__":
    main()
