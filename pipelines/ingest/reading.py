"""Reading a file's bytes into a table of text values, one column per recognised field.

CSV: the encoding is detected (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else CP932); the text is
parsed by polars (all columns as strings) and each recognised column is NFKC-normalised there,
after parsing, so a full-width comma inside a value never becomes a separator. Excel (.xlsx,
.xlsm): read in a child process with limits (`excel`, `isolated`, `workbook_limits`). Legacy
BIFF .xls is refused: its readers give a percent-formatted 0.85 as 0.85 where .xlsx gives 85, so
it would load silently different numbers; the sender is asked for .xlsx or CSV. Any file that
cannot be read raises `FileRejected` with a message key; nothing is written before a file has
been read.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

import polars as pl

from pipelines.ingest.headers import HEADER_SEARCH_ROWS, FileRejected, HeaderMatch, find_header
from pipelines.ingest.textstream import (
    BLOCK,
    HEAD,
    Opener,
    Scan,
    detect_encoding,
    record_chunks,
    skip_records,
    utf8_blocks,
)
from pipelines.settings import settings

__all__ = ["FileRejected", "ParsedFile", "open_chunks"]

EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls


@dataclass
class ParsedFile:
    """A file's data rows as text: columns `f_<field>` and `b<position>`, plus `row_number`."""

    kind: str
    header: HeaderMatch
    headers_as_written: dict[str, str]  # column name in `frame` -> header text in the file
    frame: pl.DataFrame
    encoding: str
    # Columns holding a control character, and each column's longest value in characters:
    # measured once here so that only files that need the text rules pay for them.
    control_columns: frozenset[str] = frozenset()
    longest: dict[str, int] | None = None

    @property
    def rows_read(self) -> int:
        return self.frame.height


def open_chunks(
    name: str, open_file: Opener, facts: Scan, forced_kind: str | None, chunk_bytes: int
) -> Iterator[ParsedFile]:
    """The file's data rows, a chunk of about `chunk_bytes` of text at a time (Excel: whole).

    Row numbers go on across chunks; a chunk may have no data rows (blank lines): a file none
    of whose chunks has any is rejected by the caller. FileRejected comes with the first chunk
    for what is found before the data (encoding, header), or later for a CP932 byte sequence
    that does not decode."""
    head = facts.head
    if not facts.anything:
        raise FileRejected("file_empty")
    if head.startswith(_OLE_MAGIC):  # legacy .xls, or a password-protected workbook
        raise FileRejected("legacy_xls")
    if head.startswith(_ZIP_MAGIC):
        with open_file() as fh:
            data = fh.read()
        return iter([_parse_excel(data, forced_kind)])
    if name.lower().endswith(EXCEL_EXTENSIONS):
        raise FileRejected("not_a_spreadsheet")
    encoding = detect_encoding(open_file, facts)
    # Read in blocks no larger than a chunk: a chunk's text is decoded when it is needed.
    stream = utf8_blocks(open_file, encoding, min(BLOCK, max(chunk_bytes, 4096)))
    return _text_chunks(stream, facts, encoding, forced_kind, chunk_bytes)


ROW_GROUP_ROWS = 122_880  # DuckDB's row group: the rows it compresses and writes together


