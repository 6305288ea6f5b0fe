"""A published snapshot made of DuckDB files per relation, so a publish writes only what changed.

    <db>.snapshots/CURRENT.json              {"version": ..., "file": "<version>.snapshot.json"}
    <db>.snapshots/<version>.snapshot.json   the version's manifest: relation -> base part file,
                                             and relation -> its layers (changed rows) on top
    <db>.snapshots/parts/<schema>.<name>/<version>.duckdb   one relation, as <schema>.<name>
    <db>.snapshots/parts/_layers/<version>.duckdb           one version's changed rows of every
                                                            relation it changed

A full publish writes every relation's part. An incremental publish writes, in one small file
for the version, only the changed rows of each relation that changed (a layer: the predicate of
the rows it replaces, and the rows), and its manifest names the previous version's base parts
and layers beneath them; so a one-school change writes that school's rows, not every school's.
A reader's relation is its base part without the rows any later layer replaces, plus each
layer's rows not replaced by a later one. A relation with MAX_LAYERS layers is compacted at its
next change: its base part copied with the rows of every layer's predicate replaced by the
writer's (as every publish did before layers), so readers never stack more than MAX_LAYERS.
A relation written whole has none. Files never change once renamed into place; a file is
deleted only when no kept manifest names it (pipelines.warehouse prunes). Readers
(`open_manifest`) get an in-memory connection with every file attached read-only and one view
per relation under its own name (`marts.school_year_benchmark`, `meta.snapshot`), as the Parquet
replicas do.
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
LAYERS = "_layers"  # under PARTS: each incremental version's changed rows, one file
# Layers a relation may carry before its next change compacts them into a new base part: each
# is one more file a reader attaches and one more branch of its view.
MAX_LAYERS = 8

Layer = tuple[str, str]  # (predicate of the rows it replaces, file relative to the folder)


def manifest_path(folder: Path, version: str) -> Path:
    return folder / f"{version}{MANIFEST_SUFFIX}"


def manifests(folder: Path) -> list[Path]:
    """Every version's manifest in the folder, oldest first (versions sort by time)."""
    return sorted(folder.glob(f"*{MANIFEST_SUFFIX}"))


def version_of(manifest: Path) -> str:
    return manifest.name[: -len(MANIFEST_SUFFIX)]


def read_manifest(path: Path) -> dict[str, str]:
    """relation ("schema.name") -> its base part file, relative to the snapshot folder."""
    return read_version(path)[0]


def read_layers(path: Path) -> dict[str, list[Layer]]:
    """relation -> its layers above the base part, oldest first (none: not in the dict)."""
    return read_version(path)[1]


def read_version(path: Path) -> tuple[dict[str, str], dict[str, list[Layer]]]:
    """A manifest read once: (read_manifest's, read_layers')."""
    body = json.loads(path.read_text(encoding="utf-8"))
    layers = {rel: [(w, f) for w, f in items] for rel, items in body.get("layers", {}).items()}
    return dict(body["relations"]), layers


def files_of(path: Path) -> dict[str, tuple[str, ...]]:
    """relation -> every file it is read from (its base part, then its layers' files)."""
    relations, layers = read_version(path)
    return {rel: (base, *(f for _w, f in layers.get(rel, ()))) for rel, base in relations.items()}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _part(folder: Path, relation: str, version: str) -> tuple[Path, str]:
    relative = f"{PARTS}/{relation}/{version}.duckdb"
    return folder / relative, relative


