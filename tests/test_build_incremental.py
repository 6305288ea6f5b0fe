"""Incremental and full builds give the same marts (pipelines/build/incremental.py).

Two warehouses receive the same real files through the real ingest, one after another: new
schools, returns, a resubmission, a new academic year, a file with a quarantined row, a rejected
file, a roster and activities. After each file one warehouse is built the way `shirube build`
builds (incremental when allowed), the other with `--full`; every mart of their published
snapshots must hold the same rows (EXCEPT ALL both ways).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
from build_rows import code

from pipelines.build import build_warehouse
from pipelines.build.incremental import Change, Plan
from pipelines.build.incremental_audits import audit_queries
from pipelines.build.keys import ModelKey
from pipelines.codes import municipality_code_with_check
from pipelines.ingest import ingest_files
from pipelines.settings import default_framework
from pipelines.skills_framework import skills_framework
from pipelines.snapshot_files import MANIFEST_SUFFIX, copy_to_one_file
from pipelines.warehouse import current_snapshot, open_snapshot

BUILD_DATE = date(2026, 3, 1)
# The build's own version and time, and when each warehouse ingested its copy of a file.
VOLATILE_COLUMNS = {"version", "built_at", "published_at", "started_at", "finished_at"}

SCHOOLS = [
    (code("C1", "13", 1), "中央中学校", "13101", "HUB-A"),
    (code("C1", "13", 2), "東中学校", "13101", "HUB-A"),
    (code("B1", "14", 3), "港小学校", "14101", None),
]
NEW_SCHOOL = (code("D1", "14", 4), "港高等学校", "14101", None)


def schools_csv(rows: list[tuple[str, str, str, str | None]]) -> str:
    lines = ["school_code,school_name,municipality_code,hub_code,hub_name"]
    for school, name, municipality, hub in rows:
        hub_name = f"{hub} ハブ" if hub else ""
        lines.append(
            f"{school},{name},{municipality_code_with_check(municipality)},{hub or ''},{hub_name}"
        )
    return "\n".join(lines) + "\n"


def returns_csv(rows: list[tuple[str, int, int, str, float]]) -> str:
    """(school, year, term, submitted_on, base score) -> a returns file, scores base+-."""
    framework = default_framework()
    ids = [b.id for b in framework.benchmarks]
    lines = [",".join(["school_code", "academic_year", "term", "submitted_on", *ids, "framework"])]
    for school, year, term, submitted, base in rows:
        scores = [f"{min(100.0, base + 7 * i) if i % 2 else base:.1f}" for i in range(len(ids))]
        lines.append(
            ",".join([school, str(year), str(term), submitted, *scores, framework.version])
        )
    return "\n".join(lines) + "\n"


def files(school_codes: list[str]) -> list[tuple[str, str]]:
    """The sequence of files the two warehouses receive, as (name, text)."""
    first, second, third = school_codes
    new = NEW_SCHOOL[0]
    return [
        ("schools.csv", schools_csv(SCHOOLS)),
        (
            "returns_2024.csv",
            returns_csv(
                [(first, 2024, 1, "2024-07-01", 60.0), (second, 2024, 1, "2024-07-02", 80.0)]
            ),
        ),
        ("schools_new.csv", schools_csv([NEW_SCHOOL])),
        ("returns_new_school.csv", returns_csv([(new, 2024, 1, "2024-07-03", 100.0)])),
        # The same school, year, term and date again: replaces the earlier return.
        ("returns_2024_again.csv", returns_csv([(first, 2024, 1, "2024-07-01", 90.0)])),
        (
            "returns_2025.csv",
            returns_csv(
                [
                    (first, 2025, 1, "2025-07-01", 70.0),
                    (third, 2025, 1, "2025-07-04", 100.0),
                    (new, 2025, 2, "2025-11-04", 40.0),
                ]
            ),
        ),
        # One good row and one whose school code fails its check digit (quarantined).
        (
            "returns_2025_bad_row.csv",
            returns_csv(
                [
                    (second, 2025, 1, "2025-07-09", 50.0),
                    (first[:-1] + "0", 2025, 1, "2025-07-09", 50.0),
                ]
                if not first.endswith("0")
                else [
                    (second, 2025, 1, "2025-07-09", 50.0),
                    (first[:-1] + "1", 2025, 1, "2025-07-09", 50.0),
                ]
            ),
        ),
        ("returns_rejected.csv", "school_code,term\n" + f"{first},1\n"),
        # The first school resubmits 2025 with every benchmark achieved: its hub's mean rises
        # from 1 to 4, so the second school of that hub (0 achieved) is now below it. Only the
        # two schools of the hub get their flags rebuilt (support_flags, narrow through: hub).
        ("returns_2025_hub_peer.csv", returns_csv([(first, 2025, 1, "2025-07-01", 100.0)])),
        # The newest return so far (staleness is counted to it): every school's stale-data age
        # moves, so the flags' year is rebuilt for every school (support_flags' narrow guard).
        ("returns_2025_newest.csv", returns_csv([(second, 2025, 1, "2025-12-01", 50.0)])),
        # The new school ran two terms (前期/後期) so far: a term 3 changes its calendar in
        # every year (return_status's guard sends it to a full rebuild).
        ("returns_2025_term3.csv", returns_csv([(new, 2025, 3, "2026-02-01", 55.0)])),
        (
            "roster_2025.csv",
            "school_code,academic_year,student_ref,grade\n"
            + "".join(f"{first},2025,S{n:04d},{1 + n % 3}\n" for n in range(12)),
        ),
        (
            "activities_2025.csv",
            "school_code,student_ref,grade,activity_type,activity_date,hours,provider\n"
            + "".join(
                f"{first},S{n:04d},{1 + n % 3},career_information,2025-05-{10 + n:02d},1.0,\n"
                for n in range(0, 12, 2)
            ),
        ),
        # A later activity in the earlier year (2024, by its date): an older year touched.
        (
            "activities_2024.csv",
            "school_code,student_ref,grade,activity_type,activity_date,hours,provider\n"
            f"{first},S0001,1,career_information,2025-02-10,2.0,\n",
        ),
        # A student of the elementary school in 2024 who moves on to the first school in 2025.
        ("roster_2024_third.csv", f"{ROSTER_HEADER}{third},2024,S0100,6\n"),
        (
            "activities_third_2024.csv",
            f"{ACTIVITIES_HEADER}{third},S0100,6,career_information,2024-06-10,1.0,\n",
        ),
        (
            "links.csv",
            "from_school_code,from_student_ref,to_school_code,to_student_ref,linked_on\n"
            f"{third},S0100,{first},S0001,2025-04-01\n",
        ),
        (
            "skills_2025.csv",
            skills_csv([(first, "S0001", 1, "2025/6/15", 3), (first, "S0002", 2, "2025/6/15", 4)]),
        ),
        # The same student, date and assessor again (replaces its steps) and a new student.
        (
            "skills_2025_again.csv",
            skills_csv([(first, "S0001", 1, "2025/6/15", 5), (second, "S0003", 3, "2025/7/1", 2)]),
        ),
        # An assessment dated in the earlier academic year (February 2025 is in 2024).
        ("skills_2024.csv", skills_csv([(first, "S0002", 1, "2025/2/10", 1)])),
    ]


ROSTER_HEADER = "school_code,academic_year,student_ref,grade\n"
ACTIVITIES_HEADER = "school_code,student_ref,grade,activity_type,activity_date,hours,provider\n"


def skills_csv(rows: list[tuple[str, str, int, str, int]]) -> str:
    """(school, student, grade, assessed_on, step) -> a skills file, every skill at step±1."""
    names = [s.name_en for s in skills_framework().skills]
    lines = [",".join(["school_code", "student_ref", "grade", "assessed_on", "assessor", *names])]
    for school, student, grade, day, step in rows:
        steps = [f"Step {step + i % 2}" for i in range(len(names))]
        lines.append(",".join([school, student, str(grade), day, "teacher", *steps]))
    return "\n".join(lines) + "\n"


def one_file(snapshot: Path) -> Path:
    """A published version (one file per mart) as one DuckDB file, to ATTACH; a file as is."""
    if not snapshot.name.endswith(MANIFEST_SUFFIX):
        return snapshot
    target = snapshot.with_name(snapshot.name + f".{os.getpid()}.{next(_copies)}.compare.duckdb")
    return copy_to_one_file(snapshot, target)


_copies = itertools.count()


def mart_differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """Per mart: (rows only in a, rows only in b), doubles to 9 decimal places (a float sum
    depends on the order DuckDB adds rows in, even between two full builds)."""
    a, b = (one_file(path) for path in (a, b))
    con = duckdb.connect()
    con.execute(f"attach '{a}' as a (read_only)")
    con.execute(f"attach '{b}' as b (read_only)")
    tables = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = 'a' and table_schema = 'marts' order by 1"
    ).fetchall()
    other = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = 'b' and table_schema = 'marts' order by 1"
    ).fetchall()
    assert tables == other
    found = {}
    for (table,) in tables:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns where "
            "table_catalog = 'a' and table_schema = 'marts' and table_name = ? "
            "order by ordinal_position",
            [table],
        ).fetchall()
        select = ", ".join(
            f'round("{c}", 9) as "{c}"' if kind == "DOUBLE" else f'"{c}"'
            for c, kind in columns
            if c not in VOLATILE_COLUMNS
        )
        only_a = con.execute(
            f'select count(*) from (select {select} from a.marts."{table}" '
            f'except all select {select} from b.marts."{table}")'
        ).fetchone()[0]
        only_b = con.execute(
            f'select count(*) from (select {select} from b.marts."{table}" '
            f'except all select {select} from a.marts."{table}")'
        ).fetchone()[0]
        found[table] = (only_a, only_b)
    con.close()
    return found


def test_incremental_and_full_builds_agree_file_after_file(tmp_path: Path) -> None:
    incremental_db = tmp_path / "inc" / "w.duckdb"
    full_db = tmp_path / "full" / "w.duckdb"
    kinds = []
    rebuilt: dict[str, set[str]] = {}
    for name, text in files([s[0] for s in SCHOOLS]):
        path = tmp_path / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        statuses = {
            ingest_files([path], db, lang="en")[0].status for db in (incremental_db, full_db)
        }
        assert len(statuses) == 1
        inc = build_warehouse(incremental_db, lang="en", build_date=BUILD_DATE)
        full = build_warehouse(full_db, lang="en", build_date=BUILD_DATE, full=True)
        assert full.full
        kinds.append((name, statuses.pop(), inc.full, inc.published_whole))
        rebuilt[name] = {label for label, _seconds in inc.model_seconds}
        differences = mart_differences(
            current_snapshot(incremental_db)[1], current_snapshot(full_db)[1]
        )
        assert {t: d for t, d in differences.items() if d != (0, 0)} == {}, name
        assert len(differences) > 20
    by_name = {name: (status, was_full, whole) for name, status, was_full, whole in kinds}
    # The first build and a registry change are full; returns, rosters, activities and bad
    # files are incremental, published as changes to a copy of the previous snapshot.
    assert by_name["schools.csv"][1:] == (True, True)
    assert by_name["schools_new.csv"][1:] == (True, True)
    for name in (
        "returns_2024.csv",
        "returns_new_school.csv",
        "returns_2024_again.csv",
        "returns_2025.csv",
        "returns_2025_bad_row.csv",
        "returns_rejected.csv",
        "returns_2025_hub_peer.csv",
        "returns_2025_newest.csv",
        "returns_2025_term3.csv",
        "roster_2025.csv",
        "activities_2025.csv",
        "activities_2024.csv",
        "roster_2024_third.csv",
        "activities_third_2024.csv",
        "links.csv",
        "skills_2025.csv",
        "skills_2025_again.csv",
        "skills_2024.csv",
    ):
        assert by_name[name][1:] == (False, False), name
    assert by_name["returns_rejected.csv"][0] == "rejected"
    # The flags' guards (pipelines/build/guards.py): a return of a year already there rebuilds
    # the flags of that year on, for its school and its hub's schools (the second school and
    # the first, of the same hub); a new year, or a return changing a calendar, all of them.
    assert {
        "marts.support_flags [>=2025; 2 schools]",
        "marts.school_flag_summary [>=2025; 2 schools]",
        "marts.return_status [2025; 1 school]",
    } <= rebuilt["returns_2025_bad_row.csv"]
    assert "marts.support_flags [>=2025; 2 schools]" in rebuilt["returns_2025_hub_peer.csv"]
    assert "marts.support_flags [>=2025]" in rebuilt["returns_2025_newest.csv"]
    assert "marts.support_flags [all]" in rebuilt["returns_2025.csv"]
    # A resubmission by one school: its school-level models rebuild that school only
    # (`-- Narrow: school_code`), the area marts its five areas only (`-- Narrow: area`: the
    # nation, its region, prefecture, municipality and hub; the other prefecture's rows stay).
    assert {
        "intermediate.int_returns_ranked [2024; 1 school]",
        "marts.school_year_benchmark [2024; 1 school]",
        "marts.school_year_summary [>=2024; 1 school]",
        "marts.return_history [2024; 1 school, staged]",
        "marts.area_year_benchmark [2024; 5 areas]",
        "marts.area_year_summary [>=2024; 5 areas]",
        "marts.trend [2024,>=2024; 5 areas]",
        "marts.public_area_year_benchmark [2024; 5 areas, staged]",
    } <= rebuilt["returns_2024_again.csv"]
    # A new year has no framework version yet: area_year_summary's narrow guard fails, so the
    # year is rebuilt for every area (and so is everything below it that reads it).
    assert {"marts.area_year_summary [>=2025]", "marts.trend [2025,>=2025]"} <= rebuilt[
        "returns_2025.csv"
    ]
    assert {"marts.support_flags [all]", "marts.return_status [all]"} <= rebuilt[
        "returns_2025_term3.csv"
    ]
    with open_snapshot(current_snapshot(incremental_db)[1]) as con:
        # The hub peer's flag reached the marts (its own files did not change it).
        assert con.execute(
            "select severity from marts.support_flags where school_code = ? "
            "and academic_year = 2025 and flag = 'below_hub_mean'",
            [SCHOOLS[1][0]],
        ).fetchall() == [("high",)]
        # The files reached the marts: the resubmission, the new year, the quarantined row.
        assert (
            con.execute(
                "select count(*) from marts.school_year_summary where academic_year = 2025"
            ).fetchone()[0]
            == 4
        )
        assert con.execute("select count(*) from marts.quarantine").fetchone()[0] >= 1
        assert (
            con.execute(
                "select count(*) from marts.coverage where academic_year = 2025"
            ).fetchone()[0]
            > 0
        )
        # The skills files and the link reached the marts: a journey of two schools.
        assert con.execute(
            "select count(*), count(distinct academic_year) from marts.skills_student_year"
        ).fetchone() == (4 * len(skills_framework().skills), 2)
        assert (
            con.execute(
                "select count(*) from marts.journey_members where journey_length = 2"
            ).fetchone()[0]
            == 2
        )


def test_settings_and_full_flag_force_a_full_build_a_new_date_does_not(
    tmp_path: Path, monkeypatch
) -> None:
    db = tmp_path / "w.duckdb"
    first, second, _third = (s[0] for s in SCHOOLS)
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "schools.csv").write_text(schools_csv(SCHOOLS), encoding="utf-8")
    (inbox / "r1.csv").write_text(
        returns_csv([(first, 2025, 1, "2025-07-01", 60.0)]), encoding="utf-8"
    )
    (inbox / "r2.csv").write_text(
        returns_csv([(second, 2025, 1, "2025-07-02", 90.0)]), encoding="utf-8"
    )
    ingest_files([inbox / "schools.csv", inbox / "r1.csv"], db, lang="en")
    assert build_warehouse(db, lang="en", build_date=BUILD_DATE).reason == "first build"
    ingest_files([inbox / "r2.csv"], db, lang="en")
    assert not build_warehouse(db, lang="en", build_date=BUILD_DATE).full

    settings = tmp_path / "settings.toml"
    settings.write_text("[suppression]\nmin_schools = 1\n", encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    changed = build_warehouse(db, lang="en", build_date=BUILD_DATE)
    assert (changed.full, changed.reason) == (True, "models, settings or reference data changed")
    assert not build_warehouse(db, lang="en", build_date=BUILD_DATE).full
    later = build_warehouse(db, lang="en", build_date=date(2026, 3, 2))
    assert (later.full, later.reason) == (False, "incremental")

    incremental_snapshot = current_snapshot(db)[1]
    copy = copy_to_one_file(incremental_snapshot, tmp_path / "incremental.duckdb")
    done = subprocess.run(
        [sys.executable, "-m", "shirube", "build", "--full", "--db", str(db), "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SHIRUBE_SETTINGS": str(settings)},
    )
    assert done.returncode == 0, done.stderr
    assert "Incremental build" not in done.stdout
    rebuilt = current_snapshot(db)[1]
    assert rebuilt != incremental_snapshot
    # build_info's build date differs (the CLI builds for today); every other mart is equal.
    differences = mart_differences(copy, rebuilt)
    assert {t: d for t, d in differences.items() if d != (0, 0) and t != "build_info"} == {}


def test_a_new_build_date_rebuilds_the_latest_years_flags_as_a_full_build_would(
    tmp_path: Path,
) -> None:
    """Staleness counts to the newest return, capped at the build date. Here the newest return
    (2025-09-01) is after both build dates, so the cap decides and a new day moves school A's
    age: the next day's incremental build must give the full build's marts of that day."""
    first, second, _third = (s[0] for s in SCHOOLS)
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "schools.csv").write_text(schools_csv(SCHOOLS), encoding="utf-8")
    (inbox / "r.csv").write_text(
        returns_csv([(first, 2024, 1, "2024-07-01", 60.0), (second, 2025, 1, "2025-09-01", 90.0)]),
        encoding="utf-8",
    )
    day_one, day_two = date(2025, 8, 1), date(2025, 8, 20)
    incremental_db, full_db = tmp_path / "inc" / "w.duckdb", tmp_path / "full" / "w.duckdb"
    for db in (incremental_db, full_db):
        ingest_files([inbox / "schools.csv", inbox / "r.csv"], db, lang="en")
        build_warehouse(db, lang="en", build_date=day_one)

    def stale(db: Path) -> list[tuple]:
        with open_snapshot(current_snapshot(db)[1]) as con:
            return con.execute(
                "select school_code, academic_year, detail_en from marts.support_flags "
                "where flag = 'stale_data' order by 1"
            ).fetchall()

    assert stale(incremental_db) == [
        (
            first,
            2025,
            "The latest return was submitted on 2024-07-01, 396 days before the newest data "
            "(2025-08-01; threshold: 120 days).",
        )
    ]
    next_day = build_warehouse(incremental_db, lang="en", build_date=day_two)
    build_warehouse(full_db, lang="en", build_date=day_two, full=True)
    assert (next_day.full, next_day.reason) == (False, "incremental")
    rebuilt = {label for label, _seconds in next_day.model_seconds}
    assert {"marts.support_flags [>=2025]", "marts.school_flag_summary [>=2025]"} <= rebuilt
    # Nothing else hangs on the date: no return-level or area mart is rebuilt.
    assert not any(label.startswith(("marts.area_", "marts.school_year_")) for label in rebuilt)
    assert stale(incremental_db) == [
        (
            first,
            2025,
            "The latest return was submitted on 2024-07-01, 415 days before the newest data "
            "(2025-08-20; threshold: 120 days).",
        )
    ]
    differences = mart_differences(
        current_snapshot(incremental_db)[1], current_snapshot(full_db)[1]
    )
    assert {t: d for t, d in differences.items() if d != (0, 0)} == {}


def by_school_mart() -> duckdb.DuckDBPyConnection:
    """marts.by_school in memory: a duplicate school-year for X and for Y in 2025, X in 2024."""
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.by_school (school_code varchar, academic_year int, v int)")
    con.execute(
        "insert into marts.by_school values ('X', 2025, 1), ('X', 2025, 2), ('Y', 2025, 3), "
        "('Y', 2025, 4), ('X', 2024, 5), ('X', 2024, 6)"
    )
    return con


def test_a_narrowed_models_key_audit_checks_every_row_a_changed_school_or_area_holds() -> None:
    """An incremental build's key audit of a model narrowed to schools (or areas) reads only
    the changed schools' (areas') rows of the changed years when the key holds the school
    (area): a duplicate there is found; one elsewhere passed the last build's audit."""
    con = by_school_mart()
    con.execute(
        "create table marts.by_area (area_level varchar, area_code varchar, academic_year int)"
    )
    con.execute(
        "insert into marts.by_area values ('hub', 'H1', 2025), ('hub', 'H1', 2025), "
        "('hub', 'H2', 2025), ('hub', 'H2', 2025)"
    )
    plan = Plan(
        full=False,
        reason="incremental",
        watermark=1,
        changes={
            "marts.by_school": Change(years=frozenset({2025}), schools=frozenset({"X"})),
            "marts.by_area": Change(years=frozenset({2025}), areas=frozenset({("hub", "H2")})),
        },
        partitions={"marts.by_school": "academic_year", "marts.by_area": "academic_year"},
        narrows={"marts.by_school": "school_code", "marts.by_area": "area"},
    )
    keys = [
        ModelKey("marts.by_school", ("school_code", "academic_year")),
        ModelKey("marts.by_area", ("area_level", "area_code", "academic_year")),
    ]
    found = {name: con.execute(sql).fetchall() for name, sql in audit_queries(plan, keys, [])}
    assert found == {
        "unique_key:marts.by_school": [("X", 2025, 2)],
        "unique_key:marts.by_area": [("hub", "H2", 2025, 2)],
    }
    # A key without the school: two rows of one key may be of two schools, so every school's
    # rows of the changed year are checked (Y's 3 and X's 1 would clash on v = 1 otherwise).
    con.execute("insert into marts.by_school values ('Y', 2025, 1)")
    by_value = ModelKey("marts.by_school", ("academic_year", "v"))
    [(_name, sql)] = audit_queries(plan, [by_value], [])
    assert con.execute(sql).fetchall() == [(2025, 1, 2)]