def batched(
    chunks: Iterator[ParsedFile], rows: int, align: int = ROW_GROUP_ROWS
) -> Iterator[ParsedFile]:
    """Consecutive chunks joined until they hold `rows` rows, for typing, checking and
    inserting: polars and DuckDB pay per call, and DuckDB checks and writes a few of its row
    groups on both cores where it wrote one 8 MB chunk (about 110,000 rows, under one row group)
    on one. Each batch but the last holds a multiple of `align` rows (the rows past it start
    the next batch): an insert that ends in a part-filled row group leaves one that DuckDB's
    checkpoint merges with its neighbour and compresses and writes again (the four large files
    of benchmarks/bench_ingest.py: the checkpoint at the end took 0.27 s, 0.09 s with whole
    row groups). Student links stay one chunk at a time (their loop check reads the rows
    inserted before them); `rows` 0 leaves every chunk alone."""
    pending: list[ParsedFile] = []
    count = 0
    for parsed in chunks:
        if rows <= 0 or parsed.kind == "links":
            yield parsed
            continue
        pending.append(parsed)
        count += parsed.rows_read
        if count >= rows:
            joined = _joined(pending)
            whole = count - count % align
            if 0 < whole < count:
                yield replace(joined, frame=joined.frame.slice(0, whole))
                pending, count = [replace(joined, frame=joined.frame.slice(whole))], count - whole
            else:
                yield joined
                pending, count = [], 0
    if pending:
        yield _joined(pending)


def _joined(chunks: list[ParsedFile]) -> ParsedFile:
    """One ParsedFile of several chunks' rows; the text rules follow what any chunk held (see
    validate._text_rules)."""
    if len(chunks) == 1:
        return chunks[0]
    longest: dict[str, int] = {}
    for chunk in chunks:
        for column, length in (chunk.longest or {}).items():
            longest[column] = max(length, longest.get(column, 0))
    last = chunks[-1]
    return ParsedFile(
        last.kind,
        last.header,
        last.headers_as_written,
        pl.concat([c.frame for c in chunks], how="vertical_relaxed"),
        last.encoding,
        frozenset().union(*(c.control_columns for c in chunks)),
        longest,
    )


# --- text files ----------------------------------------------------------------------------------


def _text_chunks(
    stream: Iterator[bytes], facts: Scan, encoding: str, forced_kind: str | None, chunk_bytes: int
) -> Iterator[ParsedFile]:
    if not facts.has_lf and encoding != "utf-16":  # (utf8_blocks handles UTF-16's itself)
        # Old Mac line endings (CR only): neither the csv module nor polars splits on them.
        stream = (block.replace(b"\r", b"\n") for block in stream)
    start: list[bytes] = []
    for block in stream:  # the first HEAD bytes of text: where the header is looked for
        start.append(block)
        if sum(map(len, start)) >= HEAD:
            break
    first = b"".join(start)
    head = first[:HEAD].decode("utf-8", errors="ignore")
    first_line = head.split("\n", 1)[0]
    separator = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=separator))
    header_index, match = find_header(rows[:HEADER_SEARCH_ROWS], forced_kind)
    width = len(rows[header_index])
    # Excel's row number: the header is on line header_index + 1, data starts on the next line.
    first_row = header_index + 2
    header_end = skip_records(first, header_index + 1)
    chunks = record_chunks(itertools.chain([first], stream), chunk_bytes, header_end)
    # Where the first chunk's data starts, for the ASCII test: the header (Japanese in most
    # school files) is not data. Only where polars' skip_rows, which counts lines, skips
    # exactly those bytes: no quote before it, so every record there is one line.
    data_start = header_end if b'"' not in first[:header_end] else 0
    for index, text in enumerate(chunks):
        frame = pl.read_csv(
            text,
            has_header=False,
            skip_rows=header_index + 1 if index == 0 else 0,
            separator=separator,
            schema={f"c{i}": pl.String for i in range(width)},
            truncate_ragged_lines=True,
            # Excel leaves trailing empty cells out of a row: short rows are blank at the end.
            missing_columns="insert",
            raise_if_empty=False,
        )
        yield _finish(
            frame,
            rows[header_index],
            match,
            first_row=first_row,
            encoding=encoding,
            maybe_control=may_hold_control(text, separator),
            all_ascii=text.isascii() or (index == 0 < data_start and text[data_start:].isascii()),
        )
        first_row += frame.height


# --- Excel ---------------------------------------------------------------------------------------


