"""The snapshot published as Parquet to a shared folder, for dashboard replicas elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from build_rows import BUILD_DATE, RawRows, code

from pipelines import audit
from pipelines.build import BuildError, build_warehouse
from pipelines.publish_parquet import (
    MANIFEST,
    POINTER,
    complete_versions,
    current_parquet_snapshot,
    open_parquet_snapshot,
    publish_parquet,
)
from pipelines.reports import gather_report, render_report
from pipelines.warehouse import current_snapshot, open_snapshot

ROOT = Path(__file__).resolve().parent.parent
A, B = code("C1", "13", 1), code("C1", "27", 2)


def load_two_years(raw: RawRows) -> None:
    raw.schools([(A, "A中", "13101", "H1", "ハブ1", 300), (B, "B中", "27100", None, None, 250)])
    raw.returns(
        [
            (A, 2024, 3, date(2025, 2, 1), {"B1": 100, "B2": 40}),
            (A, 2025, 1, date(2025, 7, 1), {"B1": 100, "B2": 100}),
            (B, 2025, 1, date(2025, 7, 2), {"B1": 60}),
        ]
    )
    raw.roster([(A, 2025, "s1", 1), (A, 2025, "s2", 1), (B, 2025, "t1", 2)])
    raw.activities([(A, "s1", 1, "employer_encounter", date(2025, 6, 1))])


@pytest.fixture
def writer(tmp_path) -> Path:
    raw = RawRows(tmp_path / "writer" / "shirube.duckdb")
    load_two_years(raw)
    raw.close()
    return raw.db_path


def build(db: Path, shared: Path | None) -> str:
    return build_warehouse(db, lang="en", build_date=BUILD_DATE, parquet_dir=shared).version


def tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        f"{schema}.{name}"
        for schema, name in con.execute(
            # A snapshot's parts are attached catalogs too: the relations readers query only.
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema in ('marts', 'meta') "
            "order by 1, 2"
        ).fetchall()
    ]


def test_every_table_reads_back_from_parquet_with_the_same_rows_and_column_types(writer, tmp_path):
    version = build(writer, tmp_path / "shared")

    with open_snapshot(current_snapshot(writer)[1]) as duck:
        with open_parquet_snapshot(current_parquet_snapshot(tmp_path / "shared")[1]) as parquet:
            assert tables(parquet) == tables(duck)
            assert "marts.area_coverage" in tables(duck) and "meta.snapshot" in tables(duck)
            for table in tables(duck):
                expected, got = (
                    duck.sql(f"select * from {table}"),
                    parquet.sql(f"select * from {table}"),
                )
                assert got.columns == expected.columns, table
                assert [str(t) for t in got.types] == [str(t) for t in expected.types], table
                assert sorted(got.fetchall(), key=repr) == sorted(expected.fetchall(), key=repr)
            # A 128-bit sum has no Parquet type: it must still come back as HUGEINT, exactly.
            assert "HUGEINT" in {
                str(t) for t in parquet.sql("select * from marts.area_coverage").types
            }
            assert parquet.sql("select version from meta.snapshot").fetchall() == [(version,)]


def test_tables_with_an_academic_year_are_partitioned_by_year_and_the_rest_are_one_file(
    writer, tmp_path
):
    version = build(writer, tmp_path / "shared")

    folder = tmp_path / "shared" / version / "marts"
    years = sorted(p.name for p in (folder / "school_year_summary").iterdir())
    assert years == ["academic_year=2024", "academic_year=2025"]
    assert [p.name for p in (folder / "dim_school").iterdir()] == ["data.parquet"]
    manifest = json.loads((tmp_path / "shared" / version / MANIFEST).read_text("utf-8"))
    by_name = {f"{t['schema']}.{t['table']}": t for t in manifest["tables"]}
    assert by_name["marts.school_year_summary"]["partition_column"] == "academic_year"
    assert by_name["marts.dim_school"]["partition_column"] is None
    assert by_name["marts.dim_school"]["rows"] == 2
    # An empty table still has one file, so a reader knows its columns.
    assert by_name["marts.quarantine"]["rows"] == 0
    assert by_name["marts.quarantine"]["files"] == ["marts/quarantine/data.parquet"]


def test_current_json_names_the_build_version_and_no_partial_folder_is_left(writer, tmp_path):
    shared = tmp_path / "shared"
    version = build(writer, shared)

    assert json.loads((shared / POINTER).read_text("utf-8"))["version"] == version
    assert current_parquet_snapshot(shared) == (version, shared / version)
    assert sorted(p.name for p in shared.iterdir()) == sorted([POINTER, version])


def test_keep_removes_versions_beyond_the_configured_number(writer, tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text("[snapshots]\nkeep = 2\n", encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    shared = tmp_path / "shared"

    versions = [build(writer, shared) for _ in range(3)]

    assert complete_versions(shared) == versions[1:]
    assert current_parquet_snapshot(shared)[0] == versions[-1]


def test_a_failure_at_the_last_step_leaves_the_previous_version_current(writer, tmp_path):
    shared = tmp_path / "shared"
    first = build(writer, shared)
    # The pointer is written through a temporary file; a directory in its place makes that
    # write fail after every Parquet file of the next version has been written.
    (shared / f".{POINTER}.tmp").mkdir()

    with pytest.raises(BuildError) as failure:
        build(writer, shared)

    assert failure.value.key == "parquet_failed"
    assert str(shared) in failure.value.message_en and str(shared) in failure.value.message_ja
    assert current_parquet_snapshot(shared)[0] == first
    with open_parquet_snapshot(shared / first) as con:
        assert con.sql("select version from marts.build_info").fetchall() == [(first,)]


def test_a_shared_folder_that_is_a_file_fails_the_build_with_a_bilingual_message(writer, tmp_path):
    blocked = tmp_path / "shared"
    blocked.write_text("not a folder", encoding="utf-8")

    with pytest.raises(BuildError) as failure:
        build(writer, blocked)

    assert failure.value.key == "parquet_failed"
    assert "Other servers keep showing the previous version" in failure.value.message_en
    assert "他のサーバーは前回の版を表示し続けます" in failure.value.message_ja
    assert blocked.read_text(encoding="utf-8") == "not a folder"


def test_a_crashed_publish_is_never_current_and_is_cleared_by_the_next(writer, tmp_path):
    shared = tmp_path / "shared"
    first = build(writer, shared)
    # What a crash mid-write leaves: a .partial folder with some files and no manifest.
    crashed = shared / "29991231T000000000000Z.partial" / "marts" / "dim_school"
    crashed.mkdir(parents=True)
    (crashed / "data.parquet").write_bytes(b"PAR1 half written")

    assert current_parquet_snapshot(shared)[0] == first
    assert complete_versions(shared) == [first]
    with open_snapshot(current_snapshot(writer)[1]) as duck:
        publish_parquet(duck, shared, "29991231T000000000001Z", keep=3)
    assert not crashed.parent.parent.exists()
    assert complete_versions(shared) == [first, "29991231T000000000001Z"]


def test_the_report_reads_the_same_figures_from_a_parquet_version(writer, tmp_path):
    build(writer, tmp_path / "shared")
    duck_file = current_snapshot(writer)[1]
    version_dir = current_parquet_snapshot(tmp_path / "shared")[1]

    with open_snapshot(duck_file) as duck, open_snapshot(version_dir) as parquet:
        from_duck = gather_report(duck, year=2025, area="national", lang="en", made_on=BUILD_DATE)
        from_parquet = gather_report(
            parquet, year=2025, area="national", lang="en", made_on=BUILD_DATE
        )
    assert from_parquet == from_duck
    html = render_report(version_dir, year=2025, area="prefecture:13", lang="ja", fmt="html")
    assert "東京都" in html.decode("utf-8")


def test_shirube_build_parquet_dir_publishes_and_says_where(writer, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "shirube.cli", "build", "--db", str(writer), "--lang", "en"]
        + ["--parquet-dir", "shared"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    version = current_parquet_snapshot(tmp_path / "shared")[0]
    assert f"Published Parquet version {version} to the shared folder" in result.stdout
    assert version == current_snapshot(writer)[0]


def test_the_parquet_dir_setting_is_used_when_the_option_is_absent(writer, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('[snapshots]\nparquet_dir = "from-settings"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "shirube.cli", "build", "--db", str(writer)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT), SHIRUBE_SETTINGS=str(settings)),
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert current_parquet_snapshot(tmp_path / "from-settings")[0] == current_snapshot(writer)[0]


def test_audit_events_of_a_replica_reach_the_writer_through_the_shared_folder(
    writer, tmp_path, monkeypatch
):
    shared = tmp_path / "shared"
    build(writer, shared)
    monkeypatch.setenv(audit.AUDIT_DIR_ENV, str(shared / "audit"))
    replica_db = tmp_path / "replica" / "absent.duckdb"  # a replica has no DB of its own

    assert audit.record(replica_db, user="kato@example.jp", action="view_school", target=A)
    monkeypatch.delenv(audit.AUDIT_DIR_ENV)
    spooled = list((shared / "audit").glob("*.jsonl"))
    assert len(spooled) == 1 and os.uname().nodename in spooled[0].name
    assert not replica_db.parent.exists()

    build(writer, shared)
    with open_parquet_snapshot(current_parquet_snapshot(shared)[1]) as con:
        events = con.sql("select user_email, action, target from marts.audit_log").fetchall()
    assert events == [("kato@example.jp", "view_school", A)]


def test_serve_with_a_snapshot_dir_makes_a_replica_spooling_audit_events_in_the_shared_folder(
    tmp_path, monkeypatch
):
    from dashboard.serve import SNAPSHOT_DIR_ENV, serve_environment

    monkeypatch.chdir(tmp_path)
    env = serve_environment(
        db=None, roles=None, no_auth=True, lang="ja", snapshot_dir="shared", audit_dir=None
    )
    assert env[SNAPSHOT_DIR_ENV] == str(tmp_path / "shared")
    assert env[audit.AUDIT_DIR_ENV] == str(tmp_path / "shared" / "audit")

    monkeypatch.setenv(SNAPSHOT_DIR_ENV, "/stale/shared")
    monkeypatch.setenv(audit.AUDIT_DIR_ENV, "/stale/audit")
    plain = serve_environment(db=None, roles=None, no_auth=False, lang="ja")
    assert SNAPSHOT_DIR_ENV not in plain and audit.AUDIT_DIR_ENV not in plain


def test_the_dashboard_door_reads_the_shared_folder_on_a_replica(writer, tmp_path, monkeypatch):
    from dashboard import data

    version = build(writer, tmp_path / "shared")
    monkeypatch.setenv("SHIRUBE_DB", str(tmp_path / "replica" / "absent.duckdb"))
    monkeypatch.setenv(data.SNAPSHOT_DIR_ENV, str(tmp_path / "shared"))

    assert data.is_replica()
    assert data.snapshot() == data.Snapshot(version, tmp_path / "shared" / version)
    with open_snapshot(data.snapshot().path) as con:
        assert data.snapshot_info(con, None)["version"].to_list() == [version]

    monkeypatch.setenv(data.SNAPSHOT_DIR_ENV, str(tmp_path / "nothing-published-yet"))
    assert data.snapshot() is None
