"""Every CSV and Excel file the product writes goes through here, so no cell can run as a formula.

A school, hub or municipality name is whatever a sender wrote, and a coordinator can plant one by
upload (`+cmd|'/C calc'!A0`, `@SUM(1)`, `=HYPERLINK(…)`). Spreadsheet programs treat a cell that
starts with `=`, `+`, `-` or `@` (and, after a tab or carriage return, the same) as a formula when
a CSV is opened or an Excel cell is edited. The full-width forms are included too: Japanese input
turns them into formulas in some versions, and a name starting with one is rare enough that
marking it costs nothing.

- CSV has no types: a risky text gets a leading apostrophe (OWASP's advice), which spreadsheet
  programs show as text. Numbers are written as numbers, a negative one included.
- Excel: text is always written as a string cell, and a risky text also gets Excel's own quote
  prefix (the cell keeps its exact value, and editing it does not turn it into a formula).
"""

from __future__ import annotations

import polars as pl
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
UTF8_BOM = b"\xef\xbb\xbf"
# Workbook options for every workbook we write: a string never becomes a formula, URL or number.
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def could_start_formula(text: str) -> bool:
    """True when a spreadsheet program could read this text as (the start of) a formula."""
    return text.startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """The text as it may stand in a CSV cell: a leading apostrophe when it could be a formula."""
    return f"'{text}" if could_start_formula(text) else text


def csv_bytes(frame: pl.DataFrame, *, bom: bool = True) -> bytes:
    """The frame as CSV (UTF-8, with a BOM so Excel on Japanese Windows reads it) with every
    text cell and header made inert; numeric columns stay numbers."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    safe = frame.with_columns(_csv_text_expr(name) for name in text_columns).rename(
        {name: csv_text(name) for name in frame.columns}
    )
    data = safe.write_csv().encode("utf-8")
    return UTF8_BOM + data if bom else data


def _csv_text_expr(name: str) -> pl.Expr:
    """csv_text of every cell of a text column, by polars itself: a Python function inside a
    polars expression runs on polars' thread pool and needs the GIL there, which deadlocks a
    dashboard serving many sessions (issue 17, tests/test_polars_gil_hang.py)."""
    column = pl.col(name)
    risky = pl.any_horizontal(*(column.str.starts_with(start) for start in FORMULA_STARTS))
    return pl.when(risky).then(pl.lit("'") + column).otherwise(column).alias(name)


class TextCells:
    """Text cells of one workbook: formats made here get a quote-prefixed twin, used for any text
    that could start a formula."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self._twins: dict[int, Format] = {}
        self.default = self.format({})

    def format(self, properties: dict) -> Format:
        """A cell format for text (and numbers) of this workbook."""
        fmt = self.book.add_format(properties)
        self._twins[id(fmt)] = self.book.add_format({**properties, "quote_prefix": True})
        return fmt

    def write(self, sheet: Worksheet, row: int, col: int, text: str, fmt: Format | None = None):
        """Write `text` as a string cell; never as a formula, even when edited in Excel."""
        fmt = fmt if fmt is not None else self.default
        if could_start_formula(text):
            fmt = self._twins.get(id(fmt)) or self.book.add_format({"quote_prefix": True})
        sheet.write_string(row, col, text, fmt)

    def write_value(self, sheet: Worksheet, row: int, col: int, value: object, fmt=None) -> None:
        """A value of a table: blank, boolean, number or text (anything else as its text)."""
        if value is None:
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, fmt)
        else:
            self.write(sheet, row, col, str(value), fmt)
