"""End to end: `shirube sample`, `shirube ingest`, `shirube build` as a user runs them; the marts
match figures recomputed from the raw rows in plain Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from build_rows import rows

from pipelines.settings import frameworks
from pipelines.warehouse import current_snapshot, open_snapshot


def shirube(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shirube.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def recompute_national_figures(db_path: Path) -> dict:
    """National figures straight from the raw rows, in plain Python (no mart SQL reused)."""
    with duckdb.connect(str(db_path), read_only=True) as raw:
        registry = {
            code for (code,) in raw.execute("select school_code from raw.schools").fetchall()
        }
        returns = raw.execute(
            "select file_id, row_number, school_code, academic_year, term, submitted_on, "
            "framework_version from raw.returns"
        ).fetchall()
        scores = raw.execute(
            "select file_id, row_number, benchmark_id, score from raw.return_scores"
        ).fetchall()
        answers = raw.execute(
            "select file_id, return_row_number, row_number, criterion_id, score "
            "from raw.criterion_answers"
        ).fetchall()
        roster = raw.execute(
            "select file_id, row_number, school_code, academic_year, student_ref, grade "
            "from raw.roster"
        ).fetchall()
        activities = raw.execute(
            "select school_code, student_ref, activity_type, academic_year from raw.activities"
        ).fetchall()
    effective = {}
    for file_id, row_number, school, year, term, submitted_on, version in returns:
        candidate = (term, submitted_on, file_id, row_number, version)
        if (school, year) not in effective or candidate > effective[(school, year)]:
            effective[(school, year)] = candidate
    scores_by_return: dict[tuple, dict] = {}
    for file_id, row_number, benchmark_id, score in scores:
        scores_by_return.setdefault((file_id, row_number), {})[benchmark_id] = score
    # Criteria returns: the later row of a criterion wins; a benchmark scores the mean of its
    # criteria only when every one is answered.
    latest_answer: dict[tuple, tuple] = {}
    for file_id, return_row, row_number, criterion_id, score in answers:
        key = (file_id, return_row, criterion_id)
        if key not in latest_answer or row_number > latest_answer[key][0]:
            latest_answer[key] = (row_number, score)
    version_of = {(f, r): v for f, r, _s, _y, _t, _d, v in returns}
    for (file_id, return_row), version in version_of.items():
        framework = next(fw for fw in frameworks() if fw.version == version)
        for benchmark in framework.benchmarks:
            got = [latest_answer.get((file_id, return_row, c.id)) for c in benchmark.criteria]
            if got and all(got):
                scores_by_return.setdefault((file_id, return_row), {})[benchmark.id] = sum(
                    g[1] for g in got
                ) / len(got)
    sizes = {fw.version: len(fw.benchmarks) for fw in frameworks()}
    summary: dict[tuple, list] = {}
    benchmark_scores: dict[tuple, list] = {}
    for (_school, year), (_t, _d, file_id, row_number, version) in effective.items():
        school_scores = scores_by_return.get((file_id, row_number), {})
        achieved = sum(1 for s in school_scores.values() if s == 100)
        summary.setdefault((year, version), []).append((achieved, achieved == sizes[version]))
        for benchmark_id, score in school_scores.items():
            benchmark_scores.setdefault((year, version, benchmark_id), []).append(score)
    latest_roster: dict[tuple, tuple] = {}
    for file_id, row_number, school, year, student, grade in roster:
        key = (school, year, student)
        if key not in latest_roster or (file_id, row_number) > latest_roster[key][:2]:
            latest_roster[key] = (file_id, row_number, grade)
    default = frameworks()[0]
    counts_toward = {a: b.id for b in default.benchmarks for a in b.activity_types}
    reached = {
        (school, year, student, counts_toward[kind])
        for school, student, kind, year in activities
        if kind in counts_toward and (school, year, student) in latest_roster
    }
    on_roll_by_year: dict[int, int] = {}
    for _school, year, _student in latest_roster:
        on_roll_by_year[year] = on_roll_by_year.get(year, 0) + 1
    reached_by_year_benchmark: dict[tuple, int] = {}
    for _school, year, _student, benchmark_id in reached:
        key = (year, benchmark_id)
        reached_by_year_benchmark[key] = reached_by_year_benchmark.get(key, 0) + 1
    return {
        "registered": len(registry),
        "summary": {
            key: (
                len(v),
                100 * len(v) / len(registry),
                sum(a for a, _ in v) / len(v),
                100 * sum(1 for _, all_ in v if all_) / len(v),
            )
            for key, v in summary.items()
        },
        "benchmarks": {key: (len(v), sum(v) / len(v)) for key, v in benchmark_scores.items()},
        "coverage": {
            (year, benchmark_id): (on_roll_by_year[year], count)
            for (year, benchmark_id), count in reached_by_year_benchmark.items()
        },
    }


def test_sample_files_through_ingest_and_build_match_figures_recomputed_from_raw(tmp_path):
    sample, db = tmp_path / "sample", tmp_path / "shirube.duckdb"
    steps = (
        ("sample", str(sample), "--schools", "60", "--years", "2", "--seed", "11"),
        ("ingest", str(sample), "--db", str(db)),
        ("build", "--db", str(db)),
    )
    for step in steps:
        result = shirube(*step, "--lang", "en")
        assert result.returncode == 0, (step, result.stdout[-3000:], result.stderr[-3000:])

    expected = recompute_national_figures(db)
    assert expected["summary"] and expected["benchmarks"] and expected["coverage"]
    with open_snapshot(current_snapshot(db)[1]) as snap:
        summary = {
            (year, version): (reporting, rate, avg, pct)
            for year, version, registered, reporting, rate, avg, pct in rows(
                snap,
                "select academic_year, framework_version, schools_registered, "
                "schools_reporting, response_rate, avg_benchmarks_achieved, pct_all_achieved "
                "from marts.area_year_summary where area_level = 'national'",
            )
            if registered == expected["registered"]
        }
        benchmarks = {
            (year, version, benchmark_id): (reporting, mean)
            for year, version, benchmark_id, reporting, mean in rows(
                snap,
                "select academic_year, framework_version, benchmark_id, schools_reporting, "
                "mean_score from marts.area_year_benchmark where area_level = 'national'",
            )
        }
        coverage = {
            (year, benchmark_id): (on_roll, reached)
            for year, benchmark_id, on_roll, reached in rows(
                snap,
                "select academic_year, benchmark_id, students_on_roll, students_reached "
                "from marts.area_coverage where area_level = 'national' "
                "and year_of_schooling is null and students_reached > 0",
            )
        }
    for got, want in ((summary, expected["summary"]), (benchmarks, expected["benchmarks"])):
        assert set(got) == set(want)
        for key, figures in want.items():
            assert got[key] == pytest.approx(figures), key
    assert coverage == expected["coverage"]
