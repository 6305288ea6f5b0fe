"""The entry points the CLI and the dashboard's upload page share: expand_paths and ingest_files.

Which files a folder contributes: every `.csv`, `.xlsx`, `.xlsm` and `.xls` below it, recursively,
sorted by path; hidden files and folders (`.name`), Excel's lock files (`~$name`) and anything else
(README.txt, PDFs, images) are skipped, because a coordinator's folder holds notes next to data.
A file named explicitly may also be `.txt` or `.tsv` (read as delimited text).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb

from pipelines.ingest.load import (
    STEPS,
    FileResult,
    IngestSource,
    Progress,
    ProgressEvent,
    chunk_bytes_setting,
    ingest_one,
    rollback_quietly,
)
from pipelines.ingest.names import readable_name
from pipelines.ingest.prefetch import Prepared, prepare
from pipelines.ingest.staging import SchoolRegistry
from pipelines.settings import settings
from pipelines.warehouse import connect_writer, remove_ingest_leftovers, writer_lock

FOLDER_EXTENSIONS = (".csv", ".xlsx", ".xlsm", ".xls")
EXPLICIT_EXTENSIONS = FOLDER_EXTENSIONS + (".txt", ".tsv")


class UsageError(ValueError):
    """A path that cannot be ingested as asked; `key` names the message in ingest.toml."""

    def __init__(self, key: str, path: Path) -> None:
        super().__init__(f"{key}: {path}")
        self.key = key
        self.path = path


def _wanted_in_folder(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    if any(p.startswith(".") for p in parts) or path.name.startswith("~$"):
        return False
    return path.suffix.lower() in FOLDER_EXTENSIONS and path.is_file()


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files to ingest, in the order given; folders contribute their data files sorted by path.

    Raises UsageError for a path that is neither a file nor a folder, or an explicitly named
    file of an unsupported type.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    (p for p in path.rglob("*") if _wanted_in_folder(p, path)),
                    key=lambda p: p.relative_to(path).as_posix(),
                )
            )
        elif path.is_file():
            if path.suffix.lower() not in EXPLICIT_EXTENSIONS:
                raise UsageError("usage_unsupported_extension", path)
            files.append(path)
        else:
            raise UsageError("usage_not_a_file", path)
    return files


def _as_source(item: IngestSource | Path) -> IngestSource:
    if isinstance(item, IngestSource):
        return IngestSource(
            name=readable_name(item.name),
            data=item.data,
            source_path=readable_name(item.source_path) if item.source_path else None,
            path=item.path,
        )
    with open(item, "rb"):  # OSError now for a file that cannot be read at all
        pass
    return IngestSource(
        name=readable_name(item.name), source_path=readable_name(str(item)), path=item
    )


def _size(item: IngestSource | Path) -> int:
    if isinstance(item, IngestSource):
        item = item.path if item.path is not None else item
    if isinstance(item, IngestSource):
        return len(item.data)
    try:
        return item.stat().st_size
    except OSError:
        return 0


def ingest_files(
    sources: list[IngestSource | Path],
    db_path: Path,
    *,
    kind: str | None = None,
    lang: str = "ja",
    user: str = "cli",
    progress: Progress | None = None,
    allowed_schools: set[str] | None = None,
    on_wait: Callable[[], None] | None = None,
    chunk_bytes: int | None = None,
) -> list[FileResult]:
    """Ingest files in order under the writer lock; one FileResult per file, never raising for
    bad input. `allowed_schools` (when not None) quarantines rows of other schools. `on_wait`
    is called once if another ingest or build holds the lock. `lang` is accepted for symmetry
    with the CLI: results carry both languages. `chunk_bytes`: text per chunk of a large file
    (default: [ingest] chunk_mb).
    """
    del lang
    results: list[FileResult] = []
    with writer_lock(db_path, on_wait=on_wait):
        # Under the lock no other ingest or build runs: any .partial file is a killed run's.
        remove_ingest_leftovers(db_path)
        con = connect_writer(db_path)
        _bound_memory(con)
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-next-file")
        ahead: tuple[IngestSource, Future[Prepared]] | None = None  # the next file's
        try:
            registry = SchoolRegistry(con)
            for index, item in enumerate(sources):
                name = readable_name(item.name)
                size = _size(item)
                prepared = None
                if ahead is not None:
                    try:
                        source, prepared = ahead[0], ahead[1].result()
                    except Exception:  # noqa: BLE001 - a fault in preparing: the load redoes it
                        prepared = None
                ahead = None
                if index + 1 < len(sources):
                    ahead = _prepare_next(
                        pool, sources[index + 1], registry, kind, allowed_schools, chunk_bytes
                    )

                def step(
                    step_name: str, index: int = index, name: str = name, size: int = size
                ) -> None:
                    if progress:
                        progress(
                            ProgressEvent(
                                index, len(sources), name, step_name, STEPS.index(step_name), size
                            )
                        )

                if prepared is None:
                    try:
                        source = _as_source(item)
                    except OSError:
                        source = IngestSource(
                            name=name, data=b"", source_path=readable_name(str(item))
                        )
                        results.append(_unreadable(con, source, user))
                        continue
                try:
                    result = ingest_one(
                        con,
                        db_path,
                        source,
                        kind=kind,
                        user=user,
                        allowed_schools=allowed_schools,
                        registry=registry,
                        step=step,
                        chunk_bytes=chunk_bytes,
                        prepared=prepared,
                    )
                except Exception as exc:  # noqa: BLE001 - one file's failure never stops a batch
                    con, result = _failed(con, db_path, source, kind, user, exc)
                    registry = SchoolRegistry(con)
                results.append(result)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            if ahead is not None:  # a batch stopped early: close the next file's reader
                future = ahead[1]
                if future.done() and not future.cancelled() and future.exception() is None:
                    future.result().close()
            con.close()
    return results


def _prepare_next(
    pool: ThreadPoolExecutor,
    item: IngestSource | Path,
    registry: SchoolRegistry,
    kind: str | None,
    allowed_schools: set[str] | None,
    chunk_bytes: int | None,
) -> tuple[IngestSource, Future[Prepared]] | None:
    """Start hashing, reading and typing the batch's next file, `item`, in the pool's thread while
    the current one loads (pipelines.ingest.prefetch; a large file as far as its first chunk),
    if it can be opened; None otherwise (the loop then does it all itself, as before)."""
    limit = chunk_bytes or chunk_bytes_setting()
    if _size(item) <= 0:
        return None
    try:
        source = _as_source(item)
    except OSError:
        return None
    # The codes are read here, in the connection's thread; a registry file loaded before this
    # one makes them stale, and then the load types the rows again (Prepared.typed_for).
    try:
        known = registry.codes()
    except duckdb.Error:
        return None  # not prepared: the load reads them itself, and rejects the file if it must
    future = pool.submit(
        prepare,
        source.name,
        source.open,
        kind=kind,
        chunk_bytes=limit,
        known=known,
        scope=allowed_schools,
    )
    return source, future


def _bound_memory(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB's buffer pool during an ingest ([ingest] duckdb_memory_mb): a large file's rows,
    appended chunk by chunk in one transaction, are written out as they come rather than
    cached, so the process stays bounded whatever the file's size. 0 leaves DuckDB's default.
    And how much log a checkpoint waits for ([ingest] checkpoint_mb): one per tens of
    megabytes of rows, not one every few small files. And no insertion order kept: every raw
    row carries its file and line (file_id, row_number), which every model orders by, so
    DuckDB need not keep the rows in the order they were inserted, and appends them with less
    work (the four large files of benchmarks/profile_ingest.py: inserts 2.6 -> 2.0 s)."""
    con.execute("set preserve_insertion_order = false")
    ingest = settings()["ingest"]
    limit = int(ingest.get("duckdb_memory_mb", 0))
    if limit > 0:
        con.execute(f"set memory_limit = '{limit}MB'")
    checkpoint = int(ingest.get("checkpoint_mb", 0))
    if checkpoint > 0:
        con.execute(f"set checkpoint_threshold = '{checkpoint}MB'")


