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
from dataclasses import dataclass

import polars as pl

from pipelines.ingest.headers import HEADER_SEARCH_ROWS, FileRejected, HeaderMatch, find_header
from pipelines.settings import settings

__all__ = ["FileRejected", "ParsedFile", "parse_file"]

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


def parse_file(name: str, data: bytes, forced_kind: str | None = None) -> ParsedFile:
    if not data.strip():
        raise FileRejected("file_empty")
    if data.startswith(_OLE_MAGIC):  # legacy .xls, or a password-protected workbook
        raise FileRejected("legacy_xls")
    if data.startswith(_ZIP_MAGIC):
        return _parse_excel(data, forced_kind)
    if name.lower().endswith(EXCEL_EXTENSIONS):
        raise FileRejected("not_a_spreadsheet")
    return _parse_text(data, forced_kind)


# --- text files ----------------------------------------------------------------------------------


def _first_bad_utf8_line(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1
    return 0


def _meant_as_utf8(data: bytes) -> bool:
    """Mostly valid UTF-8 with a few broken bytes: a damaged UTF-8 file, not CP932. Decoding
    it as CP932 would load every name as mojibake, so it is refused instead. CP932 text forms
    some valid UTF-8 sequences by chance, so only a clear majority counts."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    # Counted with C-level string operations: a CP932 file can be tens of megabytes.
    valid_non_ascii = len(text) - len(text.encode("ascii", "ignore")) - broken
    return valid_non_ascii >= 10 * max(broken, 1)


# Bytes CP932 decodes without error but that are no characters in it (Python maps 0x80, 0xA0
# and 0xFD-0xFF to U+0080 and private-use code points): a file with them is not CP932.
_NOT_CP932 = str.maketrans("", "", "\x80\uf8f0\uf8f1\uf8f2\uf8f3")


def _decode(data: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes for polars, and the encoding found."""
    if data.startswith(b"\xef\xbb\xbf"):
        body = data[3:]
        line = _first_bad_utf8_line(body)
        if line:
            raise FileRejected("broken_utf8", line=line)
        return body, "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FileRejected("unreadable_encoding") from exc
    if b"\x00" in data[:65536]:
        raise FileRejected("not_text")
    line = _first_bad_utf8_line(data)
    if not line:
        return data, "utf-8"
    if _meant_as_utf8(data):
        raise FileRejected("broken_utf8", line=line)
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError as exc:
        raise FileRejected("unreadable_encoding") from exc
    if len(text.translate(_NOT_CP932)) != len(text):
        raise FileRejected("unreadable_encoding")
    return text.encode("utf-8"), "cp932"


def _parse_text(data: bytes, forced_kind: str | None) -> ParsedFile:
    utf8, encoding = _decode(data)
    if b"\r" in utf8 and b"\n" not in utf8:
        # Old Mac line endings (CR only): neither the csv module nor polars splits on them.
        utf8 = utf8.replace(b"\r", b"\n")
    head = utf8[:65536].decode("utf-8", errors="ignore")
    first_line = head.split("\n", 1)[0]
    separator = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=separator))
    header_index, match = find_header(rows[:HEADER_SEARCH_ROWS], forced_kind)
    width = len(rows[header_index])
    frame = pl.read_csv(
        utf8,
        has_header=False,
        skip_rows=header_index + 1,
        separator=separator,
        schema={f"c{i}": pl.String for i in range(width)},
        truncate_ragged_lines=True,
        # Excel leaves trailing empty cells out of a row: short rows are blank at the end.
        missing_columns="insert",
        raise_if_empty=False,
    )
    # Excel's row number: the header is on line header_index + 1, data starts on the next line.
    return _finish(frame, rows[header_index], match, first_row=header_index + 2, encoding=encoding)


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
        return values.replace(distinct, distinct.str.normalize("NFKC"))
    return values.str.normalize("NFKC")


def _blank_to_null(column: str) -> pl.Expr:
    text = pl.col(column).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text).alias(column)


def _finish(
    frame: pl.DataFrame,
    header_cells: list[object],
    match: HeaderMatch,
    *,
    first_row: int,
    encoding: str,
) -> ParsedFile:
    """Keep the recognised columns, normalised; number the rows as Excel does; drop blank rows."""
    named = {f"f_{f}": i for f, i in match.columns.items()}
    named.update({f"b{p}": i for p, i in match.benchmarks.items()})
    named.update({f"s{p}": i for p, i in match.skills.items()})
    anything = (
        pl.any_horizontal(
            [pl.col(c).str.strip_chars().str.len_bytes() > 0 for c in frame.columns]
        ).fill_null(False)
        if frame.columns
        else pl.lit(False)
    )
    kept = frame.with_row_index("row_number", offset=first_row).filter(anything)
    # ASCII is already NFKC: only columns holding other characters need normalising.
    non_ascii = (
        kept.select(
            (pl.col(f"c{i}").str.len_bytes() != pl.col(f"c{i}").str.len_chars()).any().alias(name)
            for name, i in named.items()
        ).row(0)
        if named
        else ()
    )
    columns = [kept["row_number"].cast(pl.Int64)]
    for (name, i), has_other in zip(named.items(), non_ascii, strict=True):
        columns.append((_nfkc(kept[f"c{i}"]) if has_other else kept[f"c{i}"]).alias(name))
    staged = pl.DataFrame(columns).with_columns(_blank_to_null(name) for name in named)
    if staged.height == 0:
        raise FileRejected("no_data_rows")
    written = {name: str(header_cells[i]).strip() for name, i in named.items()}
    assert match.kind is not None
    control, longest = _text_stats(staged, list(named))
    return ParsedFile(match.kind, match, written, staged, encoding, control, longest)


# C0 and C1 control characters and DEL (NUL, ESC, BEL, a stray line break in a name ...).
CONTROL_PATTERN = r"[\x00-\x1F\x7F-\x9F]"


def _text_stats(staged: pl.DataFrame, names: list[str]) -> tuple[frozenset[str], dict[str, int]]:
    if not names:
        return frozenset(), {}
    stats = staged.select(
        *(pl.col(n).str.contains(CONTROL_PATTERN).any().alias(f"control_{n}") for n in names),
        *(pl.col(n).str.len_chars().max().alias(f"longest_{n}") for n in names),
    ).row(0, named=True)
    control = frozenset(n for n in names if stats[f"control_{n}"])
    return control, {n: int(stats[f"longest_{n}"] or 0) for n in names}
