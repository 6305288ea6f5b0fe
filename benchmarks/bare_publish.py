"""A bare publish for the load test (bench_load.py --publish-only): the current snapshot copied
under a new version and made current as `shirube build` does (pipelines.warehouse), with no
ingest or build, so the moment every session misses the cache at once comes in seconds. A
version made of part files (pipelines.snapshot_files) is copied as its manifest: the new version
names the same parts, and every server still opens it as a new snapshot."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from pipelines.snapshot_files import MANIFEST_SUFFIX, manifest_path
from pipelines.warehouse import current_snapshot


def publish_copy(db: Path, index: int = 0) -> tuple[str, str]:
    """Publish a copy of `db`'s current snapshot; (old version, new version)."""
    found = current_snapshot(db)
    if found is None:
        raise RuntimeError(f"{db}: no published snapshot to copy")
    version, path = found
    new_version = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"{index:06d}Z"
    if path.name.endswith(MANIFEST_SUFFIX):
        target = manifest_path(path.parent, new_version)
        body = json.loads(path.read_text(encoding="utf-8"))
        partial = target.with_name(target.name + ".tmp")
        partial.write_text(json.dumps({**body, "version": new_version}), encoding="utf-8")
    else:  # a single-file snapshot of an earlier release
        target = path.with_name(f"{new_version}.duckdb")
        partial = target.with_suffix(".partial")
        shutil.copyfile(path, partial)
    os.replace(partial, target)
    pointer = path.parent / "CURRENT.json"
    tmp = pointer.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"version": new_version, "file": target.name}), encoding="utf-8")
    os.replace(tmp, pointer)  # atomic, as pipelines.warehouse publishes
    return version, new_version
