"""Downloads of a table: CSV that Excel opens in Japanese, and .xlsx with text kept as text."""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter


def to_csv(frame: pl.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel on Japanese Windows reads the Japanese correctly."""
    return b"\xef\xbb\xbf" + frame.write_csv().encode("utf-8")


def to_xlsx(frame: pl.DataFrame, sheet_name: str) -> bytes:
    """One sheet with a header row; strings are written as strings, never as formulas.

    A school name such as "=東京私立高等学校" must stay text (and not run as a formula), so every
    string goes through write_string rather than xlsxwriter's type guessing.
    """
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as workbook:
        sheet = workbook.add_worksheet(sheet_name[:31])
        bold = workbook.add_format({"bold": True})
        for col, name in enumerate(frame.columns):
            sheet.write_string(0, col, name, bold)
            sheet.set_column(col, col, max(10, min(60, len(name) * 2)))
        for row_index, row in enumerate(frame.iter_rows(), start=1):
            for col, value in enumerate(row):
                if value is None:
                    sheet.write_blank(row_index, col, None)
                elif isinstance(value, bool):
                    sheet.write_boolean(row_index, col, value)
                elif isinstance(value, int | float):
                    sheet.write_number(row_index, col, value)
                else:
                    sheet.write_string(row_index, col, str(value))
        sheet.freeze_panes(1, 0)
    return buffer.getvalue()
