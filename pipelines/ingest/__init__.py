"""Ingestion: every row of every school file loaded or quarantined with a reason.

Layers, each its own module: `reading` (bytes -> text table: encodings, Excel, header location),
`headers` (which column is which field; the file's kind), `normalise` (SQL parsers for years, eras,
dates, terms, scores, codes), `validate` (the rules and their reasons), `load` (one transaction per
file, log, quarantine), `archive` (each file's bytes under their SHA-256), `api` (expand_paths,
ingest_files: shared by CLI and dashboard), `report` (what the CLI prints). A large text file is
read in blocks (`textstream`: hash, encoding, record-aligned chunks) and loaded chunk by chunk
inside its one transaction (`rows.FileLoad`; after the first, chunks are typed, checked and
inserted [ingest] insert_rows rows at a time: `reading.batched`), so memory is bounded by those
settings, not by the file's size.
"""

from pipelines.ingest.api import UsageError, expand_paths, ingest_files
from pipelines.ingest.load import FileResult, IngestSource, ProgressEvent, QuarantineRow
from pipelines.ingest.report import run_ingest_command

__all__ = [
    "FileResult",
    "IngestSource",
    "ProgressEvent",
    "QuarantineRow",
    "UsageError",
    "expand_paths",
    "ingest_files",
    "run_ingest_command",
]
