"""The audit log: who did what and when (logins, school profiles viewed, exports, uploads).

The dashboard reads snapshots only and DuckDB allows one writing process, so a page never writes
the warehouse under a click. `record` appends one JSON line per event to a spool folder beside
the DB (`<stem>.audit/<date>-<pid>.jsonl`, flushed to disk before returning). The next writer run
(`shirube build`) calls `import_spool` under the writer lock: new complete lines go into
`raw.audit_log` and each file's imported byte count into `raw.audit_imports`, in one transaction,
so every event is imported exactly once even if a build fails or two servers share a folder.

A replica on another machine (`shirube serve --snapshot-dir`) has no DB beside it: `shirube serve`
sets SHIRUBE_AUDIT_DIR (default `<snapshot-dir>/audit`), and the writer's `shirube build
--parquet-dir` imports that folder too. File names carry the host name, so servers on different
machines never append to the same file.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

import duckdb

log = logging.getLogger("shirube.audit")

ACTIONS = ("login", "view_school", "export", "upload", "denied", "view_student")
AUDIT_DIR_ENV = "SHIRUBE_AUDIT_DIR"


def spool_dir(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.stem}.audit"


def record_dir(db_path: Path) -> Path:
    """Where this server spools: SHIRUBE_AUDIT_DIR (a replica), else beside the DB."""
    configured = os.environ.get(AUDIT_DIR_ENV)
    return Path(configured) if configured else spool_dir(db_path)


def record(db_path: Path, *, user: str, action: str, target: str = "", detail: str = "") -> bool:
    """Append one event to the spool; False (and a log line) if it could not be written.

    One `write` of a whole line on a file opened for appending, then fsync: lines from several
    threads or processes never interleave, and a crash loses at most the line being written.
    """
    event = {
        "at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "user": user,
        "action": action,
        "target": target,
        "detail": detail,
    }
    line = (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8")
    folder = record_dir(db_path)
    host = socket.gethostname().replace("/", "_") or "host"
    path = folder / f"{datetime.now(UTC):%Y%m%d}-{host}-{os.getpid()}.jsonl"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        log.exception("audit event could not be written: %s %s", action, target)
        return False
    return True


def _complete_lines(path: Path, start: int) -> tuple[list[bytes], int]:
    """Whole lines after byte `start`, and the offset after the last whole line."""
    with path.open("rb") as fh:
        fh.seek(start)
        data = fh.read()
    end = data.rfind(b"\n") + 1  # a line still being written is left for the next import
    return data[:end].splitlines(), start + end


def import_spool(con: duckdb.DuckDBPyConnection, db_path: Path, folder: Path | None = None) -> int:
    """Import new spooled events into raw.audit_log; the number imported.

    Call under the writer lock with a connection from `connect_writer` (which creates the
    tables). A line that is not a valid event is kept with action 'unreadable', not dropped.
    `folder` defaults to the spool beside the DB (replicas' spool: `<parquet-dir>/audit`).
    """
    folder = folder or spool_dir(db_path)
    if not folder.is_dir():
        return 0
    done = dict(con.execute("select file_name, imported_bytes from raw.audit_imports").fetchall())
    imported = 0
    con.execute("begin transaction")
    try:
        for path in sorted(folder.glob("*.jsonl")):
            start = done.get(path.name, 0)
            if path.stat().st_size <= start:
                continue
            lines, end = _complete_lines(path, start)
            rows = [_row(path.name, raw) for raw in lines if raw.strip()]
            if rows:
                con.executemany(
                    "insert into raw.audit_log (occurred_at, user_email, action, target, detail, "
                    "spool_file) values (?, ?, ?, ?, ?, ?)",
                    rows,
                )
            con.execute(
                "insert or replace into raw.audit_imports (file_name, imported_bytes) "
                "values (?, ?)",
                [path.name, end],
            )
            imported += len(rows)
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return imported


def _row(file_name: str, raw: bytes) -> tuple:
    try:
        event = json.loads(raw.decode("utf-8"))
        at = datetime.fromisoformat(event["at"]).astimezone(UTC).replace(tzinfo=None)
        return (
            at,
            str(event.get("user", "")),
            str(event.get("action", "")),
            str(event.get("target", "")),
            str(event.get("detail", "")),
            file_name,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        text = raw.decode("utf-8", "replace")[:500]
        return (datetime.now(UTC).replace(tzinfo=None), "", "unreadable", "", text, file_name)
