"""kill -9 during `shirube ingest` and `shirube build`, at several points: the next run of the
same kind succeeds, nothing is lost or duplicated (row counts equal a clean run's), the
published snapshot opens, and no `.partial` or orphan `.wal` file is left behind.

Kill points: after a delay measured as a share of a clean run's time (anywhere in reading,
loading, committing, building or publishing), and one exact point each through a hook in a
child process: the moment a half-written file (archive copy, snapshot) is about to be renamed
into place, which is where a killed run leaves its largest leftover."""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import xlsxwriter
from test_ingest_support import (
    ELEMENTARY,
    HIGH_SCHOOL,
    JUNIOR_HIGH,
    RAW_TABLES,
    query,
    register_schools,
    schools_rows,
    table_counts,
    write_csv,
)

from pipelines.ingest import ingest_files
from pipelines.warehouse import archive_dir, current_snapshot, open_snapshot, snapshot_dir

ROOT = Path(__file__).resolve().parents[1]
INGEST_KILL_SHARES = (0.2, 0.4, 0.6, 0.8, 0.95)
BUILD_KILL_SHARES = (0.3, 0.6, 0.9)
DATA_TABLES = tuple(t for t in RAW_TABLES if t != "ingest_log")

# Runs the real CLI, but SIGKILLs itself at the instant a .partial file would be renamed into
# place: the archive copy of a file (ingest) or the snapshot (build) is then fully written.
KILL_AT_RENAME = """
import os, signal, sys
real_replace = os.replace
def replace(source, target, *args, **kwargs):
    if str(source).endswith(".partial"):
        os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(source, target, *args, **kwargs)
os.replace = replace
from shirube.cli import main
main(sys.argv[1:])
"""


def inbox(folder: Path) -> Path:
    """Schools, returns, 150,000 activities (CSV) and a roster (xlsx, read in a child)."""
    folder.mkdir()
    write_csv(folder / "1_schools.csv", schools_rows(JUNIOR_HIGH, HIGH_SCHOOL, ELEMENTARY), "cp932")
    write_csv(
        folder / "2_returns.csv",
        [["学校コード", "年度", "学期", "提出日", "B1", "B2"]]
        + [[code, "2025", "1", "2025-07-15", "80", "100"] for code in (JUNIOR_HIGH, HIGH_SCHOOL)],
    )
    line = f"{JUNIOR_HIGH},S{{}},2,employer_encounter,2025-06-10,1.5,企業\n"
    (folder / "3_activities.csv").write_text(
        "学校コード,生徒番号,学年,活動種別,実施日,時間,連携先\n"
        + "".join(line.format(i) for i in range(150_000)),
        encoding="utf-8",
    )
    book = xlsxwriter.Workbook(str(folder / "4_roster.xlsx"))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["学校コード", "年度", "生徒番号", "学年"])
    for i in range(1, 501):
        sheet.write_row(i, 0, [JUNIOR_HIGH, "2025", f"S{i}", 2])
    book.close()
    return folder


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shirube.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def kill_after(seconds: float, *args: str) -> int:
    """Start the CLI, SIGKILL it after `seconds`; its return code (or 0 if it ended first)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "shirube.cli", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.kill(child.pid, signal.SIGKILL)
    return child.wait(timeout=60)


def kill_at_rename(*args: str) -> int:
    child = subprocess.run(
        [sys.executable, "-c", KILL_AT_RENAME, *args], cwd=ROOT, capture_output=True, timeout=600
    )
    return child.returncode


def leftovers(db: Path) -> list[Path]:
    found = list(archive_dir(db).rglob("*.partial")) if archive_dir(db).exists() else []
    folder = snapshot_dir(db)
    if folder.exists():
        found += [p for p in folder.rglob("*") if p.name.endswith((".partial", ".wal", ".tmp"))]
    return found


def marts_counts(db: Path) -> dict[str, int]:
    _version, path = current_snapshot(db)
    con = open_snapshot(path)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        return {
            name: con.execute(f'select count(*) from marts."{name}"').fetchall()[0][0]
            for (name,) in tables
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The same files ingested and built once, undisturbed: the counts to compare with."""
    tmp = tmp_path_factory.mktemp("clean")
    files = inbox(tmp / "inbox")
    db = tmp / "clean.duckdb"
    started = time.monotonic()
    assert run("ingest", "--db", str(db), str(files)).returncode == 0
    ingest_seconds = time.monotonic() - started
    started = time.monotonic()
    built = run("build", "--db", str(db), "--lang", "en")
    assert built.returncode == 0, built.stderr
    build_seconds = time.monotonic() - started
    return files, table_counts(db), marts_counts(db), ingest_seconds, build_seconds


