"""A published version is a manifest naming one DuckDB file per mart (pipelines/snapshot_files.py):
an incremental publish writes files only for the marts that changed and reuses the others'; a
file goes only when no kept version names it; readers of an older version keep reading it.

Real files through the real ingest and build (the helpers of test_build_incremental.py).
"""

from __future__ import annotations

from pathlib import Path

from test_build_incremental import BUILD_DATE, SCHOOLS, returns_csv, schools_csv

from pipelines.build import build_warehouse
from pipelines.ingest import ingest_files
from pipelines.snapshot_files import manifests, read_manifest, version_of
from pipelines.warehouse import current_snapshot, open_snapshot, snapshot_dir


def ingest(db: Path, folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    assert ingest_files([path], db, lang="en")[0].status == "loaded"


def test_an_incremental_publish_writes_only_the_changed_marts_and_prunes_unused_files(
    tmp_path: Path, monkeypatch
) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("[snapshots]\nkeep = 2\n", encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    db, inbox = tmp_path / "w.duckdb", tmp_path / "in"
    inbox.mkdir()
    first, second, _third = (s[0] for s in SCHOOLS)
    ingest(db, inbox, "schools.csv", schools_csv(SCHOOLS))
    ingest(db, inbox, "r1.csv", returns_csv([(first, 2025, 1, "2025-07-01", 60.0)]))
    full = build_warehouse(db, lang="en", build_date=BUILD_DATE)
    assert full.published_whole
    old_version, old_manifest = current_snapshot(db)
    old = read_manifest(old_manifest)
    assert all(rel == f"parts/{name}/{old_version}.duckdb" for name, rel in old.items())
    reader = open_snapshot(old_manifest)  # a reader of the first version, kept open
    old_rows = reader.execute("select count(*) from marts.school_year_benchmark").fetchone()

    ingest(db, inbox, "r2.csv", returns_csv([(second, 2025, 1, "2025-07-02", 90.0)]))
    incremental = build_warehouse(db, lang="en", build_date=BUILD_DATE)
    assert not incremental.full and not incremental.published_whole
    version, manifest = current_snapshot(db)
    new = read_manifest(manifest)
    assert set(new) == set(old)
    written = {name for name, rel in new.items() if rel != old[name]}
    # The new return's marts, the file list and the snapshot's own record got new files ...
    assert {
        "marts.school_year_benchmark",
        "marts.return_history",
        "marts.area_year_benchmark",
        "marts.ingest_files",
        "meta.snapshot",
    } <= written
    # ... what it cannot change (the registry, the activities' marts) kept the first version's.
    assert {"marts.dim_school", "marts.dim_area", "marts.coverage"} <= set(new) - written
    assert {name for name, _s in incremental.publish_steps} - {
        "manifest, pointer and pruning"
    } == written
    with open_snapshot(manifest) as snap:
        assert snap.execute("select version from meta.snapshot").fetchone() == (version,)
        assert snap.execute(
            "select count(distinct school_code) from marts.school_year_benchmark"
        ).fetchone() == (2,)
    assert reader.execute("select count(*) from marts.school_year_benchmark").fetchone() == (
        old_rows
    )

    ingest(db, inbox, "r3.csv", returns_csv([(second, 2025, 2, "2025-11-02", 95.0)]))
    build_warehouse(db, lang="en", build_date=BUILD_DATE)
    # keep = 2: the first manifest goes, with the files only it named; shared ones stay.
    kept = manifests(snapshot_dir(db))
    assert [version_of(m) for m in kept] == [version, current_snapshot(db)[0]]
    named = {snapshot_dir(db) / rel for m in kept for rel in read_manifest(m).values()}
    on_disk = {p for p in (snapshot_dir(db) / "parts").glob("*/*") if p.is_file()}
    assert on_disk == named
    assert (snapshot_dir(db) / old["marts.dim_school"]) in on_disk
    assert not (snapshot_dir(db) / old["marts.school_year_benchmark"]).exists()
    # The reader of the first version still reads it (Linux keeps deleted open files).
    assert reader.execute("select count(*) from marts.school_year_benchmark").fetchone() == (
        old_rows
    )
    reader.close()
