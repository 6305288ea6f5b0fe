"""Open mode is allowed only on the demo sample: the mark `shirube demo` leaves, checked against
the current snapshot, so real files or a later build end it."""

from __future__ import annotations

from access_warehouse import SCHOOL_A, make_real_warehouse, returns_csv

from pipelines.build import build_warehouse
from pipelines.ingest import IngestSource, ingest_files
from pipelines.sample_mark import is_sample_warehouse, mark_if_sample, marker_path


def test_a_warehouse_of_sample_files_is_marked_and_recognised(tmp_path):
    db, sample = tmp_path / "shirube.duckdb", tmp_path / "sample"
    make_real_warehouse(db, sample)
    assert not is_sample_warehouse(db)  # built from sample files, but no demo marked it
    assert mark_if_sample(db, sample)
    assert is_sample_warehouse(db)


def test_real_files_loaded_after_the_demo_end_open_mode(tmp_path):
    db, sample = tmp_path / "shirube.duckdb", tmp_path / "sample"
    make_real_warehouse(db, sample)
    mark_if_sample(db, sample)
    ingest_files([IngestSource("本番.csv", returns_csv((SCHOOL_A,)).replace(b"80", b"90"))], db)
    build_warehouse(db, lang="en")
    assert not is_sample_warehouse(db)
    # Marking again (a demo run over real data) refuses and removes the mark.
    assert not mark_if_sample(db, sample)
    assert not marker_path(db).exists()


def test_a_warehouse_with_files_not_in_the_sample_folder_is_never_marked(tmp_path):
    db, sample = tmp_path / "shirube.duckdb", tmp_path / "sample"
    make_real_warehouse(db, sample)
    (sample / "自己評価.csv").write_bytes(b"changed")  # the loaded file no longer matches
    assert not mark_if_sample(db, sample)
    assert not is_sample_warehouse(db)


def test_an_empty_warehouse_is_not_the_sample(tmp_path):
    assert not mark_if_sample(tmp_path / "none.duckdb", tmp_path)
    assert not is_sample_warehouse(tmp_path / "none.duckdb")
