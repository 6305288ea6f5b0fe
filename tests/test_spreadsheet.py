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


def test_national_support_export_of_uploaded_hostile_names_is_inert(tmp_path):
    """A coordinator plants formula-like school names by upload; ASKNET's national list of
    schools needing support, downloaded as CSV and Excel, carries them inert."""
    from access_warehouse import SCHOOLS, returns_csv, schools_csv

    from dashboard.queries import schools as q_schools
    from dashboard.scope import Scope
    from pipelines.build import build_warehouse
    from pipelines.ingest import ingest_files
    from pipelines.warehouse import current_snapshot, open_snapshot

    hostile = ["+cmd|'/C calc'!A0", "@SUM(1)"]
    rows = list(SCHOOLS)
    rows[3] = (rows[3][0], hostile[0], *rows[3][2:])  # D and E have no return: flagged
    rows[4] = (rows[4][0], hostile[1], *rows[4][2:])
    upload, returns = tmp_path / "schools.csv", tmp_path / "returns.csv"
    upload.write_bytes(schools_csv(rows))
    returns.write_bytes(returns_csv())
    db = tmp_path / "shirube.duckdb"
    ingest_files([upload, returns], db)
    build_warehouse(db, lang="en")
    con = open_snapshot(current_snapshot(db)[1])
    try:
        flagged = q_schools.flagged_schools(con.cursor(), Scope.everything(), year=2025)
    finally:
        con.close()
    frame = flagged.select("school_name", "school_code", "flags")
    assert set(hostile) <= set(frame["school_name"])
    written = {row[0] for row in csv_rows(exports.to_csv(frame))[1:]}
    assert {"'" + name for name in hostile} <= written
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(frame, "支援"))).active
    cells = [c for c in sheet["A"][1:] if c.value in hostile]
    assert len(cells) == 2 and all(c.quotePrefix for c in cells)