class PartWriter:
    """Writes the files of one new version; `commit` writes its manifest (not yet current)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path, version: str) -> None:
        self.con, self.folder, self.version = con, folder, version
        self.relations: dict[str, str] = {}
        self.layers: dict[str, list[Layer]] = {}
        self.steps: list[tuple[str, float]] = []  # (relation, seconds)
        self._layer_file: tuple[Path, str] | None = None  # (partial path, relative) when open
        self._layer_seconds = 0.0

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
        self.layers.pop(relation, None)
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

    def layer(self, relation: str, where: str, rows: str) -> None:
        """`rows` (a relation or a query in parentheses) replace the relation's rows matching
        `where`, as a layer in this version's layer file, above the layers it had."""
        started = time.perf_counter()
        if self._layer_file is None:
            relative = f"{PARTS}/{LAYERS}/{self.version}.duckdb"
            partial = self.folder / (relative + PARTIAL)
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)
            self.con.execute(f"attach {_sql_str(str(partial))} as snapshot_layer")
            self._layer_file = (partial, relative)
        schema, name = relation.split(".", 1)
        self.con.execute(f"create schema if not exists snapshot_layer.{_quote(schema)}")
        self.con.execute(
            f"create table snapshot_layer.{_quote(schema)}.{_quote(name)} as select * from {rows}"
        )
        self.layers[relation] = [*self.layers.get(relation, ()), (where, self._layer_file[1])]
        self._layer_seconds += time.perf_counter() - started

    def reuse(self, relation: str, relative: str, layers: list[Layer] | None = None) -> None:
        """The previous version's part (and its layers), unchanged."""
        self.relations[relation] = relative
        if layers:
            self.layers[relation] = list(layers)

    def _close_layers(self) -> None:
        if self._layer_file is None:
            return
        started = time.perf_counter()
        partial, relative = self._layer_file
        self.con.execute("detach snapshot_layer")
        os.replace(partial, self.folder / relative)
        self._layer_file = None
        count = sum(1 for items in self.layers.values() if items[-1][1] == relative)
        seconds = self._layer_seconds + time.perf_counter() - started
        self.steps.append((f"changed rows of {count} relations (one layer file)", seconds))

    def abandon(self) -> None:
        """Detach an open layer file after a failure (its partial file is left for pruning)."""
        if self._layer_file is not None:
            self.con.execute("detach snapshot_layer")
            self._layer_file = None

    def commit(self) -> Path:
        """Close the layer file, write the manifest; its path (the pointer is swapped by the
        caller)."""
        self._close_layers()
        path = manifest_path(self.folder, self.version)
        tmp = path.with_name(path.name + ".tmp")
        body: dict[str, object] = {
            "version": self.version,
            "relations": dict(sorted(self.relations.items())),
        }
        layers = {rel: items for rel, items in sorted(self.layers.items()) if items}
        if layers:
            body["layers"] = layers
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
    used = {str(folder / f) for m in kept for files in files_of(m).values() for f in files}
    parts = folder / PARTS
    if not parts.is_dir():
        return
    for path in parts.glob("*/*"):
        if path.is_file() and str(path) not in used:
            path.unlink(missing_ok=True)


def open_manifest(path: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with every file of the version attached read-only and one view
    per relation under its own name (use `.cursor()` per thread)."""
    folder = path.parent
    relations, layers = read_version(path)
    con = duckdb.connect(":memory:")
    aliases: dict[str, str] = {}  # layer file -> its alias (one file holds many relations')
    for relative in sorted({f for items in layers.values() for _w, f in items}):
        aliases[relative] = f"snapshot_layer_{len(aliases)}"
        con.execute(f"attach {_sql_str(str(folder / relative))} as {aliases[relative]} (read_only)")
    for index, (relation, relative) in enumerate(sorted(relations.items())):
        schema, name = relation.split(".", 1)
        alias = f"snapshot_part_{index}"
        con.execute(f"attach {_sql_str(str(folder / relative))} as {alias} (read_only)")
        con.execute(f"create schema if not exists {_quote(schema)}")
        table = f"{_quote(schema)}.{_quote(name)}"
        items = layers.get(relation, [])
        sources = [(alias, [w for w, _f in items])]
        sources += [
            (aliases[f], [w for w, _f in items[i + 1 :]]) for i, (_w, f) in enumerate(items)
        ]
        branches = [
            f"select * from {source}.{table}" + _not_replaced(replaced)
            for source, replaced in sources
        ]
        con.execute(f"create view {table} as " + " union all by name ".join(branches))
    return con


def _not_replaced(predicates: list[str]) -> str:
    """A where clause keeping the rows no later layer's predicate replaces."""
    if not predicates:
        return ""
    return " where " + " and ".join(f"({where}) is not true" for where in predicates)


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
