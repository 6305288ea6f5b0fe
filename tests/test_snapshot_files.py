"""A published version is a manifest naming one DuckDB file per mart (pipelines/snapshot_files.py):
an incremental publish writes only the changed marts' changed rows (one layer file for the
version) and reuses every other file; a relation's layers are compacted into a new base part
past MAX_LAYERS; a file goes only when no kept version names it; readers of an older version keep
reading it.

Real files through the real ingest and build (the helpers of test_build_incremental.py).
"""

from __future__ import annotations

from pathlib import Path

from test_build_incremental import BUILD_DATE, SCHOOLS, mart_differences, returns_csv, schools_csv

from pipelines import warehouse
from pipelines.build import build_warehouse
from pipelines.ingest import ingest_files
from pipelines.snapshot_files import files_of, manifests, read_layers, read_manifest, version_of
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
    old_files, new_files = files_of(old_manifest), files_of(manifest)
    written = {name for name, named in new_files.items() if named != old_files[name]}
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
    # ... the marts rebuilt for the changed rows got only those rows: their first version's
    # part, with one layer each in this version's one layer file; those rebuilt whole (the file
    # list, the snapshot's own record) a new part each.
    layer_file = f"parts/_layers/{version}.duckdb"
    layered = {name for name in written if new[name] == old[name]}
    assert {"marts.school_year_benchmark", "marts.return_history"} <= layered
    assert all([f for _w, f in read_layers(manifest)[name]] == [layer_file] for name in layered)
    whole = written - layered
    assert {"marts.ingest_files", "meta.snapshot"} <= whole
    assert all(new[name] == f"parts/{name}/{version}.duckdb" for name in whole)
    assert {name for name, _s in incremental.publish_steps} == whole | {
        f"changed rows of {len(layered)} relations (one layer file)",
        "manifest, pointer and pruning",
    }
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
    named = {snapshot_dir(db) / f for m in kept for fs in files_of(m).values() for f in fs}
    on_disk = {p for p in (snapshot_dir(db) / "parts").glob("*/*") if p.is_file()}
    assert on_disk == named
    assert (snapshot_dir(db) / old["marts.dim_school"]) in on_disk
    assert (snapshot_dir(db) / old["marts.school_year_benchmark"]) in on_disk  # a base part
    assert not (snapshot_dir(db) / old["meta.snapshot"]).exists()
    # The reader of the first version still reads it (Linux keeps deleted open files).
    assert reader.execute("select count(*) from marts.school_year_benchmark").fetchone() == (
        old_rows
    )
    reader.close()


def test_past_max_layers_a_relation_is_compacted_and_every_version_reads_as_a_full_build(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(warehouse, "MAX_LAYERS", 2)
    incremental_db, full_db = tmp_path / "inc" / "w.duckdb", tmp_path / "full" / "w.duckdb"
    inbox = tmp_path / "in"
    inbox.mkdir()
    first, second, third = (s[0] for s in SCHOOLS)
    sequence = [
        ("schools.csv", schools_csv(SCHOOLS)),
        ("r1.csv", returns_csv([(first, 2025, 1, "2025-07-01", 60.0)])),
        ("r2.csv", returns_csv([(second, 2025, 1, "2025-07-02", 90.0)])),
        ("r3.csv", returns_csv([(first, 2025, 2, "2025-11-03", 70.0)])),
        ("r4.csv", returns_csv([(third, 2025, 1, "2025-07-04", 100.0)])),
        ("r5.csv", returns_csv([(second, 2025, 2, "2025-11-05", 40.0)])),
    ]
    relation = "marts.school_year_benchmark"
    seen = []  # (layers of the relation, its base part's version) after each file
    for name, text in sequence:
        for db in (incremental_db, full_db):
            db.parent.mkdir(exist_ok=True)
            ingest(db, inbox, name, text)
        build_warehouse(incremental_db, lang="en", build_date=BUILD_DATE)
        build_warehouse(full_db, lang="en", build_date=BUILD_DATE, full=True)
        version, manifest = current_snapshot(incremental_db)
        differences = mart_differences(manifest, current_snapshot(full_db)[1])
        assert {t: d for t, d in differences.items() if d != (0, 0)} == {}, name
        base = Path(read_manifest(manifest)[relation]).stem
        seen.append((len(read_layers(manifest).get(relation, [])), base == version))
    # Full (the registry), then a layer and a second; the third change compacts the two with it
    # into a new base part, and the next changes are layers above that.
    assert seen == [(0, True), (1, False), (2, False), (0, True), (1, False), (2, False)]