def test_ingest_killed_at_several_points_then_run_again_loses_and_duplicates_nothing(
    clean, tmp_path
):
    files, clean_counts, _, seconds, _ = clean
    db = tmp_path / "w.duckdb"
    assert kill_at_rename("ingest", "--db", str(db), str(files)) == -signal.SIGKILL
    assert any(p.name.endswith(".partial") for p in leftovers(db))  # the kill left one
    killed = [
        kill_after(seconds * share, "ingest", "--db", str(db), str(files))
        for share in INGEST_KILL_SHARES
    ]
    assert killed.count(-signal.SIGKILL) >= 3  # most points really interrupted a run
    final = run("ingest", "--db", str(db), "--json", str(files))
    assert final.returncode == 0, final.stdout + final.stderr
    counts = table_counts(db)
    assert {t: counts[t] for t in DATA_TABLES} == {t: clean_counts[t] for t in DATA_TABLES}
    assert leftovers(db) == []


def test_build_killed_at_several_points_then_run_again_publishes_whole_marts(clean, tmp_path):
    files, _, clean_marts, _, seconds = clean
    db = tmp_path / "w.duckdb"
    assert run("ingest", "--db", str(db), str(files)).returncode == 0
    first = run("build", "--db", str(db))  # a snapshot readers hold while later builds die
    assert first.returncode == 0, first.stderr
    assert kill_at_rename("build", "--db", str(db)) == -signal.SIGKILL
    assert any(p.name.endswith(".duckdb.partial") for p in leftovers(db))
    # --full: nothing new was ingested, so an incremental build would finish before its kill.
    killed = [
        kill_after(seconds * share, "build", "--full", "--db", str(db))
        for share in BUILD_KILL_SHARES
    ]
    assert killed.count(-signal.SIGKILL) >= 2
    assert marts_counts(db) == clean_marts  # readers still had a whole snapshot throughout
    final = run("build", "--db", str(db), "--lang", "en")
    assert final.returncode == 0, final.stderr
    assert marts_counts(db) == clean_marts
    assert leftovers(db) == []


def test_a_partial_file_is_removed_only_once_the_run_writing_it_has_let_go(clean, tmp_path):
    """Leftovers are cleaned under the writer lock: while another run holds it (and may be
    writing its .partial), the next ingest waits and removes nothing; once it is free, the
    .partial can only be a dead run's, and it goes."""
    files, _, _, _, _ = clean
    db = tmp_path / "w.duckdb"
    lock = db.parent / f"{db.name}.lock"
    with open(lock, "a+") as held:  # stands for a running ingest
        fcntl.flock(held, fcntl.LOCK_EX)
        shard = archive_dir(db) / "ab"
        shard.mkdir(parents=True)
        partial = shard / f".ab{'0' * 62}.csv.{os.getpid()}.partial"
        partial.write_bytes(b"half of a file being written")
        waiting = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "shirube.cli",
                "ingest",
                "--db",
                str(db),
                "--lang",
                "en",
                str(files / "1_schools.csv"),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert "Waiting for the other ingest" in waiting.stderr.readline()
        assert partial.exists()
        fcntl.flock(held, fcntl.LOCK_UN)
    assert waiting.wait(timeout=600) == 0
    assert not partial.exists()


def test_a_failed_commit_rejects_its_file_and_the_next_file_still_loads(tmp_path):
    """DuckDB's commit fails for real (its WAL path is briefly a folder, as a full or broken
    disk would make it fail) and ends the transaction itself: the rollback that follows must not
    fail again ("no transaction is active") and stop the batch, and the file's archive copy
    goes with it."""
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    header = ["学校コード", "年度", "生徒番号", "学年"]
    first = write_csv(tmp_path / "a.csv", [header, [JUNIOR_HIGH, "2025", "S1", "1"]])
    second = write_csv(tmp_path / "b.csv", [header, [JUNIOR_HIGH, "2025", "S2", "1"]])
    wal = tmp_path / "w.duckdb.wal"

    def break_the_commit_of_a(event):
        if event.name == "a.csv" and event.step == "commit":
            wal.mkdir()
            threading.Timer(0.3, wal.rmdir).start()  # the disk recovers a moment later

    a, b = ingest_files([first, second], db, progress=break_the_commit_of_a)
    assert (a.status, b.status) == ("rejected", "loaded")
    assert "何も取り込んでいません" in a.reason_ja and "nothing from it was kept" in a.reason_en
    assert query(db, "select student_ref from raw.roster") == [("S2",)]
    assert query(db, "select original_name, status from raw.ingest_log order by file_id")[1:] == [
        ("a.csv", "rejected"),
        ("b.csv", "loaded"),
    ]
    # The archive copy (made beside the load) goes with the rejected file; b's stays.
    archived = {p.name.split(".")[0] for p in archive_dir(db).rglob("*") if p.is_file()}
    assert hashlib.sha256(first.read_bytes()).hexdigest() not in archived
    assert hashlib.sha256(second.read_bytes()).hexdigest() in archived
