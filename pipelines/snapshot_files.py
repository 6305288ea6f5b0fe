"""A published snapshot made of one DuckDB file per relation, so a publish writes only what changed.

    <db>.snapshots/CURRENT.json              {"version": ..., "file": "<version>.snapshot.json"}
    <db>.snapshots/<version>.snapshot.json   the version's manifest: relation -> part file
    <db>.snapshots/parts/<schema>.<name>/<version>.duckdb   one relation, as <schema>.<name>

A full publish writes every relation's part. An incremental publish writes a new part only for
the relations that changed (a copy of the previous part with the changed rows replaced, or the
relation written whole) and its manifest names the previous version's parts for the others.
Part files never change once renamed into place; a part is deleted only when no kept manifest
names it (pipelines.warehouse prunes). Readers (`open_manifest`) get an in-memory connection
with every part attached read-only and one view per relation under its own name
(`marts.school_year_benchmark`, `meta.snapshot`), as the Parquet replicas do.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import duckdb

MANIFEST_SUFFIX = ".snapshot.json"
PARTS = "parts"
PARTIAL = ".partial"


def manifest_path(folder: Path, version: str) -> Path:
    return folder / f"{version}{MANIFEST_SUFFIX}"


def manifests(folder: Path) -> list[Path]:
    """Every version's manifest in the folder, oldest first (versions sort by time)."""
    return sorted(folder.glob(f"*{MANIFEST_SUFFIX}"))


def version_of(manifest: Path) -> str:
    return manifest.name[: -len(MANIFEST_SUFFIX)]


def read_manifest(path: Path) -> dict[str, str]:
    """relation ("schema.name") -> part file, relative to the snapshot folder."""
    return dict(json.loads(path.read_text(encoding="utf-8"))["relations"])


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _part(folder: Path, relation: str, version: str) -> tuple[Path, str]:
    relative = f"{PARTS}/{relation}/{version}.duckdb"
    return folder / relative, relative


class PartWriter:
    """Writes the parts of one new version; `commit` writes its manifest (not yet current)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path, version: str) -> None:
        self.con, self.folder, self.version = con, folder, version
        self.relations: dict[str, str] = {}
        self.steps: list[tuple[str, float]] = []  # (relation, seconds)

    def _write(self, relation: str, fill: str, start_from: Path | None = None) -> None:
        """A new part for `relation`: `fill` (SQL with {target}) run on a fresh file, or on a
        copy of `start_from` (the previous version's part)."""
        started = time.perf_counter()
        target, relative = _part(self.folder, relation, self.version)
        partial = target.with_name(target.name + PARTIAL)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        if start_from is not None:
            shutil.copyfile(start_from, partial)
        schema, name = relation.split(".", 1)
        self.con.execute(f"attach {_sql_str(str(partial))} as snapshot_part")
        try:
            self.con.execute(f"create schema if not exists snapshot_part.{_quote(schema)}")
            self.con.execute(fill.format(target=f"snapshot_part.{_quote(schema)}.{_quote(name)}"))
        finally:
            self.con.execute("detach snapshot_part")
        os.replace(partial, target)
        self.relations[relation] = relative
        self.steps.append((relation, time.perf_counter() - started))

    def whole(self, relation: str, source: str) -> None:
        """The relation written whole from `source` (a relation or a query in parentheses)."""
        self._write(relation, f"create table {{target}} as select * from {source}")

    def changed(self, relation: str, base_part: Path, where: str, rows: str) -> None:
        """The previous part copied, its rows matching `where` replaced by `rows`."""
        self._write(
            relation,
            f"delete from {{target}} where {where}; "
            f"insert into {{target}} by name select * from {rows}",
            start_from=base_part,
        )

    def reuse(self, relation: str, relative: str) -> None:
        """The previous version's part, unchanged."""
        self.relations[relation] = relative

    def commit(self) -> Path:
        """Write the manifest; its path (the pointer is swapped by the caller)."""
        path = manifest_path(self.folder, self.version)
        tmp = path.with_name(path.name + ".tmp")
        body = {"version": self.version, "relations": dict(sorted(self.relations.items()))}
        tmp.write_text(json.dumps(body, indent=1), encoding="utf-8")
        os.replace(tmp, path)
        return path


def prune(folder: Path, keep: int, current: Path | None) -> None:
    """Delete manifests beyond the newest `keep` (never the current one), then every part file
    no kept manifest names. An open reader keeps its file handles on Linux; the space is freed
    when it closes. Call under the writer lock: a part no manifest names yet is a dead build's."""
    found = manifests(folder)
    kept = set(found[max(0, len(found) - keep) :])
    if current is not None and current.name.endswith(MANIFEST_SUFFIX):
        kept.add(current)
    for old in set(found) - kept:
        old.unlink(missing_ok=True)
    used = {str(folder / rel) for m in kept for rel in read_manifest(m).values()}
    parts = folder / PARTS
    if not parts.is_dir():
        return
    for path in parts.glob("*/*"):
        if path.is_file() and str(path) not in used:
            path.unlink(missing_ok=True)


def open_manifest(path: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with every part of the version attached read-only and one view
    per relation under its own name (use `.cursor()` per thread)."""
    folder = path.parent
    relations = read_manifest(path)
    con = duckdb.connect(":memory:")
    for index, (relation, relative) in enumerate(sorted(relations.items())):
        schema, name = relation.split(".", 1)
        alias = f"snapshot_part_{index}"
        con.execute(f"attach {_sql_str(str(folder / relative))} as {alias} (read_only)")
        con.execute(f"create schema if not exists {_quote(schema)}")
        con.execute(
            f"create view {_quote(schema)}.{_quote(name)} as "
            f"select * from {alias}.{_quote(schema)}.{_quote(name)}"
        )
    return con


def copy_to_one_file(path: Path, target: Path) -> Path:
    """Every relation of a version (its manifest) written into one DuckDB file at `target`
    (e.g. to hand a version to someone, or to compare two versions with ATTACH)."""
    con = open_manifest(path)
    try:
        con.execute(f"attach {_sql_str(str(target))} as one_file")
        for relation in sorted(read_manifest(path)):
            schema, name = relation.split(".", 1)
            con.execute(f"create schema if not exists one_file.{_quote(schema)}")
            con.execute(
                f"create table one_file.{_quote(schema)}.{_quote(name)} as "
                f"select * from {_quote(schema)}.{_quote(name)}"
            )
        con.execute("detach one_file")
    finally:
        con.close()
    return target
