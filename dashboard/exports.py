"""Downloads of a table: CSV that Excel opens in Japanese, and .xlsx with text kept as text.

Both go through pipelines.spreadsheet, the one place that makes a cell that could start a formula
(a school name such as `+cmd|'/C calc'!A0` or `=東京私立高等学校`) inert.
"""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter

from pipelines.spreadsheet import WORKBOOK_OPTIONS, TextCells, csv_bytes


def to_csv(frame: pl.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel on Japanese Windows reads the Japanese correctly."""
    return csv_bytes(frame)


def to_xlsx(frame: pl.DataFrame, sheet_name: str) -> bytes:
    """One sheet with a header row; strings are written as strings, never as formulas."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS) as workbook:
        cells = TextCells(workbook)
        sheet = workbook.add_worksheet(sheet_name[:31])
        bold = cells.format({"bold": True})
        for col, name in enumerate(frame.columns):
            cells.write(sheet, 0, col, name, bold)
            sheet.set_column(col, col, max(10, min(60, len(name) * 2)))
        for row_index, row in enumerate(frame.iter_rows(), start=1):
            for col, value in enumerate(row):
                cells.write_value(sheet, row_index, col, value)
        sheet.freeze_panes(1, 0)
    return buffer.getvalue()
