"""Reading a file's bytes into a table of text values, one column per recognised field.

CSV: the encoding is detected (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else CP932); the text is
parsed by polars (all columns as strings) and each recognised column is NFKC-normalised there,
after parsing, so a full-width comma inside a value never becomes a separator. Excel: calamine
reads the values; openpyxl is asked only for the number formats of benchmark columns, because a
percent-formatted 0.85 means 85. Any file that cannot be read raises `FileRejected` with a message
key; nothing is written before a file has been read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import polars as pl

from pipelines.ingest.headers import HeaderMatch, recognise

HEADER_SEARCH_ROWS = 30  # title, notes and blank rows allowed above the header
EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls


class FileRejected(Exception):
    """The whole file cannot be used; `key` names the message in ingest.toml."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass
class ParsedFile:
    """A file's data rows as text: columns `f_<field>` and `b<position>`, plus `row_number`."""

    kind: str
    header: HeaderMatch
    headers_as_written: dict[str, str]  # column name in `frame` -> header text in the file
    frame: pl.DataFrame
    encoding: str

    @property
    def rows_read(self) -> int:
        return self.frame.height


def parse_file(name: str, data: bytes, forced_kind: str | None = None) -> ParsedFile:
    if not data.strip():
        raise FileRejected("file_empty")
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        return _parse_excel(name, data, forced_kind)
    if name.lower().endswith(EXCEL_EXTENSIONS):
        raise FileRejected("not_a_spreadsheet")
    return _parse_text(data, forced_kind)


# --- text files ----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes for polars, and the encoding found."""
    if data.startswith(b"\xef\xbb\xbf"):
        body = data[3:]
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRejected("unreadable_encoding") from exc
        return body, "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FileRejected("unreadable_encoding") from exc
    if b"\x00" in data[:65536]:
        raise FileRejected("not_text")
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932").encode("utf-8"), "cp932"
    except UnicodeDecodeError as exc:
        raise FileRejected("unreadable_encoding") from exc


def _find_header(rows: list[list[object]], forced_kind: str | None) -> tuple[int, HeaderMatch]:
    """Index of the header row among the first rows, or a rejection that says what is missing."""
    closest: tuple[int, HeaderMatch] | None = None
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        match = recognise(cells, forced_kind)
        if match.complete:
            return index, match
        if match.cells_recognised >= 2 and (
            closest is None or match.cells_recognised > closest[1].cells_recognised
        ):
            closest = (index, match)
    if closest is not None:
        raise FileRejected(
            "header_missing_columns",
            kind=closest[1].kind,
            missing=closest[1].missing,
            row=closest[0] + 1,
        )
    if forced_kind:
        raise FileRejected("no_header_for_kind", kind=forced_kind)
    raise FileRejected("no_header")


def _parse_text(data: bytes, forced_kind: str | None) -> ParsedFile:
    utf8, encoding = _decode(data)
    head = utf8[:65536].decode("utf-8", errors="ignore")
    first_line = head.split("\n", 1)[0]
    separator = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows = list(csv.reader(io.StringIO(head), delimiter=separator))[:HEADER_SEARCH_ROWS]
    header_index, match = _find_header(rows, forced_kind)
    width = len(rows[header_index])
    frame = pl.read_csv(
        utf8,
        has_header=False,
        skip_rows=header_index + 1,
        separator=separator,
        schema={f"c{i}": pl.String for i in range(width)},
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )
    # Excel's row number: the header is on line header_index + 1, data starts on the next line.
    return _finish(frame, rows[header_index], match, first_row=header_index + 2, encoding=encoding)


# --- Excel ---------------------------------------------------------------------------------------


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _percent_cells(
    data: bytes,
    sheet_name: str,
    columns: list[int],
    first_row: int,
) -> set[tuple[int, int]]:
    """(0-based row, column) of cells with a percent number format in the given columns."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # legacy .xls or damaged styles: no formats, values are taken as written
        return set()
    try:
        sheet = book[sheet_name]
        found = set()
        for column in columns:
            for offset, (cell,) in enumerate(
                sheet.iter_rows(min_row=first_row + 1, min_col=column + 1, max_col=column + 1)
            ):
                if "%" in str(getattr(cell, "number_format", "") or ""):
                    found.add((first_row + offset, column))
        return found
    finally:
        book.close()


def _parse_excel(name: str, data: bytes, forced_kind: str | None) -> ParsedFile:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # a zip that is not a workbook, a damaged or encrypted file
        raise FileRejected("not_a_spreadsheet") from exc
    missing: FileRejected | None = None
    for sheet_name in book.sheet_names:
        try:
            sheet = book.get_sheet_by_name(sheet_name)
            rows = sheet.to_python(skip_empty_area=False)
            top = sheet.start[0] if sheet.start else 0
        except Exception:  # chart sheets and the like: try the next sheet
            continue
        try:
            header_index, match = _find_header(rows, forced_kind)
        except FileRejected as exc:
            missing = missing if missing and missing.key == "header_missing_columns" else exc
            continue
        data_rows = rows[header_index + 1 :]
        width = len(rows[header_index])
        columns = [
            [_cell_text(r[i]) if i < len(r) else None for r in data_rows] for i in range(width)
        ]
        percent = (
            _percent_cells(
                data, sheet_name, list(match.benchmarks.values()), top + header_index + 1
            )
            if match.benchmarks
            else set()
        )
        for row, column in percent:
            index = row - (top + header_index + 1)
            value = data_rows[index][column] if 0 <= index < len(data_rows) else None
            if isinstance(value, float | int) and not isinstance(value, bool):
                columns[column][index] = _cell_text(round(float(value) * 100, 9))
        frame = pl.DataFrame(
            {f"c{i}": pl.Series(columns[i], dtype=pl.String) for i in range(width)},
            height=len(data_rows),
        )
        return _finish(
            frame, rows[header_index], match, first_row=top + header_index + 2, encoding="xlsx"
        )
    raise missing or FileRejected("no_header")


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
    return ParsedFile(match.kind, match, written, staged, encoding)
