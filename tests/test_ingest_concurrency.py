"""Processes: a kill mid-file changes nothing, two ingests queue, readers of a snapshot are safe."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_ingest_support import (
    JUNIOR_HIGH,
    query,
    register_schools,
    table_counts,
    write_csv,
)

from pipelines.warehouse import connect_writer, current_snapshot, open_snapshot, publish_snapshot

ROOT = Path(__file__).resolve().parents[1]

# Runs ingest_files in a child process; prints each step; at the step named by argv[3] it waits
# for the file named by argv[4] to exist (or forever, until killed).
CHILD = """
import sys, time
from pathlib import Path
from pipelines.ingest import ingest_files
db, source, pause_at, release = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
def progress(event):
    print(event.step, flush=True)
    if event.step == pause_at:
        while not Path(release).exists():
            time.sleep(0.05)
(result,) = ingest_files([source], db, progress=progress)
print("status", result.status, result.rows_loaded, flush=True)
"""


def big_activities(path: Path, rows: int) -> Path:
    """A large activities file, written quickly as one string."""
    line = f"{JUNIOR_HIGH},S{{}},2,employer_encounter,2025-06-10,1.5,企業\n"
    body = "".join(line.format(i) for i in range(rows))
    path.write_text(
        "学校コード,生徒番号,学年,活動種別,実施日,時間,連携先\n" + body, encoding="utf-8"
    )
    return path


def start_child(db: Path, source: Path, pause_at: str, release: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(source), pause_at, str(release)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def wait_for_line(process: subprocess.Popen, wanted: str) -> None:
    for line in process.stdout:
        if line.strip() == wanted:
            return
    raise AssertionError(f"child ended before printing {wanted!r}")


def test_process_killed_mid_file_leaves_the_warehouse_as_before_and_reingest_works(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    before = table_counts(db)
    source = big_activities(tmp_path / "activities.csv", 300_000)
    # Pause inside the file's transaction, after its rows are inserted, just before commit.
    child = start_child(db, source, "commit", tmp_path / "never")
    wait_for_line(child, "commit")
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert table_counts(db) == before
    assert query(
        db, "select count(*) from raw.ingest_log where original_name = ?", ["activities.csv"]
    ) == [(0,)]
    # The same file goes in normally afterwards (not a duplicate: nothing of it was kept).
    rerun = start_child(db, source, "none", tmp_path / "never")
    out, _ = rerun.communicate(timeout=300)
    assert "status loaded 300000" in out
    assert table_counts(db)["activities"] == 300_000


def test_two_ingests_at_once_are_serialised_and_the_second_says_it_is_waiting(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    release = tmp_path / "release"
    first_file = write_csv(
        tmp_path / "first.csv",
        [["学校コード", "年度", "生徒番号", "学年"], [JUNIOR_HIGH, "2025", "S1", "1"]],
    )
    second_file = write_csv(
        tmp_path / "second.csv",
        [["学校コード", "年度", "生徒番号", "学年"], [JUNIOR_HIGH, "2025", "S2", "2"]],
    )
    first = start_child(db, first_file, "load", release)
    wait_for_line(first, "load")
    stderr_path = tmp_path / "second.err"
    with open(stderr_path, "w") as stderr:
        second = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "shirube.cli",
                "ingest",
                "--db",
                str(db),
                "--json",
                "--lang",
                "en",
                str(second_file),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        deadline = time.monotonic() + 60
        while "Waiting for the other ingest" not in stderr_path.read_text():
            assert time.monotonic() < deadline, "the second ingest never said it was waiting"
            assert second.poll() is None, "the second ingest did not wait"
            time.sleep(0.05)
        release.touch()
        out, _ = second.communicate(timeout=120)
    first_out, _ = first.communicate(timeout=120)
    assert "status loaded 1" in first_out
    assert second.returncode == 0
    assert json.loads(out)["files"][0]["status"] == "loaded"
    assert query(db, "select student_ref from raw.roster order by file_id") == [("S1",), ("S2",)]


def test_ingest_while_a_reader_has_the_published_snapshot_open(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    con = connect_writer(db)
    con.execute("create schema if not exists marts")
    con.execute("create table marts.registry as select school_code from raw.schools")
    publish_snapshot(con, db)
    con.close()
    _version, snapshot = current_snapshot(db)
    reader = open_snapshot(snapshot)
    seen_before = reader.execute("select count(*) from marts.registry").fetchall()
    roster = write_csv(
        tmp_path / "roster.csv",
        [["学校コード", "年度", "生徒番号", "学年"], [JUNIOR_HIGH, "2025", "S1", "1"]],
    )
    result = subprocess.run(
        [sys.executable, "-m", "shirube.cli", "ingest", "--db", str(db), "--json", str(roster)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["files"][0]["status"] == "loaded"
    # The reader kept working throughout, and a second reader can still open the snapshot.
    assert reader.execute("select count(*) from marts.registry").fetchall() == seen_before
    assert (
        open_snapshot(snapshot).execute("select count(*) from marts.registry").fetchall()
        == seen_before
    )
    reader.close()
    assert query(db, "select count(*) from raw.roster") == [(1,)]
