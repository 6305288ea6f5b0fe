"""`build_warehouse` / `shirube build`: one transaction, audits that stop a bad build, snapshots."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from build_rows import RawRows, code, rows

from pipelines.build import BuildError, build_warehouse, run_audits
from pipelines.build.models import SQL_DIR
from pipelines.snapshot_files import MANIFEST_SUFFIX, manifests, version_of
from pipelines.warehouse import (
    connect_writer,
    current_snapshot,
    open_snapshot,
    snapshot_dir,
    writer_lock,
)

A, B = code("C1", "13", 1), code("C1", "13", 2)
ARCHITECTURE = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"


def load_small(raw: RawRows) -> None:
    raw.schools([(A, "A中", "13101", "H1", "ハブ1"), (B, "B中", "13101", "H1", "ハブ1")])
    raw.returns(
        [
            (A, 2025, 1, date(2025, 7, 1), {"B1": 100, "B2": 40}),
            (B, 2025, 1, date(2025, 7, 1), {"B1": 60}),
        ]
    )
    raw.roster([(A, 2025, "s1", 1), (A, 2025, "s2", 1)])
    raw.activities([(A, "s1", 1, "employer_encounter", date(2025, 6, 1))])


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """A writer DB with a few raw rows and one successful build already published."""
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_small(raw)
    raw.close()
    build_warehouse(raw.db_path, lang="en")
    return raw.db_path


def mart_rows(db_path: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(query).fetchall()


def test_every_mart_in_the_architecture_contract_is_published_with_its_columns(warehouse):
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text[text.index("## Marts") :]
    documented = {
        name: [c.strip() for c in columns.replace("\n", " ").split(",")]
        for name, columns in re.findall(r"`marts\.(\w+)\(([^)]*)\)`", section)
    }
    public = set(re.findall(r"`marts\.(public_\w+)`", section))
    assert len(documented) >= 17
    _version, path = current_snapshot(warehouse)
    with open_snapshot(path) as snap:
        columns = {}
        for table, column in snap.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts'"
        ).fetchall():
            columns.setdefault(table, set()).add(column)
    for name, wanted in documented.items():
        assert name in columns, name
        assert set(wanted) <= columns[name], (name, set(wanted) - columns[name])
    assert {"ingest_files", "quarantine"} <= set(columns)  # listed without columns
    assert public == {t for t in columns if t.startswith("public_")}  # every public view named
    for name in public:
        source = name.removeprefix("public_")
        assert (
            columns[source] | {"suppressed", "suppression_note_ja", "suppression_note_en"}
            == (columns[name])
        )


# Each audit, with a bad row planted into the model it watches (the fake school "X" belongs to
# no area, so no other audit is disturbed).
PLANTED = {
    "score_within_0_100": (
        "school_year_benchmark",
        "select 'X' as school_code, 2025 as academic_year, 'asknet-default-2025' as "
        "framework_version, 'B1' as benchmark_id, 101.0 as score, false as fully_achieved",
    ),
    "one_effective_return_per_school_year": (
        "school_year_summary",
        "(select * replace ('X' as school_code) from final limit 1) union all by name "
        "(select * replace ('X' as school_code) from final limit 1)",
    ),
    "achieved_within_framework": (
        "school_year_summary",
        "select 'X' as school_code, 2025 as academic_year, 'asknet-default-2025' as "
        "framework_version, 8 as benchmarks_in_framework, 9 as benchmarks_reported, "
        "9 as benchmarks_achieved, 100.0 as mean_score",
    ),
    "benchmark_in_framework": (
        "school_year_benchmark",
        "select 'X' as school_code, 2025 as academic_year, 'asknet-default-2025' as "
        "framework_version, 'B99' as benchmark_id, 50.0 as score, false as fully_achieved",
    ),
    "coverage_reached_within_roll": (
        "coverage",
        "select 'X' as school_code, 2025 as academic_year, 1 as grade, 'B5' as benchmark_id, "
        "5 as students_on_roll, 6 as students_reached, 120.0 as coverage_pct",
    ),
    "response_rate_at_most_100": (
        "area_year_summary",
        "select 'hub' as area_level, 'X' as area_code, 2025 as academic_year, "
        "'asknet-default-2025' as framework_version, 1 as schools_registered, "
        "2 as schools_reporting, 200.0 as response_rate",
    ),
    "national_registered_matches_registry": (
        "area_year_summary",
        "select 'national' as area_level, 'JP' as area_code, 2030 as academic_year, "
        "'asknet-default-2025' as framework_version, 999 as schools_registered, "
        "0 as schools_reporting, 0.0 as response_rate",
    ),
    "percentages_within_0_100": (
        "area_year_benchmark",
        "select 'hub' as area_level, 'X' as area_code, 2025 as academic_year, "
        "'asknet-default-2025' as framework_version, 'B1' as benchmark_id, "
        "1 as schools_reporting, 50.0 as mean_score, 120.0 as pct_fully_achieved",
    ),
    "skill_step_within_framework": (
        "skills_student_year",
        "select 'X' as school_code, 2025 as academic_year, 'S1' as student_ref, "
        "'listening' as skill_id, 'teacher' as assessor, 1 as assessments, 16 as first_step, "
        "16 as latest_step",
    ),
}


def test_every_audit_file_has_a_planted_bad_row_test():
    assert {p.stem for p in (SQL_DIR / "audits").glob("*.sql")} == set(PLANTED)


def plant(sql_dir: Path, model: str, bad_rows_sql: str) -> None:
    path = sql_dir / "marts" / f"{model}.sql"
    text = path.read_text(encoding="utf-8")
    assert text.rstrip().endswith("select * from final")
    path.write_text(f"{text.rstrip()}\nunion all by name\n{bad_rows_sql}\n", encoding="utf-8")


@pytest.mark.parametrize("audit", sorted(PLANTED))
def test_a_planted_bad_row_fails_the_build_naming_its_audit_and_publishes_nothing(
    audit, warehouse, tmp_path
):
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir)
    plant(sql_dir, *PLANTED[audit])
    before = current_snapshot(warehouse)

    with pytest.raises(BuildError) as failure:
        build_warehouse(warehouse, lang="en", sql_dir=sql_dir)

    assert failure.value.key == "audit_failed"
    assert failure.value.values["audit"] == audit
    message = failure.value.message("en")
    assert f"The audit '{audit}' found" in message and "rolled back" in message
    assert "X" in failure.value.values["rows"] or "999" in failure.value.values["rows"]
    assert f"監査「{audit}」" in failure.value.message("ja")
    assert current_snapshot(warehouse) == before


def test_run_audits_reports_the_bad_rows_of_a_mart_and_passes_the_rest(warehouse):
    con = connect_writer(warehouse)
    try:
        con.execute("begin transaction")
        con.execute(
            "insert into marts.coverage (school_code, academic_year, grade, benchmark_id, "
            "students_on_roll, students_reached, coverage_pct) "
            "values (?, 2025, 1, 'B5', 2, 3, 150)",
            [A],
        )
        results = {r.name: r for r in run_audits(con)}
        con.execute("rollback")
    finally:
        con.close()

    failed = {name for name, r in results.items() if not r.passed}
    # The planted row also repeats a key already in the mart, which the key audit reports.
    assert failed == {"coverage_reached_within_roll", "unique_key:marts.coverage"}
    bad = results["coverage_reached_within_roll"]
    assert bad.bad_rows == 1
    assert bad.sample == (("coverage", A, 2025, 1, "B5", 2, 3),)


def test_a_failing_build_leaves_the_previous_snapshot_current_and_the_marts_unchanged(warehouse):
    before = current_snapshot(warehouse)
    marts_before = mart_rows(warehouse, "select * from marts.school_year_benchmark order by all")
    raw = RawRows(warehouse)
    raw.file_id = 100
    raw.returns([(A, 2025, 2, date(2025, 11, 1), {"B1": 150})])  # effective, and out of range
    raw.close()

    with pytest.raises(BuildError) as failure:
        build_warehouse(warehouse, lang="ja")

    assert failure.value.values["audit"] == "score_within_0_100"
    assert A in failure.value.message("ja") and "150.0" in failure.value.message("ja")
    assert current_snapshot(warehouse) == before
    assert mart_rows(warehouse, "select * from marts.school_year_benchmark order by all") == (
        marts_before
    )
    assert len(list(snapshot_dir(warehouse).glob(f"*{MANIFEST_SUFFIX}"))) == 1
    assert not list(snapshot_dir(warehouse).rglob("*.partial"))


def test_a_broken_model_fails_the_build_naming_the_model(warehouse, tmp_path):
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir)
    (sql_dir / "marts" / "trend.sql").write_text(
        "-- One row per nothing.\n-- Key: none\nselect no_such_column from marts.dim_school\n",
        encoding="utf-8",
    )
    before = current_snapshot(warehouse)

    with pytest.raises(BuildError) as failure:
        build_warehouse(warehouse, lang="en", sql_dir=sql_dir)

    assert failure.value.key == "model_failed"
    assert "The model 'marts.trend' could not be built" in failure.value.message("en")
    assert "no_such_column" in failure.value.message("en")
    assert current_snapshot(warehouse) == before
    assert mart_rows(warehouse, "select count(*) from marts.trend") != [(0,)]


def test_the_published_snapshot_stays_readable_while_the_next_build_runs(warehouse):
    old_version, old_path = current_snapshot(warehouse)
    reader = open_snapshot(old_path)
    query = "select school_code, score from marts.school_year_benchmark order by all"
    expected = reader.execute(query).fetchall()
    outcome: dict[str, object] = {}

    def next_build() -> None:
        outcome["result"] = build_warehouse(warehouse, lang="en")

    builder = threading.Thread(target=next_build)
    builder.start()
    reads_during_build = 0
    while builder.is_alive():
        assert reader.execute(query).fetchall() == expected
        reads_during_build += 1
        time.sleep(0.01)
    builder.join()

    assert reads_during_build > 0
    assert reader.execute(query).fetchall() == expected  # still the old, complete version
    reader.close()
    new_version, _ = current_snapshot(warehouse)
    assert new_version == outcome["result"].version != old_version
    with open_snapshot(current_snapshot(warehouse)[1]) as snap:
        assert rows(snap, "select version from marts.build_info") == [(new_version,)]


def test_old_snapshots_are_cleaned_keeping_the_configured_number(tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text("[snapshots]\nkeep = 2\n", encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_small(raw)
    raw.close()

    versions = [build_warehouse(raw.db_path, lang="en").version for _ in range(3)]

    kept = [version_of(p) for p in manifests(snapshot_dir(raw.db_path))]
    assert kept == versions[1:]
    assert current_snapshot(raw.db_path)[0] == versions[-1]


def test_a_replaced_framework_file_flows_through_to_pct_all_achieved(tmp_path, monkeypatch):
    framework = tmp_path / "three.toml"
    framework.write_text(
        'version = "three-v1"\n'
        + "".join(
            f'[[benchmark]]\nid = "X{i}"\nname_ja = "指標{i}"\nname_en = "Measure {i}"\n'
            for i in (1, 2, 3)
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("SHIRUBE_FRAMEWORK", str(framework))
    c = code("C1", "13", 3)
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools(
        [
            (A, "A中", "13101", None, None),
            (B, "B中", "13101", None, None),
            (c, "C中", "13101", None, None),
        ]
    )
    raw.returns(
        [
            (A, 2025, 1, date(2025, 7, 1), {"X1": 100, "X2": 100, "X3": 100}),
            (B, 2025, 1, date(2025, 7, 1), {"X1": 100, "X2": 100}),  # X3 not assessed
            (c, 2025, 1, date(2025, 7, 1), {"X1": 100, "X2": 100, "X3": 100}),
        ],
        framework="three-v1",
    )
    raw.close()
    build_warehouse(raw.db_path, lang="en")

    with open_snapshot(current_snapshot(raw.db_path)[1]) as snap:
        assert rows(
            snap,
            "select benchmark_id, is_default_framework from marts.dim_benchmark order by position",
        ) == [("X1", True), ("X2", True), ("X3", True)]
        assert rows(
            snap,
            "select framework_version, schools_reporting, avg_benchmarks_achieved, "
            "pct_all_achieved from marts.area_year_summary where area_level = 'national'",
        ) == [("three-v1", 3, pytest.approx(8 / 3), pytest.approx(200 / 3))]
        assert rows(
            snap,
            "select benchmarks_achieved, schools from marts.achieved_distribution "
            "where area_level = 'national' order by 1",
        ) == [(0, 0), (1, 0), (2, 1), (3, 2)]


def shirube(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shirube.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def test_shirube_build_says_what_it_published_and_exits_0(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_small(raw)
    raw.close()

    result = shirube("build", "--db", str(raw.db_path), "--lang", "en")

    assert result.returncode == 0, result.stderr
    version, _ = current_snapshot(raw.db_path)
    assert f"Published snapshot {version}" in result.stdout


def test_shirube_build_explains_a_failed_audit_in_japanese_without_a_traceback(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_small(raw)
    raw.returns([(B, 2025, 3, date(2026, 1, 10), {"B1": -5})])
    raw.close()

    result = shirube("build", "--db", str(raw.db_path))

    assert result.returncode == 1
    # The score itself and the school's mean score are both out of range.
    assert "監査「score_within_0_100」で問題が 2 行見つかった" in result.stderr
    assert f"school_year_benchmark | {B} | 2025 | B1 | -5.0" in result.stderr
    assert "Traceback" not in result.stderr
    assert current_snapshot(raw.db_path) is None


def test_shirube_build_waits_for_another_writer_and_says_so(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    load_small(raw)
    raw.close()
    stderr_path = tmp_path / "stderr.txt"

    with writer_lock(raw.db_path), open(stderr_path, "w") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "shirube.cli",
                "build",
                "--db",
                str(raw.db_path),
                "--lang",
                "en",
            ],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        deadline = time.monotonic() + 60
        while "waiting" not in stderr_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert process.poll() is None  # still waiting for the lock we hold
    assert process.wait(timeout=120) == 0
    assert "Another ingest or build is running; waiting" in stderr_path.read_text()
    assert current_snapshot(raw.db_path) is not None
