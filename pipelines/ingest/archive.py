"""The archive copy of each file received: its bytes, byte for byte, under their SHA-256.

Written beside the file's load (a thread) and waited for before its commit, so the ingest log
never points to a missing copy; removed again when the load fails, so a rejected file leaves
none. A copy left by an interrupted ingest has the same name and size and is reused.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path
from typing import BinaryIO

from pipelines.ingest.textstream import Opener


def _archive_target(folder: Path, sha: str, name: str) -> tuple[str, Path]:
    # Only letters and digits of the extension: a name is the sender's, the path is ours.
    letters = re.sub(r"[^a-z0-9]", "", Path(name).suffix.lower())[:7]
    suffix = f".{letters}" if letters else ""
    relative = f"{sha[:2]}/{sha}{suffix}"
    return relative, folder / relative


def write_archive(folder: Path, sha: str, name: str, open_file: Opener, size: int) -> str:
    """Store the bytes under their SHA-256 (atomic rename); return the path relative to folder."""
    relative, target = _archive_target(folder, sha, name)
    if target.exists() and target.stat().st_size == size:
        return relative  # same content address: a leftover from an interrupted ingest, or a copy
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    with open_file() as source, open(partial, "wb") as fh:
        _copy(source, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, target)
    return relative


def _copy(source: BinaryIO, target: BinaryIO) -> None:
    """Copy `source` to `target` from its start: by the kernel where it can (see _kernel_copy),
    else through a buffer (an upload's bytes, another file system, not Linux)."""
    if not _kernel_copy(source, target):
        source.seek(0)
        target.seek(0)
        target.truncate()
        shutil.copyfileobj(source, target, 8 << 20)


def _kernel_copy(source: BinaryIO, target: BinaryIO) -> bool:
    """Copy a file on disk with copy_file_range: its bytes never pass through this process,
    which cost a 236 MB file 0.2-0.7 s of CPU beside its load. False when it cannot (an
    upload's bytes have no file; EXDEV across file systems; ENOSYS), and nothing is promised
    of what `target` then holds."""
    try:
        source_fd, target_fd = source.fileno(), target.fileno()
    except (AttributeError, OSError):  # io.UnsupportedOperation: bytes in memory
        return False
    if not hasattr(os, "copy_file_range"):  # Linux only
        return False
    copied = 0
    try:
        while sent := os.copy_file_range(source_fd, target_fd, 1 << 30, copied, copied):
            copied += sent
    except OSError:
        return False
    return True


class Archiving:
    """The archive copy, made in a thread beside the load (copying and waiting for the disk
    took 6-8 % of a large file's ingest on top of it). `result` waits for it before the commit;
    `undo` removes a copy this load made when the load fails, so a rejected file leaves no
    archive behind (as when the copy came after the load)."""

    def __init__(self, folder: Path, sha: str, name: str, open_file: Opener, size: int) -> None:
        _, self.target = _archive_target(folder, sha, name)
        self.existed = self.target.exists()
        self.relative: str | None = None
        self.error: BaseException | None = None
        args = (folder, sha, name, open_file, size)
        self.thread = threading.Thread(target=self._run, args=args, daemon=True)
        self.thread.start()

    def _run(self, *args) -> None:
        try:
            self.relative = write_archive(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the load's thread by result()
            self.error = exc

    def result(self) -> str:
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.relative is not None
        return self.relative

    def undo(self) -> None:
        self.thread.join()
        if not self.existed:
            self.target.unlink(missing_ok=True)


def archived(archiving: Archiving) -> str:
    """The archive copy's path, once it is on disk (benchmarks/profile_ingest.py times this)."""
    return archiving.result()
