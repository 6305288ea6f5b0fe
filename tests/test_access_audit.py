"""The audit log: events spooled by the dashboard land in raw.audit_log after the next build,
exactly once, and reach marts.audit_log for ASKNET staff."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from access_warehouse import SCHOOL_B, make_real_warehouse
from streamlit.testing.v1 import AppTest

from pipelines import audit
from pipelines.build import build_warehouse
from pipelines.warehouse import current_snapshot, open_snapshot

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def raw_events(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select user_email, action, target, detail from raw.audit_log order by occurred_at"
        ).fetchall()
    finally:
        con.close()


def test_spooled_events_are_imported_by_the_next_build_exactly_once(tmp_path):
    db = tmp_path / "shirube.duckdb"
    make_real_warehouse(db, tmp_path / "sample")
    assert audit.record(db, user="a@x.jp", action="login", target="asknet")
    assert audit.record(db, user="b@x.jp", action="export", target="support_2025.csv")
    build_warehouse(db, lang="en")
    expected = [
        ("a@x.jp", "login", "asknet", ""),
        ("b@x.jp", "export", "support_2025.csv", ""),
    ]
    assert raw_events(db) == expected
    build_warehouse(db, lang="en")  # nothing new: nothing imported again
    assert raw_events(db) == expected
    audit.record(db, user="a@x.jp", action="view_school", target=SCHOOL_B)
    build_warehouse(db, lang="en")
    assert raw_events(db)[2:] == [("a@x.jp", "view_school", SCHOOL_B, "")]
    snap = open_snapshot(current_snapshot(db)[1])
    try:
        published = snap.execute("select count(*) from marts.audit_log").fetchone()[0]
    finally:
        snap.close()
    assert published == 3


def test_a_half_written_line_waits_for_the_next_import(tmp_path):
    db = tmp_path / "shirube.duckdb"
    make_real_warehouse(db, tmp_path / "sample")
    audit.record(db, user="a@x.jp", action="login")
    spool = next(audit.spool_dir(db).glob("*.jsonl"))
    later = datetime.now(UTC).isoformat()
    event = json.dumps({"at": later, "user": "c@x.jp", "action": "upload"})
    with spool.open("ab") as fh:
        fh.write(event[:20].encode())  # a writer caught mid-line
    build_warehouse(db, lang="en")
    assert [e[0] for e in raw_events(db)] == ["a@x.jp"]
    with spool.open("ab") as fh:
        fh.write(event[20:].encode() + b"\n")
    build_warehouse(db, lang="en")
    assert [e[:2] for e in raw_events(db)] == [("a@x.jp", "login"), ("c@x.jp", "upload")]


def test_events_from_many_threads_are_all_kept_whole(tmp_path):
    db = tmp_path / "shirube.duckdb"
    make_real_warehouse(db, tmp_path / "sample")

    def burst(n: int) -> None:
        for i in range(50):
            audit.record(db, user=f"u{n}@x.jp", action="view_school", target=f"S{i}")

    threads = [threading.Thread(target=burst, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    build_warehouse(db, lang="en")
    events = raw_events(db)
    assert len(events) == 200 and all(e[1] == "view_school" for e in events)


def test_a_school_profile_viewed_in_the_app_is_in_the_audit_log_after_the_build(
    tmp_path, monkeypatch
):
    db = tmp_path / "shirube.duckdb"
    make_real_warehouse(db, tmp_path / "sample")
    monkeypatch.setenv("SHIRUBE_DB", str(db))
    monkeypatch.setenv("SHIRUBE_NO_AUTH", "1")
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page("views/school.py")
    app.query_params["school"] = SCHOOL_B
    app.run()
    assert not app.exception
    assert any(SCHOOL_B in c.value for c in app.caption)  # the profile is shown
    app.run()  # a rerun of the same profile is the same view
    build_warehouse(db, lang="en")
    assert raw_events(db) == [("anonymous", "view_school", SCHOOL_B, "")]