def test_a_key_audit_reads_a_published_tables_rebuilt_rows_while_its_key_holds_the_school() -> None:
    """The rows a build rebuilt in a published table are kept for its publish (Plan.rebuilt):
    a key holding the school is checked there, without scanning the table; a key without the
    school still checks every school's rows of the changed year."""
    con = by_school_mart()
    con.execute(
        "create temp table rebuilt_x as "
        "select * from marts.by_school where academic_year = 2025 and school_code = 'X'"
    )
    con.execute("insert into marts.by_school values ('Y', 2025, 1)")
    plan = Plan(
        full=False,
        reason="incremental",
        watermark=1,
        changes={"marts.by_school": Change(years=frozenset({2025}), schools=frozenset({"X"}))},
        partitions={"marts.by_school": "academic_year"},
        narrows={"marts.by_school": "school_code"},
        rebuilt={"marts.by_school": "temp.main.rebuilt_x"},
    )
    by_school = ModelKey("marts.by_school", ("school_code", "academic_year"))
    by_value = ModelKey("marts.by_school", ("academic_year", "v"))
    [(_name, school_sql)] = audit_queries(plan, [by_school], [])
    [(_name, value_sql)] = audit_queries(plan, [by_value], [])
    assert "rebuilt_x" in school_sql and "rebuilt_x" not in value_sql
    assert con.execute(school_sql).fetchall() == [("X", 2025, 2)]
    assert con.execute(value_sql).fetchall() == [(2025, 1, 2)]  # X's 1 and Y's 1


