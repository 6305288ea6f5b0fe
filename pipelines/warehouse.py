"""Where the warehouse lives, who may write it, and how readers get a consistent copy.

One writer process at a time (ingest or build) holds an exclusive file lock next to the DuckDB
file. Readers (the dashboard, reports) never open the writer's file: `shirube build` publishes an
immutable snapshot file, then swaps a small pointer file atomically. Readers open the newest
snapshot read-only and notice a new version on their next query, with no lock on either side.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

DEFAULT_DB = Path("data") / "shirube.duckdb"


def sql_str(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def resolve_db_path(db: str | os.PathLike[str] | None = None) -> Path:
    """--db, else SHIRUBE_DB, else data/shirube.duckdb (relative to the working directory)."""
    chosen = db or os.environ.get("SHIRUBE_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def archive_dir(db_path: Path) -> Path:
    """Byte-for-byte copies of every ingested file, named by their SHA-256."""
    return db_path.parent / f"{db_path.stem}.archive"


def snapshot_dir(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.stem}.snapshots"


def _pointer(db_path: Path) -> Path:
    return snapshot_dir(db_path) / "CURRENT.json"


def raw_schema_sql() -> str:
    return resources.files(__package__).joinpath("raw_schema.sql").read_text("utf-8")


def connect_writer(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the writer's database, creating it and the raw schema if needed.

    Call inside `writer_lock`; DuckDB allows one writing process per file.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    con.execute(raw_schema_sql())
    return con


@contextmanager
def writer_lock(
    db_path: Path, on_wait: Callable[[], None] | None = None, poll_seconds: float = 0.2
) -> Iterator[None]:
    """Hold the exclusive writer lock for `db_path`; call `on_wait` once if another holds it."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.parent / f"{db_path.name}.lock"
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    time.sleep(poll_seconds)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove(paths: Iterator[Path] | list[Path]) -> int:
    removed = 0
    for path in paths:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            continue
    return removed


def remove_ingest_leftovers(db_path: Path) -> int:
    """Delete archive copies a killed ingest left half-written (`.<sha>.<pid>.partial`); the
    number removed. Call only under `writer_lock`: then no ingest that could still be writing
    one is running, and a file with the same content is simply archived again."""
    folder = archive_dir(db_path)
    if not folder.is_dir():
        return 0
    return _remove([p for p in folder.glob("*/.*.partial") if p.is_file()])


def remove_build_leftovers(db_path: Path) -> int:
    """Delete what a killed build left in the snapshot folder: `<version>.duckdb.partial` and
    its `.wal`, a half-written pointer, and the `.wal` of a snapshot already removed; the number
    removed. Call only under `writer_lock` (one build at a time). Published snapshots, which
    readers may have open, are never touched."""
    folder = snapshot_dir(db_path)
    if not folder.is_dir():
        return 0
    leftovers = [*folder.glob("*.duckdb.partial"), *folder.glob("*.duckdb.partial.wal")]
    leftovers += list(folder.glob("CURRENT.json.tmp"))
    leftovers += [w for w in folder.glob("*.duckdb.wal") if not w.with_suffix("").exists()]
    return _remove(leftovers)


def publish_snapshot(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    schemas: tuple[str, ...] = ("marts",),
    keep: int = 3,
    version: str | None = None,
) -> str:
    """Copy the given schemas' tables and views (as tables) into a new snapshot file; point to it.

    Returns the new version string: `version` when given (a build writes it into its marts
    first; it must sort after earlier versions), else the current UTC time. The previous
    `keep - 1` snapshots stay for open readers.
    """
    folder = snapshot_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    version = version or datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{version}.duckdb"
    partial = folder / f"{version}.duckdb.partial"
    con.execute(f"attach '{partial}' as snap")
    try:
        for schema in schemas:
            con.execute(f"create schema if not exists snap.{schema}")
            relations = con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = current_database() and table_schema = ? order by 1",
                [schema],
            ).fetchall()
            for (name,) in relations:
                con.execute(
                    f'create table snap.{schema}."{name}" as select * from {schema}."{name}"'
                )
        _write_meta(con, db_path, version)
    finally:
        con.execute("detach snap")
    _make_current(db_path, partial, target, version, keep)
    return version


