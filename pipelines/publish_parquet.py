"""Publish a snapshot as Parquet to a shared folder, and open such a folder for reading.

Several dashboard servers (replicas on other machines) read one shared folder; only the scheduled
writer (`shirube build --parquet-dir DIR`) writes it. Layout:

    DIR/CURRENT.json                       {"version": ..., "folder": ...}, replaced atomically
    DIR/<version>/manifest.json      tables, files, row counts, column types; written last
    DIR/<version>/<schema>/<table>/academic_year=<year>/data_0.parquet   (tables with that column)
    DIR/<version>/<schema>/<table>/data.parquet          (the others, and empty tables)

A version is written under `<version>.partial/` and renamed when whole, and CURRENT.json only
names whole versions, so a crash at any point leaves readers on the previous complete version.
Readers open a version as an in-memory DuckDB connection whose views cast every column back to
the snapshot's own type (Parquet has no 128-bit integer, for one), so queries written for the
DuckDB snapshot run unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.warehouse import sql_str

POINTER = "CURRENT.json"
MANIFEST = "manifest.json"
PARTIAL_SUFFIX = ".partial"
PARTITION_COLUMN = "academic_year"
FORMAT_VERSION = 1
# Replicas spool their audit events here by default; the writer's build imports them.
REPLICA_AUDIT_DIR = "audit"
# Set by `shirube serve --snapshot-dir` for the dashboard process: this server is a replica.
SNAPSHOT_DIR_ENV = "SHIRUBE_SNAPSHOT_DIR"
# Types Parquet cannot hold exactly; written as a type it can, cast back by the reader's views.
STORED_AS = {"HUGEINT": "decimal(38, 0)", "UHUGEINT": "decimal(38, 0)"}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    placeholders = ", ".join("?" for _ in schemas)
    return con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_catalog = current_database() and table_schema in ({placeholders}) "
        "order by 1, 2",
        list(schemas),
    ).fetchall()


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()


def _write_table(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, folder: Path
) -> dict[str, object]:
    """COPY one table into `folder`; its manifest entry."""
    columns = _columns(con, schema, table)
    rows = con.execute(f"select count(*) from {_quote(schema)}.{_quote(table)}").fetchone()[0]
    select_list = ", ".join(
        f"cast({_quote(name)} as {STORED_AS[kind]}) as {_quote(name)}"
        if kind in STORED_AS
        else _quote(name)
        for name, kind in columns
    )
    source = f"select {select_list} from {_quote(schema)}.{_quote(table)}"
    # An empty table partitioned writes no file at all, and a reader needs one to know the columns.
    partition = PARTITION_COLUMN if rows and PARTITION_COLUMN in dict(columns) else None
    folder.mkdir(parents=True)
    if partition:
        # The partition column is kept inside the files too, and readers ignore the folder
        # names (hive_partitioning=false): folder names would come back as BIGINT.
        con.execute(
            f"copy ({source}) to {sql_str(str(folder))} (format parquet, "
            f"partition_by ({_quote(partition)}), write_partition_columns true)"
        )
    else:
        single_file = sql_str(str(folder / "data.parquet"))
        con.execute(f"copy ({source}) to {single_file} (format parquet)")
    files = sorted(str(p.relative_to(folder.parent.parent)) for p in folder.rglob("*.parquet"))
    return {
        "schema": schema,
        "table": table,
        "partition_column": partition,
        "rows": rows,
        "columns": [{"name": name, "type": kind} for name, kind in columns],
        "files": files,
    }


def _write_json(path: Path, value: object) -> None:
    """Write whole or not at all: a temporary file, flushed, then renamed over `path`."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(value, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def publish_parquet(
    con: duckdb.DuckDBPyConnection,
    shared_dir: Path,
    version: str,
    *,
    schemas: tuple[str, ...] = ("marts", "meta"),
    keep: int = 3,
) -> Path:
    """Write every table of `schemas` seen by `con` as version `version` in `shared_dir`.

    `con` is normally a connection to the published DuckDB snapshot. Returns the version folder.
    Raises duckdb.Error or OSError on failure; CURRENT.json then still names the previous version.
    """
    shared_dir.mkdir(parents=True, exist_ok=True)
    target = shared_dir / version
    partial = shared_dir / f"{version}{PARTIAL_SUFFIX}"
    if target.exists():
        raise FileExistsError(f"version folder already exists: {target}")
    shutil.rmtree(partial, ignore_errors=True)  # left by a crashed run of this same version
    partial.mkdir()
    tables = [
        _write_table(con, schema, table, partial / schema / table)
        for schema, table in _tables(con, schemas)
    ]
    manifest = {
        "format": FORMAT_VERSION,
        "version": version,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": tables,
    }
    _write_json(partial / MANIFEST, manifest)  # last: a folder with a manifest is whole
    os.rename(partial, target)
    _write_json(shared_dir / POINTER, {"version": version, "folder": version})
    remove_old_versions(shared_dir, keep)
    return target


def complete_versions(shared_dir: Path) -> list[str]:
    """Whole version folders (renamed from .partial, with a manifest), oldest first."""
    if not shared_dir.is_dir():
        return []
    return sorted(
        p.name
        for p in shared_dir.iterdir()
        if p.is_dir() and not p.name.endswith(PARTIAL_SUFFIX) and (p / MANIFEST).is_file()
    )


def remove_old_versions(shared_dir: Path, keep: int) -> list[str]:
    """Delete whole versions beyond the newest `keep` (never the current one), and leftovers of
    crashed publishes; the versions removed. One writer at a time, so no .partial is in use."""
    current = current_parquet_snapshot(shared_dir)
    versions = complete_versions(shared_dir)
    older = versions[: max(0, len(versions) - max(keep, 1))]
    doomed = [v for v in older if current is None or v != current[0]]
    for name in doomed:
        shutil.rmtree(shared_dir / name, ignore_errors=True)
    for leftover in shared_dir.glob(f"*{PARTIAL_SUFFIX}"):
        shutil.rmtree(leftover, ignore_errors=True)
    return doomed


def current_parquet_snapshot(shared_dir: Path) -> tuple[str, Path] | None:
    """(version, version folder) named by CURRENT.json, or None before the first publish."""
    try:
        info = json.loads((shared_dir / POINTER).read_text(encoding="utf-8"))
        folder = shared_dir / info["folder"]
        version = str(info["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (version, folder) if (folder / MANIFEST).is_file() else None


def read_manifest(version_dir: Path) -> dict:
    return json.loads((version_dir / MANIFEST).read_text(encoding="utf-8"))


def open_parquet_snapshot(version_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per table of the version (use `.cursor()`
    per thread). Each view casts every column to the snapshot's type, so `marts.<table>` reads
    exactly as it does in the DuckDB snapshot file."""
    manifest = read_manifest(version_dir)
    con = duckdb.connect(":memory:")
    # A version folder never changes: keep its footers and pages in memory between queries.
    con.execute("set parquet_metadata_cache = true")
    con.execute("set cache_local_files = true")
    for schema in sorted({t["schema"] for t in manifest["tables"]}):
        con.execute(f"create schema if not exists {_quote(schema)}")
    for table in manifest["tables"]:
        files = ", ".join(sql_str(str(version_dir / f)) for f in table["files"])
        select_list = ", ".join(
            f"cast({_quote(c['name'])} as {c['type']}) as {_quote(c['name'])}"
            for c in table["columns"]
        )
        con.execute(
            f"create view {_quote(table['schema'])}.{_quote(table['table'])} as "
            f"select {select_list} from read_parquet([{files}], hive_partitioning = false)"
        )
    return con
