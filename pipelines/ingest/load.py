"""Loading one file: one transaction, the archive copy, the ingest-log row and the quarantine.

Order of work for a file: hash the bytes (same bytes already loaded -> duplicate); read it (a file
that cannot be read is rejected before anything is written); then, in ONE transaction: stage the
rows, check every rule, insert good rows into raw.<kind> and broken ones' reasons into
raw.quarantine, write the archive copy (atomically, named by SHA-256, before the commit so the log
never points to a missing file; a leftover copy without a log row is harmless and reused), write
the ingest-log row, commit. Any error rolls the transaction back and the file is rejected.

A text file is read from its path in blocks and loaded in chunks of about [ingest] chunk_mb of
text (see `textstream`, `reading.open_chunks`, `rows.FileLoad`), all in the file's one
transaction, so memory stays bounded whatever the file's size; a small file is one chunk.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import duckdb
import polars as pl

from pipelines.i18n import both, t
from pipelines.ingest.ahead import read_ahead
from pipelines.ingest.archive import Archiving, archived
from pipelines.ingest.headers import header_label
from pipelines.ingest.prefetch import Prepared
from pipelines.ingest.reading import (
    FileRejected,
    ParsedFile,
    batched,
    first_rows,
    open_chunks,
)
from pipelines.ingest.rows import FileLoad
from pipelines.ingest.staging import SchoolRegistry, typed_frame
from pipelines.ingest.textstream import scan
from pipelines.settings import settings
from pipelines.warehouse import archive_dir

STEPS = ("read", "check", "load", "commit")


@dataclass(frozen=True)
class IngestSource:
    """A file's name and bytes, e.g. an upload from the dashboard; or its name and `path`, read
    from there in blocks (then `data` is empty)."""

    name: str
    data: bytes = b""
    source_path: str | None = None
    path: Path | None = None

    def open(self) -> BinaryIO:
        return open(self.path, "rb") if self.path is not None else io.BytesIO(self.data)


def chunk_bytes_setting() -> int:
    return int(float(settings()["ingest"]["chunk_mb"]) * 1024 * 1024)


@dataclass(frozen=True)
class QuarantineRow:
    row: int
    column: str | None
    value: str | None
    rule: str
    reason_ja: str
    reason_en: str

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason_ja


@dataclass
class FileResult:
    path: str
    kind: str | None
    status: str  # loaded | rejected | duplicate
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason_ja: str | None = None
    reason_en: str | None = None
    file_id: int | None = None
    rows_warned: int = 0
    quarantine: list[QuarantineRow] = field(default_factory=list)

    def quarantine_rows(self) -> list[QuarantineRow]:
        """The file's quarantined rows (first rows.QUARANTINE_ROWS_KEPT), by row then rule."""
        return list(self.quarantine)

    def reason(self, lang: str) -> str | None:
        return self.reason_en if lang == "en" else self.reason_ja


@dataclass(frozen=True)
class ProgressEvent:
    file_index: int  # 0-based
    file_count: int
    name: str
    step: str  # one of STEPS
    step_index: int
    size_bytes: int


Progress = Callable[[ProgressEvent], None]


def _now() -> datetime:
    return datetime.now()


def _rejection_reason(exc: FileRejected) -> tuple[str, str]:
    """The file-level reason in both languages; kinds and missing columns named per language."""

    def text(lang: str) -> str:
        values = dict(exc.values)
        if "kind" in values:
            values["kind"] = t(f"ingest.kind_{values['kind']}", lang)
        joiner = ", " if lang == "en" else "、"
        if "missing" in values:
            values["missing"] = joiner.join(header_label(f, lang) for f in values["missing"])
        if "duplicates" in values:
            values["duplicates"] = joiner.join(str(c) for c in values["duplicates"])
        return t(f"ingest.reject_{exc.key}", lang, **values)

    return text("ja"), text("en")