def _parse_excel(data: bytes, forced_kind: str | None) -> ParsedFile:
    from pipelines.ingest.isolated import read_workbook

    sheet = read_workbook(data, forced_kind, settings()["ingest"]["spreadsheet"])
    frame = pl.DataFrame(
        {f"c{i}": pl.Series(column, dtype=pl.String) for i, column in enumerate(sheet.columns)},
        height=sheet.height,
    )
    return _finish(
        frame, sheet.header_cells, sheet.match, first_row=sheet.first_row, encoding="xlsx"
    )


# --- common --------------------------------------------------------------------------------------


def _nfkc(values: pl.Series) -> pl.Series:
    """NFKC of a column with some non-ASCII text. School files repeat values, so when there are
    few distinct values only those are normalised (NFKC costs about a microsecond a value)."""
    distinct = values.drop_nulls().unique()
    if len(distinct) * 2 < len(values):
        # Most such columns (○/×, names) are NFKC already: then the column is left as it is,
        # and otherwise only the values that change are replaced (replace costs ~0.5 ms).
        before = distinct.to_list()
        after = distinct.str.normalize("NFKC").to_list()
        changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
        if not changed:
            return values
        return values.replace([a for a, _ in changed], [b for _, b in changed])
    return values.str.normalize("NFKC")


def _blank_to_null(text: pl.Expr, name: str) -> pl.Expr:
    text = text.str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text).alias(name)


def _padded(frame: pl.DataFrame, maybe_control: bool) -> list[str]:
    """The columns of an ASCII chunk that may hold a value to trim or a blank one. Where the
    chunk's bytes hold no quote and no control character but line ends (`maybe_control`
    False), only a space can pad a value and an empty cell is already null, so only columns
    with a value starting or ending with a space are trimmed (trimming copies every value; this
    test compares two bytes of each)."""
    if maybe_control or not frame.width:
        return frame.columns
    found = frame.select(
        (pl.col(c).str.starts_with(" ") | pl.col(c).str.ends_with(" ")).any() for c in frame.columns
    ).row(0)
    return [c for c, pad in zip(frame.columns, found, strict=True) if pad]


def _anything(trimmed) -> pl.Expr:
    """A row with any value but blanks (`trimmed`: its cells, trimmed)."""
    tests = [cell.str.len_bytes() > 0 for cell in trimmed]
    return pl.any_horizontal(tests).fill_null(False) if tests else pl.lit(False)


def _finish(
    frame: pl.DataFrame,
    header_cells: list[object],
    match: HeaderMatch,
    *,
    first_row: int,
    encoding: str,
    maybe_control: bool = True,
    all_ascii: bool = False,
) -> ParsedFile:
    """Keep the recognised columns, normalised; number the rows as Excel does; drop blank rows.
    `maybe_control` False: the text read shows no value can hold a control character.
    `all_ascii` True: the text read is ASCII, so no value needs NFKC and numbering, dropping
    blank rows and trimming are one pass over the chunk."""
    named = {f"f_{f}": i for f, i in match.columns.items()}
    named.update({f"b{p}": i for p, i in match.benchmarks.items()})
    named.update({f"s{p}": i for p, i in match.skills.items()})
    numbered = frame.lazy().with_row_index("row_number", offset=first_row)
    row_number = pl.col("row_number").cast(pl.Int64)
    if all_ascii:  # ASCII is already NFKC: trimmed (where any value needs it), tested, kept
        padded = _padded(frame, maybe_control)
        numbered = numbered.with_columns(pl.col(c).str.strip_chars() for c in padded)
        staged = (
            numbered.filter(_anything(pl.col(c) for c in frame.columns))
            .select(
                row_number,
                *(
                    pl.when(pl.col(f"c{i}") == "").then(None).otherwise(pl.col(f"c{i}")).alias(name)
                    if f"c{i}" in padded
                    else pl.col(f"c{i}").alias(name)
                    for name, i in named.items()
                ),
            )
            .collect()
        )
    else:
        numbered = numbered.filter(_anything(pl.col(c).str.strip_chars() for c in frame.columns))
        kept = numbered.collect()
        # Only columns holding other characters than ASCII need normalising.
        non_ascii = (
            kept.select(
                (pl.col(f"c{i}").str.len_bytes() != pl.col(f"c{i}").str.len_chars())
                .any()
                .alias(name)
                for name, i in named.items()
            ).row(0)
            if named
            else ()
        )
        staged = kept.select(
            row_number,
            *(
                _blank_to_null(pl.lit(_nfkc(kept[f"c{i}"])) if has_other else pl.col(f"c{i}"), name)
                for (name, i), has_other in zip(named.items(), non_ascii, strict=True)
            ),
        )
    written = {name: str(header_cells[i]).strip() for name, i in named.items()}
    assert match.kind is not None
    control, longest = _text_stats(staged, list(named), maybe_control)
    return ParsedFile(match.kind, match, written, staged, encoding, control, longest)