def _write_meta(con: duckdb.DuckDBPyConnection, db_path: Path, version: str) -> None:
    con.execute("create schema if not exists snap.meta")
    con.execute(
        "create or replace table snap.meta.snapshot as select ?::varchar as version, "
        "?::varchar as source_db, now()::timestamp as published_at",
        [version, db_path.name],
    )


def _make_current(db_path: Path, partial: Path, target: Path, version: str, keep: int) -> None:
    os.replace(partial, target)
    pointer = _pointer(db_path)
    tmp = pointer.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"version": version, "file": target.name}), encoding="utf-8")
    os.replace(tmp, pointer)  # atomic: readers see the old or the new pointer, never half
    _clean_old_snapshots(target.parent, keep)


def publish_snapshot_changes(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    base: Path,
    changes: dict[str, str | None],
    *,
    version: str,
    keep: int = 3,
    schema: str = "marts",
    steps: list[tuple[str, float]] | None = None,
    sources: dict[str, str] | None = None,
) -> str:
    """Publish a new snapshot as a copy of `base` (the current one) with only `changes` written.

    `changes` maps a relation of `schema` to the predicate of its rows to replace (delete them
    from the copy, insert them again from the writer's relation), or None to replace it whole.
    `sources` may name, for a relation, another relation holding exactly its rows to insert
    (a view's changed rows computed once during the build).
    The base file is never opened for writing: readers keep reading it while the copy is made.
    """
    folder = snapshot_dir(db_path)
    target = folder / f"{version}.duckdb"
    partial = folder / f"{version}.duckdb.partial"
    steps = steps if steps is not None else []  # (step, seconds): where publishing's time goes
    started = time.perf_counter()
    shutil.copyfile(base, partial)
    steps.append(("copy", time.perf_counter() - started))
    con.execute(f"attach '{partial}' as snap")
    try:
        for name, where in changes.items():
            started = time.perf_counter()
            if where is None:
                con.execute(
                    f'create or replace table snap.{schema}."{name}" as '
                    f'select * from {schema}."{name}"'
                )
            else:
                con.execute(f'delete from snap.{schema}."{name}" where {where}')
                source = (sources or {}).get(name)
                rows = source or f'{schema}."{name}" where {where}'
                con.execute(f'insert into snap.{schema}."{name}" by name select * from {rows}')
            steps.append((name, time.perf_counter() - started))
        _write_meta(con, db_path, version)
        started = time.perf_counter()
    finally:
        con.execute("detach snap")
    steps.append(("detach (checkpoint)", time.perf_counter() - started))
    _make_current(db_path, partial, target, version, keep)
    return version


def _clean_old_snapshots(folder: Path, keep: int) -> None:
    snapshots = sorted(folder.glob("*.duckdb"))
    for old in snapshots[: max(0, len(snapshots) - keep)]:
        # An open reader keeps its file handle on Linux; the space is freed when it closes.
        old.unlink(missing_ok=True)
        Path(f"{old}.wal").unlink(missing_ok=True)


def current_snapshot(db_path: Path) -> tuple[str, Path] | None:
    """(version, file) of the newest published snapshot, or None before the first build."""
    try:
        info = json.loads(_pointer(db_path).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    path = snapshot_dir(db_path) / info["file"]
    return (info["version"], path) if path.exists() else None


def open_snapshot(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to one snapshot (use `.cursor()` per thread): a DuckDB snapshot
    file, or a Parquet version folder published to a shared folder (pipelines.publish_parquet).
    """
    if Path(path).is_dir():
        from pipelines.publish_parquet import open_parquet_snapshot

        return open_parquet_snapshot(Path(path))
    return duckdb.connect(str(path), read_only=True)