def test_a_rule_audit_declaring_narrow_school_checks_only_the_changed_schools_rows(
    tmp_path: Path,
) -> None:
    """A rule in sql/audits/ that declares `-- Narrow: school_code` is checked over the changed
    schools' rows of the changed years when every changed model it reads was rebuilt for those
    schools only; if one of them was not (here an area mart), over every school of those years."""
    con = by_school_mart()
    con.execute("create table marts.by_area (area_code varchar, academic_year int)")
    rule = tmp_path / "two_rows_per_school_year.sql"
    rule.write_text(
        "-- Incremental: academic_year\n-- Narrow: school_code\n"
        "select school_code, academic_year, count(*) as n from marts.by_school\n"
        "group by school_code, academic_year having count(*) > 1\n",
        encoding="utf-8",
    )
    narrowed = Change(years=frozenset({2025}), schools=frozenset({"X"}))
    plan = Plan(
        full=False,
        reason="incremental",
        watermark=1,
        changes={"marts.by_school": narrowed},
        partitions={"marts.by_school": "academic_year"},
        narrows={"marts.by_school": "school_code"},
    )
    [(_name, sql)] = audit_queries(plan, [], [rule])
    assert con.execute(sql).fetchall() == [("X", 2025, 2)]
    # The rule also reads an area mart that changed: its rows are not narrowed to schools.
    rule.write_text(
        "-- Incremental: academic_year\n-- Narrow: school_code\n"
        "select school_code, academic_year, count(*) as n from marts.by_school\n"
        "where not exists (select 1 from marts.by_area)\n"
        "group by school_code, academic_year having count(*) > 1\n",
        encoding="utf-8",
    )
    plan.changes["marts.by_area"] = Change(years=frozenset({2025}), areas=frozenset({("hub", "H")}))
    plan.narrows["marts.by_area"] = "area"
    [(_name, sql)] = audit_queries(plan, [], [rule])
    assert sorted(con.execute(sql).fetchall()) == [("X", 2025, 2), ("Y", 2025, 2)]


def test_a_narrowed_predicate_selects_exactly_the_changed_schools_of_the_changed_years() -> None:
    """The school predicate carries a range DuckDB can push through a model's left joins; the
    range must not let in a school between the changed ones that did not change, nor another
    year, and one school is an equality."""
    con = duckdb.connect()
    con.execute("create table t (school_code varchar, academic_year int)")
    con.execute(
        "insert into t values ('A', 2025), ('B', 2025), ('C', 2025), ('D', 2025), ('B', 2024)"
    )

    def selected(change: Change) -> list[tuple[str, int]]:
        where = change.predicate("academic_year", "school_code")
        return con.execute(f"select * from t where {where} order by all").fetchall()

    two = Change(years=frozenset({2025}), schools=frozenset({"D", "B"}))
    assert selected(two) == [("B", 2025), ("D", 2025)]  # not C, between them; not B's 2024
    one = Change(years=frozenset({2025}), schools=frozenset({"C"}))
    assert "school_code = 'C'" in one.predicate("academic_year", "school_code")
    assert selected(one) == [("C", 2025)]
    quoted = Change(years=frozenset({2025}), schools=frozenset({"O'K", "B"}))
    assert selected(quoted) == [("B", 2025)]
