"""Reading a workbook's cells as text: the part of ingest that runs in a child process.

calamine reads the values; openpyxl is asked only for the number formats of benchmark columns
(and a criteria file's answers),
because a percent-formatted 0.85 means 85. Both are native or XML readers fed by strangers'
files, so `reading` runs this module in a child process (see `isolated`) after the workbook's
sizes passed `workbook_limits`. Nothing here imports polars or DuckDB's connection: the child
returns plain lists, and the parent builds the frame.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

# Imported here, not where used: the forkserver preloads this module, so every reader child
# starts with both readers loaded (importing openpyxl alone takes a few hundred milliseconds).
import openpyxl
import python_calamine

from pipelines.ingest.headers import FileRejected, HeaderMatch, find_header
from pipelines.ingest.workbook_limits import check_workbook


@dataclass
class SheetCells:
    """The data rows below a sheet's header, as text, one list per column."""

    header_cells: list[object]
    match: HeaderMatch
    columns: list[list[str | None]]
    height: int
    first_row: int  # Excel's row number of the first data row


def cell_text(value: object) -> str | None:
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
    data: bytes, sheet_name: str, columns: list[int], first_row: int
) -> set[tuple[int, int]]:
    """(0-based row, column) of cells with a percent number format in the given columns."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # damaged styles: no formats, values are taken as written
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


_CHAR_REF = re.compile(rb"&#(x?)([0-9a-fA-F]{1,8});")
_UTF8_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")


def _forbidden(code: int) -> bool:
    return (
        (code < 0x20 and code not in (0x9, 0xA, 0xD))
        or 0xD800 <= code <= 0xDFFF
        or code in (0xFFFE, 0xFFFF)
        or code > 0x10FFFF
    )


def _invalid_character(exc: Exception, data: bytes) -> bool:
    """Whether the reader failed on a character XML forbids (a lone surrogate written as
    `&#xD800;` or as raw bytes), rather than on a damaged file. Only asked after a failure."""
    text = str(exc).lower()
    if "codepoint" in text or "character reference" in text:
        return True
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        for info in book.infolist():
            if not info.filename.lower().endswith(".xml"):
                continue
            xml = book.read(info)
            if _UTF8_SURROGATE.search(xml):
                return True
            for hexadecimal, number in _CHAR_REF.findall(xml):
                code = int(number, 16) if hexadecimal else int(number) if number.isdigit() else 0
                if _forbidden(code):
                    return True
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return False
    return False


def read_sheet_cells(data: bytes, forced_kind: str | None, limits: dict) -> SheetCells:
    """The first sheet with a recognisable header, after the workbook passed its limits."""
    check_workbook(data, limits)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # a zip that is not a workbook, a damaged or encrypted file
        if _invalid_character(exc, data):
            raise FileRejected("invalid_character") from exc
        raise FileRejected("not_a_spreadsheet") from exc
    missing: FileRejected | None = None
    for sheet_name in book.sheet_names:
        try:
            sheet = book.get_sheet_by_name(sheet_name)
            rows = sheet.to_python(skip_empty_area=False)
            top = sheet.start[0] if sheet.start else 0
        except Exception as exc:  # chart sheets and the like: try the next sheet
            # ... but a sheet with a character XML forbids (a lone surrogate) says so, rather
            # than "no header" when no other sheet has one.
            if _invalid_character(exc, data) and missing is None:
                missing = FileRejected("invalid_character")
            continue
        try:
            header_index, match = find_header(rows, forced_kind)
        except FileRejected as exc:
            if exc.key == "duplicate_columns":
                raise
            keep = missing and missing.key in ("header_missing_columns", "invalid_character")
            missing = missing if keep else exc
            continue
        data_rows = rows[header_index + 1 :]
        width = len(rows[header_index])
        columns = [
            [cell_text(r[i]) if i < len(r) else None for r in data_rows] for i in range(width)
        ]
        # Scores and criteria answers may be Excel percentages (0.85 shown as 85%).
        scored = list(match.benchmarks.values()) + (
            [match.columns["answer"]] if "answer" in match.columns else []
        )
        percent = (
            _percent_cells(data, sheet_name, scored, top + header_index + 1) if scored else set()
        )
        for row, column in percent:
            index = row - (top + header_index + 1)
            value = data_rows[index][column] if 0 <= index < len(data_rows) else None
            if isinstance(value, float | int) and not isinstance(value, bool):
                columns[column][index] = cell_text(round(float(value) * 100, 9))
        return SheetCells(
            rows[header_index], match, columns, len(data_rows), top + header_index + 2
        )
    raise missing or FileRejected("no_header")
