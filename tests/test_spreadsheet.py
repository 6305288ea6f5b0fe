"""Formula injection: every CSV and Excel file the product writes makes formula-like text inert
(one place, pipelines.spreadsheet), and numbers stay numbers."""

import csv
import io

import openpyxl
import polars as pl
import pytest

from dashboard import exports

HOSTILE = ["+cmd|'/C calc'!A0", "@SUM(1)", '=HYPERLINK("http://x","y")', "-1+1", "\t=1", "\r=1"]
WIDE = ["＝SUM(1)", "＋1", "－1", "＠SUM(1)"]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("name", HOSTILE + WIDE)
def test_csv_download_starts_a_formula_like_name_with_an_apostrophe(name):
    frame = pl.DataFrame({"学校名": [name, "普通の学校"], "課題の数": [1, 2]})
    rows = csv_rows(exports.to_csv(frame))
    assert rows[1][0] == "'" + name
    assert rows[2][0] == "普通の学校"


def test_csv_download_keeps_numbers_negative_ones_included_as_numbers():
    frame = pl.DataFrame({"学校名": ["@SUM(1)"], "変化": [-2], "平均": [-0.5]})
    rows = csv_rows(exports.to_csv(frame))
    assert rows[1][1:] == ["-2", "-0.5"]


def test_csv_download_makes_a_formula_like_header_inert():
    rows = csv_rows(exports.to_csv(pl.DataFrame({"=1+1": ["a"]})))
    assert rows[0] == ["'=1+1"]


# A carriage return is stored as _x000D_ in the file (openpyxl does not decode it back).
@pytest.mark.parametrize("name", [n for n in HOSTILE if "\r" not in n] + WIDE)
def test_excel_download_marks_a_formula_like_name_as_quoted_text(tmp_path, name):
    frame = pl.DataFrame({"学校名": [name, "普通の学校"], "変化": [-2, 3]})
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(frame, "支援"))).active
    cell = sheet["A2"]
    assert cell.value == name and cell.data_type == "s" and cell.quotePrefix
    assert not sheet["A3"].quotePrefix
    assert sheet["B2"].value == -2 and sheet["B2"].data_type == "n"