RECONNECT_TRIES = 5  # a failed commit (memory, disk) may take a moment to clear


def _failed(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    source: IngestSource,
    kind: str | None,
    user: str,
    exc: Exception,
) -> tuple[duckdb.DuckDBPyConnection, FileResult]:
    """Reject a file whose processing failed unexpectedly, logged once the database takes a
    row again. After a failed commit DuckDB may refuse the connection: it is opened again, a
    few times with a pause, before the file is reported without a log row."""
    import time
    from datetime import datetime

    from pipelines.i18n import both
    from pipelines.ingest.load import _log_alone

    rollback_quietly(con)
    ja, en = both("ingest.reject_file_failed", detail=type(exc).__name__)
    result = FileResult(
        source.source_path or source.name, kind, "rejected", reason_ja=ja, reason_en=en
    )
    log_args = {
        "sha": _sha256(source),
        "source": source,
        "archive_path": None,
        "started": datetime.now(),
        "user": user,
    }
    for attempt in range(RECONNECT_TRIES):
        try:
            return con, _log_alone(con, result, **log_args)
        except duckdb.Error:
            pass
        try:
            con.close()
        except duckdb.Error:
            pass
        time.sleep(0.5 * attempt)
        try:
            con = connect_writer(db_path)
            _bound_memory(con)
        except duckdb.Error:
            continue
    return con, result


def _sha256(source: IngestSource) -> str:
    import hashlib

    digest = hashlib.sha256()
    try:
        with source.open() as fh:
            while block := fh.read(8 << 20):
                digest.update(block)
    except OSError:
        pass  # the file went away: its hash as far as it was read
    return digest.hexdigest()


def _unreadable(con, source: IngestSource, user: str) -> FileResult:
    import hashlib
    from datetime import datetime

    from pipelines.i18n import both
    from pipelines.ingest.load import _log_alone

    ja, en = both("ingest.reject_cannot_open")
    result = FileResult(
        source.source_path or source.name, None, "rejected", reason_ja=ja, reason_en=en
    )
    return _log_alone(
        con,
        result,
        sha=hashlib.sha256(b"").hexdigest(),
        source=source,
        archive_path=None,
        started=datetime.now(),
        user=user,
    )
