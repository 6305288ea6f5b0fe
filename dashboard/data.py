"""The dashboard's only door to the warehouse: the newest published snapshot, read-only.

Query results are cached by (snapshot version, query function, scope, parameters): a rebuild
publishes a new version, so the next rerun reads it without a restart, and old entries age out.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from dashboard.scope import Scope
from pipelines.warehouse import current_snapshot, open_snapshot, resolve_db_path


@dataclass(frozen=True)
class Snapshot:
    version: str
    path: Path


def db_path() -> Path:
    """The writer DB path (env SHIRUBE_DB, set by `shirube serve`; else data/shirube.duckdb)."""
    return resolve_db_path()


def snapshot() -> Snapshot | None:
    """The newest published snapshot, or None on a new deployment (nothing built yet)."""
    found = current_snapshot(db_path())
    return Snapshot(found[0], found[1]) if found else None


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
    name = f"{function.__module__}.{function.__name__}"
    return _cached(current.version, str(current.path), name, scope, tuple(sorted(params.items())))


class NoSnapshotError(RuntimeError):
    """Nothing has been built yet; pages show how to load files instead."""