def _log(
    con: duckdb.DuckDBPyConnection,
    result: FileResult,
    *,
    sha: str,
    source: IngestSource,
    archive_path: str | None,
    started: datetime,
    user: str,
) -> None:
    con.execute(
        "insert into raw.ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.file_id,
            sha,
            source.name,
            source.source_path,
            archive_path,
            result.kind,
            result.status,
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            result.reason_ja,
            result.reason_en,
            started,
            _now(),
            user,
        ],
    )


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open. A failed commit (out of memory, disk full) has
    already ended it, and rolling back again would raise "no transaction is active" over the
    first error."""
    try:
        con.rollback()
    except duckdb.Error:
        pass


def _log_alone(con: duckdb.DuckDBPyConnection, result: FileResult, **kwargs) -> FileResult:
    """Record a rejected or duplicate file in its own small transaction."""
    con.begin()
    try:
        result.file_id = con.execute("select nextval('raw.file_seq')").fetchall()[0][0]
        _log(con, result, **kwargs)
        con.commit()
    except Exception:
        rollback_quietly(con)
        raise
    return result


class _Unusable(Exception):
    """A chunk past the first could not be read: the file is rejected with this reason."""

    def __init__(self, reason: tuple[str, str]) -> None:
        super().__init__(reason[1])
        self.reason = reason


def _reading_failure(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, FileRejected):
        return _rejection_reason(exc)
    # A damaged file the readers choke on: reject, never a traceback.
    return both("ingest.reject_unreadable", detail=type(exc).__name__)


def ingest_one(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    source: IngestSource,
    *,
    kind: str | None,
    user: str,
    allowed_schools: set[str] | None,
    registry: SchoolRegistry,
    step: Callable[[str], None],
    chunk_bytes: int | None = None,
    prepared: Prepared | None = None,
) -> FileResult:
    """Ingest one file; never raises for bad input (the file is rejected with a reason).
    `prepared`: the file already hashed, read and typed in another thread (ingest.prefetch)."""
    started = _now()
    shown_path = source.source_path or source.name
    step("read")
    facts = prepared.scanned() if prepared is not None else scan(source.open)
    sha = facts.sha256
    earlier = con.execute(
        "select file_id, original_name, archive_path, kind from raw.ingest_log "
        "where sha256 = ? and status = 'loaded' order by file_id limit 1",
        [sha],
    ).fetchall()
    earlier = earlier[0] if earlier else None
    log_args = {"sha": sha, "source": source, "started": started, "user": user}
    if earlier:
        if prepared is not None:
            prepared.close()
        ja, en = both("ingest.duplicate", file_id=earlier[0], name=earlier[1])
        result = FileResult(shown_path, earlier[3], "duplicate", reason_ja=ja, reason_en=en)
        return _log_alone(con, result, archive_path=earlier[2], **log_args)

    # Values parsed in one chunk are not parsed again in the next.
    lookups: dict = prepared.lookups if prepared is not None else {}

    def typed(parsed: ParsedFile, known: pl.Series | None):
        return typed_frame(parsed, known_schools=known, scope=allowed_schools, lookups=lookups)

    try:
        if prepared is not None:
            chunks, parsed = prepared.read()
        else:
            chunks = open_chunks(
                source.name, source.open, facts, kind, chunk_bytes or chunk_bytes_setting()
            )
            # A file with no data row at all is rejected before its transaction.
            parsed = first_rows(chunks)
        step("check")
        # Read here, in this thread: the later chunks are typed in another (read_ahead), which
        # must not use the connection.
        known = None if parsed.kind == "schools" else registry.codes()
        first = prepared.typed_for(known) if prepared is not None else None
        if first is None:
            first = typed(parsed, known)
    except Exception as exc:  # noqa: BLE001 - FileRejected, or a damaged file
        ja, en = _reading_failure(exc)
        result = FileResult(shown_path, kind, "rejected", reason_ja=ja, reason_en=en)
        return _log_alone(con, result, archive_path=None, **log_args)

    file_kind = parsed.kind
    archiving: Archiving | None = None
    con.begin()
    try:
        archiving = Archiving(archive_dir(db_path), sha, source.name, source.open, facts.size)
        file_id = con.execute("select nextval('raw.file_seq')").fetchall()[0][0]
        step("load")
        load = FileLoad(con, file_id, scoped=allowed_schools is not None, batch=registry)
        # The chunks after the first (which is read and typed before the transaction, so that
        # a file that is rejected as a whole is) go a few at a time: [ingest] insert_rows. While
        # DuckDB inserts one batch, a thread types the next and tells whether any of its rows
        # breaks a rule (on a connection of its own, for the rules polars does not read), and
        # another reads the one after it: reading alone took a third of a batch's work, and
        # the three steps overlapping made the four large files of benchmarks/bench_ingest.py
        # 3.78 -> 3.63 s, for one batch more in memory (peak 600 -> 645 MB).
        batches = batched(chunks, int(settings()["ingest"].get("insert_rows", 0)))
        with (
            closing(con.cursor()) as reader,
            read_ahead(batches) as read,
            read_ahead(
                load.prechecked(reader, parsed, typed(parsed, known)) for parsed in read
            ) as ahead,
        ):
            load.add(parsed, first)
            del first, parsed  # the first chunk's rows are not kept while the rest load
            while True:
                try:
                    item = next(ahead, None)
                except Exception as exc:  # noqa: BLE001 - see _reading_failure
                    raise _Unusable(_reading_failure(exc)) from exc
                if item is None:
                    break
                load.add(*item)
                del item
        load.finish()
        relative = archived(archiving)
        result = FileResult(
            shown_path,
            file_kind,
            "loaded",
            rows_read=load.rows_read,
            rows_loaded=load.rows_read - load.quarantined,
            rows_quarantined=load.quarantined,
            file_id=file_id,
            rows_warned=load.warned,
            quarantine=[QuarantineRow(*r) for r in load.shown],
        )
        _log(con, result, archive_path=relative, **log_args)
        step("commit")
        con.commit()
        if file_kind == "schools":
            registry.changed()
        return result
    except Exception as exc:
        rollback_quietly(con)
        if archiving is not None:
            archiving.undo()
        registry.loops = None  # it may hold rows of this file: read the links again
        if isinstance(exc, _Unusable):
            (ja, en), shown_kind = exc.reason, kind
        else:
            detail = f"{type(exc).__name__}: {exc}"[:300]
            (ja, en), shown_kind = both("ingest.reject_load_failed", detail=detail), file_kind
        result = FileResult(shown_path, shown_kind, "rejected", reason_ja=ja, reason_en=en)
        return _log_alone(con, result, archive_path=None, **log_args)
