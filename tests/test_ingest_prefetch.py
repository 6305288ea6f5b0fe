"""A batch reads and types its next small file while the current one loads
(pipelines.ingest.prefetch). Whatever was prepared ahead, the batch must load exactly what the
same files load one call at a time: the same results, reasons, rows and quarantine, including
a file whose schools only a registry file just before it makes known, a duplicate, and files
rejected as a whole."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from test_ingest_support import HIGH_SCHOOL, JUNIOR_HIGH, csv_bytes, query, schools_rows

from pipelines.ingest import ingest_files
from pipelines.ingest.prefetch import prepare
from pipelines.ingest.reading import FileRejected

RETURNS = ["学校コード", "年度", "学期", "提出日", "B1", "B2"]
TABLES = ("schools", "returns", "return_scores", "activities", "quarantine", "row_warnings")


def batch(folder: Path) -> list[Path]:
    """Eight files in the order a batch takes them, each with what it should come to."""
    folder.mkdir()
    files = {
        # Only the junior high is registered at first.
        "1_registry.csv": csv_bytes(schools_rows(JUNIOR_HIGH)),
        # The high school's row is quarantined (not in the registry yet); a bad score too.
        "2_returns.csv": csv_bytes(
            [
                RETURNS,
                [JUNIOR_HIGH, "令和6年度", "1", "2024-07-01", "80", "60"],
                [HIGH_SCHOOL, "2024", "1", "2024-07-01", "70", "50"],
                [JUNIOR_HIGH, "2024", "2", "2024-12-01", "abc", "50"],
            ],
            "cp932",
        ),
        # The registry file that makes the high school known ...
        "3_registry.csv": csv_bytes(schools_rows(HIGH_SCHOOL)),
        # ... so its return here loads, though this file was read while file 3 was loading.
        "4_returns.csv": csv_bytes(
            [RETURNS, [HIGH_SCHOOL, "2024", "2", "2024-12-01", "９０", "40"]]
        ),
        "5_same_as_4.csv": csv_bytes(
            [RETURNS, [HIGH_SCHOOL, "2024", "2", "2024-12-01", "９０", "40"]]
        ),
        "6_empty.csv": b"",
        "7_bad_byte.csv": csv_bytes(RETURNS_ROWS, "cp932") + b"\x82\xff,2024\r\n",
        "8_header_only.csv": csv_bytes([RETURNS]),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


RETURNS_ROWS = [RETURNS, [JUNIOR_HIGH, "2024", "3", "2025-02-01", "10", "20"]]


def outcome(results, db: Path) -> tuple:
    files = [
        (
            Path(r.path).name,
            r.kind,
            r.status,
            r.rows_read,
            r.rows_loaded,
            r.rows_quarantined,
            r.reason_en,
            r.reason_ja,
            [tuple(vars(q).values()) for q in r.quarantine],
        )
        for r in results
    ]
    tables = {t: query(db, f"select * from raw.{t} order by all") for t in TABLES}
    return files, tables


def test_a_batch_loads_what_the_files_load_one_at_a_time(tmp_path):
    files = batch(tmp_path / "files")
    seen_threads: list[bool] = []

    def progress(event) -> None:
        names = [t.name for t in threading.enumerate()]
        seen_threads.append(any(n.startswith("ingest-next-file") for n in names))

    batch_db = tmp_path / "batch" / "w.duckdb"
    batch_db.parent.mkdir()
    together = ingest_files(files, batch_db, progress=progress)
    alone_db = tmp_path / "alone" / "w.duckdb"
    alone_db.parent.mkdir()
    alone = [result for path in files for result in ingest_files([path], alone_db)]

    assert any(seen_threads)  # the next file really was being prepared during the batch
    assert outcome(together, batch_db) == outcome(alone, alone_db)
    # And what the files say: file 2's high-school row and bad score are quarantined, file 4
    # loads (its school was registered by file 3), 5 is a duplicate, 6-8 are rejected whole.
    got = [(Path(r.path).name, r.status, r.rows_loaded, r.rows_quarantined) for r in together]
    assert got == [
        ("1_registry.csv", "loaded", 1, 0),
        ("2_returns.csv", "loaded", 1, 2),
        ("3_registry.csv", "loaded", 1, 0),
        ("4_returns.csv", "loaded", 1, 0),
        ("5_same_as_4.csv", "duplicate", 0, 0),
        ("6_empty.csv", "rejected", 0, 0),
        ("7_bad_byte.csv", "rejected", 0, 0),
        ("8_header_only.csv", "rejected", 0, 0),
    ]
    scores = query(
        batch_db,
        "select school_code, term, benchmark_id, score from raw.returns "
        "join raw.return_scores using (file_id, row_number) order by all",
    )
    assert (HIGH_SCHOOL, 2, "B1", 90.0) in scores


def test_prepared_rows_are_given_only_for_the_codes_they_were_typed_against(tmp_path):
    path = tmp_path / "returns.csv"
    path.write_bytes(csv_bytes(RETURNS_ROWS))
    known = {JUNIOR_HIGH}
    prepared = prepare(
        path.name, lambda: open(path, "rb"), kind=None, chunk_bytes=1 << 20, known=known, scope=None
    )
    assert prepared.scanned().size == path.stat().st_size
    chunks, parsed = prepared.read()
    assert parsed.kind == "returns" and parsed.rows_read == 1
    assert prepared.typed_for({JUNIOR_HIGH}) is None  # equal, but not the set it was typed with
    typed = prepared.typed_for(known)
    assert typed is not None and typed["code_known"].to_list() == [True]
    assert prepared.typed_for(known) is None  # handed over once
    prepared.close()


def test_errors_met_while_preparing_are_raised_where_the_load_meets_them(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    read_fails = prepare(
        empty.name,
        lambda: open(empty, "rb"),
        kind=None,
        chunk_bytes=1 << 20,
        known=set(),
        scope=None,
    )
    read_fails.scanned()  # the scan itself went through
    with pytest.raises(FileRejected) as rejected:
        read_fails.read()
    assert rejected.value.key == "file_empty"

    def gone():
        raise FileNotFoundError(str(tmp_path / "gone.csv"))

    scan_fails = prepare("gone.csv", gone, kind=None, chunk_bytes=1 << 20, known=set(), scope=None)
    with pytest.raises(FileNotFoundError):
        scan_fails.scanned()
