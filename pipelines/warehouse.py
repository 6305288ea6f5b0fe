"""Where the warehouse lives, who may write it, and how readers get a consistent copy.

One writer process at a time (ingest or build) holds an exclusive file lock next to the DuckDB
file. Readers (the dashboard, reports) never open the writer's file: `shirube build` publishes an
immutable snapshot (a manifest naming one DuckDB file per mart, pipelines.snapshot_files), then
swaps a small pointer file atomically. Readers open the newest
snapshot read-only and notice a new version on their next query, with no lock on either side.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

from pipelines.snapshot_files import (
    MANIFEST_SUFFIX,
    MAX_LAYERS,
    PARTIAL,
    PARTS,
    PartWriter,
    open_manifest,
    prune,
    read_version,
)

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
    """Delete what a killed build left in the snapshot folder: a `.partial` part (or an older
    release's `<version>.duckdb.partial`) and its `.wal`, a half-written pointer or manifest, and
    the `.wal` of a snapshot already removed; the number removed (parts no manifest names go at
    the next publish). Call only under `writer_lock` (one build at a time). Published
    snapshots, which readers may have open, are never touched."""
    folder = snapshot_dir(db_path)
    if not folder.is_dir():
        return 0
    leftovers = [*folder.glob("*.duckdb.partial"), *folder.glob("*.duckdb.partial.wal")]
    leftovers += list(folder.glob("*.json.tmp"))  # the pointer's or a manifest's
    leftovers += list(folder.glob(f"{PARTS}/*/*{PARTIAL}*"))  # a part and its .wal
    leftovers += [w for w in folder.glob("*.duckdb.wal") if not w.with_suffix("").exists()]
    return _remove(leftovers)


def publish_snapshot(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    schemas: tuple[str, ...] = ("marts",),
    keep: int = 3,
    version: str | None = None,
) -> str:
    """Write the given schemas' tables and views (as tables) into a new snapshot, one file per
    relation (pipelines.snapshot_files); point to it.

    Returns the new version string: `version` when given (a build writes it into its marts
    first; it must sort after earlier versions), else the current UTC time. The previous
    `keep - 1` versions stay for open readers.
    """
    folder = snapshot_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    version = version or datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    parts = PartWriter(con, folder, version)
    for schema in schemas:
        relations = con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema = ? order by 1",
            [schema],
        ).fetchall()
        for (name,) in relations:
            parts.whole(f"{schema}.{name}", f'{schema}."{name}"')
    _write_meta(parts, db_path, version)
    _make_current(db_path, parts.commit(), version, keep)
    return version


def _write_meta(parts: PartWriter, db_path: Path, version: str) -> None:
    parts.whole(
        "meta.snapshot",
        f"(select {sql_str(version)}::varchar as version, {sql_str(db_path.name)}::varchar "
        "as source_db, now()::timestamp as published_at)",
    )


def _make_current(db_path: Path, manifest: Path, version: str, keep: int) -> None:
    pointer = _pointer(db_path)
    tmp = pointer.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"version": version, "file": manifest.name}), encoding="utf-8")
    os.replace(tmp, pointer)  # atomic: readers see the old or the new pointer, never half
    _clean_old_snapshots(manifest.parent, keep, manifest)


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
    """Publish a new version whose manifest reuses `base`'s files (the current version's
    manifest) for every relation but `changes`, and writes only those relations' changes.

    `changes` maps a relation of `schema` to the predicate of its rows to replace (those rows
    of the writer's relation written as a layer above the relation's others, in this version's
    layer file; or, once it has MAX_LAYERS, its base part copied with the rows of every layer
    replaced: pipelines.snapshot_files), or None to write it whole. `sources` may name, for a
    relation, another relation holding exactly its rows to insert (a view's changed rows
    computed once during the build). Files readers have open are never written.
    """
    folder = snapshot_dir(db_path)
    previous, below = read_version(base)
    parts = PartWriter(con, folder, version)
    for relation, relative in previous.items():
        if relation != "meta.snapshot":
            parts.reuse(relation, relative, below.get(relation))
    try:
        for name, where in changes.items():
            relation = f"{schema}.{name}"
            layers = below.get(relation, [])
            if where is None or relation not in previous:
                parts.whole(relation, f'{schema}."{name}"')
            elif len(layers) < MAX_LAYERS:  # only the changed rows, above the others
                rows = (sources or {}).get(name) or f'{schema}."{name}" where {where}'
                parts.layer(relation, where, rows)
            else:  # compacted: the base part with every layer's rows replaced by the writer's
                replaced = " or ".join(f"({w})" for w in [*(w for w, _f in layers), where])
                rows = f'{schema}."{name}" where {replaced}'
                parts.changed(relation, folder / previous[relation], replaced, rows)
        _write_meta(parts, db_path, version)
    except BaseException:
        parts.abandon()
        raise
    started = time.perf_counter()
    _make_current(db_path, parts.commit(), version, keep)
    if steps is not None:  # (step, seconds): where publishing's time goes
        steps.extend(parts.steps)
        steps.append(("manifest, pointer and pruning", time.perf_counter() - started))
    return version


def _clean_old_snapshots(folder: Path, keep: int, current: Path) -> None:
    # Single-file snapshots of earlier releases: every one goes once a manifest is current.
    for old in folder.glob("*.duckdb"):
        # An open reader keeps its file handle on Linux; the space is freed when it closes.
        old.unlink(missing_ok=True)
        Path(f"{old}.wal").unlink(missing_ok=True)
    prune(folder, keep, current)


def current_snapshot(db_path: Path) -> tuple[str, Path] | None:
    """(version, file) of the newest published snapshot, or None before the first build."""
    try:
        info = json.loads(_pointer(db_path).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    path = snapshot_dir(db_path) / info["file"]
    return (info["version"], path) if path.exists() else None


def open_snapshot(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to one snapshot (use `.cursor()` per thread): a version's
    manifest (what `current_snapshot` names), a single DuckDB snapshot file, or a Parquet
    version folder published to a shared folder (pipelines.publish_parquet).
    """
    if Path(path).is_dir():
        from pipelines.publish_parquet import open_parquet_snapshot

        return open_parquet_snapshot(Path(path))
    if Path(path).name.endswith(MANIFEST_SUFFIX):  # one file per relation (snapshot_files)
        return open_manifest(Path(path))
    return duckdb.connect(str(path), read_only=True)