# C0 and C1 control characters and DEL (NUL, ESC, BEL, a stray line break in a name ...).
CONTROL_PATTERN = r"[\x00-\x1F\x7F-\x9F]"


# Bytes of a chunk that may put a control character in a value: C0 but CR LF and LF (which end
# records), DEL, C1 in UTF-8, a CR not before LF; a quote (a line break inside a quoted value)
# and, in a comma-separated chunk, a tab are checked separately.
# The single-byte controls, found by deleting every other byte (one pass in C,
# tens of times quicker than the regular expression over a chunk of Japanese text).
_SINGLE_CONTROLS = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_NOT_SINGLE_CONTROLS = bytes(b for b in range(256) if b not in _SINGLE_CONTROLS)
_C1 = re.compile(rb"\xc2[\x80-\x9f]")


def may_hold_control(text: bytes, separator: str) -> bool:
    """False only when no value of this chunk of UTF-8 text can hold a control character
    (each kind of byte above looked for by a quick byte test)."""
    if b'"' in text or (separator != "\t" and b"\t" in text):
        return True
    if text.translate(None, _NOT_SINGLE_CONTROLS):
        return True
    if b"\xc2" in text and _C1.search(text):
        return True
    return b"\r" in text and text.count(b"\r") != text.count(b"\r\n")


def _text_stats(
    staged: pl.DataFrame, names: list[str], maybe_control: bool
) -> tuple[frozenset[str], dict[str, int]]:
    """Columns holding a control character, and each column's longest value in characters
    (exact past its [ingest.max_chars] limit; below it, its length in bytes may stand in)."""
    if not names:
        return frozenset(), {}
    # One pass for the lengths in bytes and the control characters; a second only for the
    # columns past their limit in bytes (rare), whose length in characters is then measured.
    stats = staged.select(
        *(pl.col(n).str.len_bytes().max().alias(n) for n in names),
        *(
            pl.col(n).str.contains(CONTROL_PATTERN).any().alias(f"control_{n}")
            for n in (names if maybe_control else [])
        ),
    ).row(0, named=True)
    by_bytes = {n: stats[n] for n in names}
    limits = settings()["ingest"]["max_chars"]
    over = [n for n in names if (by_bytes[n] or 0) > int(limits.get(n.removeprefix("f_"), 1 << 62))]
    if over:
        stats |= staged.select(
            pl.col(n).str.len_chars().max().alias(f"longest_{n}") for n in over
        ).row(0, named=True)
    control = frozenset(n for n in names if stats.get(f"control_{n}"))
    longest = {n: int(by_bytes[n] or 0) for n in names}
    longest.update({n: int(stats[f"longest_{n}"] or 0) for n in over})
    return control, longest


def first_rows(chunks: Iterator[ParsedFile]) -> ParsedFile:
    """The first chunk with data rows: chunks of blank lines before it are passed over, and a
    file with no data row at all is rejected."""
    parsed = next(chunks, None)
    while parsed is not None and parsed.rows_read == 0:
        parsed = next(chunks, None)
    if parsed is None:
        raise FileRejected("no_data_rows")
    return parsed
