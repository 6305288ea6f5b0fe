"""The dashboard's only door to the warehouse: the newest published snapshot, read-only.

The snapshot is either the local DuckDB snapshot beside the writer's DB, or, on a replica
(`shirube serve --snapshot-dir DIR`, env SHIRUBE_SNAPSHOT_DIR), the current Parquet version in a
shared folder (pipelines.publish_parquet). Both open as a DuckDB connection with the same
`marts.*` tables, so queries never know which.

Query results are cached by (snapshot version, query function, scope, parameters): a rebuild
publishes a new version, so the next rerun reads it without a restart, and old entries age out.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from dashboard import warmup
from dashboard.scope import Scope
from pipelines.publish_parquet import SNAPSHOT_DIR_ENV, current_parquet_snapshot
from pipelines.warehouse import current_snapshot, open_snapshot, resolve_db_path


@dataclass(frozen=True)
class Snapshot:
    version: str
    path: Path  # a DuckDB snapshot file, or a Parquet version folder on a replica


def db_path() -> Path:
    """The writer DB path (env SHIRUBE_DB, set by `shirube serve`; else data/shirube.duckdb)."""
    return resolve_db_path()


def shared_snapshot_dir() -> Path | None:
    """The shared Parquet folder this server reads, when it is a replica; else None."""
    configured = os.environ.get(SNAPSHOT_DIR_ENV)
    return Path(configured) if configured else None


def is_replica() -> bool:
    """True on a server reading a shared folder: no writer DB here, so no upload or rebuild."""
    return shared_snapshot_dir() is not None


def snapshot() -> Snapshot | None:
    """The newest published snapshot, or None on a new deployment (nothing built yet)."""
    shared = shared_snapshot_dir()
    found = current_parquet_snapshot(shared) if shared else current_snapshot(db_path())
    return Snapshot(found[0], found[1]) if found else None


def snapshot_info(cursor: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:  # noqa: ARG001
    """The snapshot's own record (version, published_at): the same for every viewer."""
    return cursor.sql("select version, published_at from meta.snapshot").pl()


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(version: str, path: str) -> duckdb.DuckDBPyConnection:
    # `version` is part of the cache key: a new snapshot gets a new connection.
    return open_snapshot(Path(path))


@st.cache_data(max_entries=2000, show_spinner=False)
def _cached(
    version: str, path: str, function: str, scope: Scope, params: tuple[tuple[str, object], ...]
) -> pl.DataFrame:
    module_name, _, name = function.rpartition(".")
    query_function = getattr(importlib.import_module(module_name), name)
    cursor = _connection(version, path).cursor()  # one cursor per thread/session
    try:
        return query_function(cursor, scope, **dict(params))
    finally:
        cursor.close()


def query(function: Callable[..., pl.DataFrame], scope: Scope, **params: object) -> pl.DataFrame:
    """Run a named query from dashboard.queries on the current snapshot, cached by version."""
    current = snapshot()
    if current is None:
        raise NoSnapshotError
    warmup.after_publish(current.version)
    name = f"{function.__module__}.{function.__name__}"
    return _cached(current.version, str(current.path), name, scope, tuple(sorted(params.items())))


class NoSnapshotError(RuntimeError):
    """Nothing has been built yet; pages show how to load files instead."""
