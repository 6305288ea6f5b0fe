"""Is this warehouse the demo sample? Only then may the dashboard run open, without login.

`shirube demo` marks the warehouse after its build: a file `<stem>.sample.json` beside the DB
holding the published snapshot version and the SHA-256 of every loaded file, written only when
every loaded file is byte-for-byte a file of the sample folder. The dashboard trusts the mark only
while the current snapshot is that very version and its loaded files are exactly those: any later
build (real files loaded, or a rebuild) ends open mode, so real data cannot be shown open by
accident.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path

from pipelines.warehouse import current_snapshot, open_snapshot


def marker_path(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.stem}.sample.json"


def _file_hashes(folder: Path) -> set[str]:
    return {
        hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


@cache
def _loaded_hashes(snapshot_file: str) -> frozenset[str]:
    con = open_snapshot(Path(snapshot_file))
    try:
        rows = con.execute(
            "select distinct sha256 from marts.ingest_files where status = 'loaded'"
        ).fetchall()
    finally:
        con.close()
    return frozenset(sha for (sha,) in rows)


def mark_if_sample(db_path: Path, sample_dir: Path) -> bool:
    """Write the mark when the current snapshot holds only sample files; else remove any mark."""
    marker = marker_path(db_path)
    current = current_snapshot(db_path)
    loaded = _loaded_hashes(str(current[1])) if current else frozenset()
    if not current or not loaded or not loaded <= _file_hashes(sample_dir):
        marker.unlink(missing_ok=True)
        return False
    tmp = marker.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"version": current[0], "sha256": sorted(loaded)}), "utf-8")
    os.replace(tmp, marker)
    return True


def is_sample_warehouse(db_path: Path) -> bool:
    """True only when the current snapshot is the one `shirube demo` marked as the sample."""
    current = current_snapshot(db_path)
    if current is None:
        return False
    try:
        mark = json.loads(marker_path(db_path).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(mark, dict) or mark.get("version") != current[0]:
        return False
    try:
        return _loaded_hashes(str(current[1])) == frozenset(mark.get("sha256") or ())
    except Exception:  # an unreadable snapshot is not the sample
        return False
