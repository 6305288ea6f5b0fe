"""Reading a batch's next small file while the current one loads.

A batch of small files (a school's or a board's folder: hundreds of files of a few thousand
rows) spends about half of each file in Python and polars (hash, read, normalise, type) and half
in DuckDB (check, insert, commit), one after the other. So while file N is checked, inserted and
committed, file N+1 is hashed, read and typed in a second thread (`prepare`), and `ingest_one`
takes what was prepared instead of doing it again: the two halves use different cores.

Only a file's first chunk ([ingest] chunk_mb) is prepared ahead, so a small file is prepared
whole and a large one as far as its transaction begins (its scan, its first chunk read and
typed); the chunks after it are read while the ones before them load (`ahead.read_ahead`).
So at most one chunk more than the current file's is held. Nothing prepared touches the
database. Typing reads the warehouse's school codes, which the file before may change (a
registry file): the set the preparation used is kept, and `typed_for` gives its rows only when
the load's set is that same set; otherwise the load types the rows again. Any error is kept and
raised where the load would have met it, so a file gets the same result, reason and log row
either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl

from pipelines.ingest.reading import ParsedFile, first_rows, open_chunks
from pipelines.ingest.staging import typed_frame
from pipelines.ingest.textstream import Opener, Scan, scan

_UNSET = object()


@dataclass
class Prepared:
    """One file as far as it can go without the database: its scan, its chunks with the first
    one read, that chunk typed against `known` (or the error met on the way)."""

    lookups: dict = field(default_factory=dict)  # typed_frame's per-file lookups, kept on
    facts: Scan | None = None
    scan_error: BaseException | None = None
    chunks: Iterator[ParsedFile] | None = None
    parsed: ParsedFile | None = None
    read_error: Exception | None = None
    known: object = _UNSET  # the school codes the typing used (None for a registry file)
    typed: pl.DataFrame | None = None
    type_error: Exception | None = None

    def scanned(self) -> Scan:
        if self.scan_error is not None:
            raise self.scan_error
        assert self.facts is not None
        return self.facts

    def read(self) -> tuple[Iterator[ParsedFile], ParsedFile]:
        if self.read_error is not None:
            raise self.read_error
        assert self.chunks is not None and self.parsed is not None
        parsed, self.parsed = self.parsed, None  # handed over once: not kept alive here
        return self.chunks, parsed

    def typed_for(self, known: pl.Series | None) -> pl.DataFrame | None:
        """The first chunk's typed rows if they were typed against this very set of codes,
        else None: the load types them again, and the lookups made with the stale codes go too
        (a code's membership in the registry is one of them)."""
        if self.known is not known:
            self.lookups.clear()
            return None
        if self.type_error is not None:
            raise self.type_error
        typed, self.typed = self.typed, None  # handed over once: not kept alive here
        return typed

    def close(self) -> None:
        """Close the chunk reader of a file that will not be loaded (a duplicate)."""
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


def prepare(
    name: str,
    open_file: Opener,
    *,
    kind: str | None,
    chunk_bytes: int,
    known: pl.Series | None,
    scope: set[str] | None,
) -> Prepared:
    """Hash, read and type a file's first chunk as ingest_one would; never raises."""
    prepared = Prepared()
    try:
        prepared.facts = scan(open_file)
    except BaseException as exc:  # noqa: BLE001 - raised again where the load scans
        prepared.scan_error = exc
        return prepared
    try:
        prepared.chunks = open_chunks(name, open_file, prepared.facts, kind, chunk_bytes)
        prepared.parsed = first_rows(prepared.chunks)
    except Exception as exc:  # noqa: BLE001 - raised again where the load reads
        prepared.read_error = exc
        return prepared
    prepared.known = None if prepared.parsed.kind == "schools" else known
    try:
        prepared.typed = typed_frame(
            prepared.parsed, known_schools=prepared.known, scope=scope, lookups=prepared.lookups
        )
    except Exception as exc:  # noqa: BLE001 - raised again where the load types
        prepared.type_error = exc
    return prepared
