"""The Excel report: no formulas ever, formula-like names stay text, numbers are numbers with
formats and equal the marts, headers frozen, suppressed figures are only the mark."""

import io

import openpyxl
import pytest
from report_fixture import (
    HUB_AICHI_NAME,
    HUB_TOKYO_NAME,
    make_report_fixture,
    mart_row,
)

from pipelines.i18n import t
from pipelines.reports import render_report
from pipelines.settings import default_framework

SHEETS = ["summary", "benchmarks", "distribution", "regional", "coverage", "methodology"]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    return make_report_fixture(tmp_path_factory.mktemp("warehouse") / "shirube.duckdb")


def workbook(snapshot, area, lang="ja"):
    data = render_report(snapshot, year=2025, area=area, lang=lang, fmt="xlsx")
    return openpyxl.load_workbook(io.BytesIO(data))


def cells(book):
    return [
        cell
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def row_by_first_cell(ws, value):
    for row in ws.iter_rows():
        if row[0].value == value:
            return row
    raise AssertionError(f"no row starting {value!r} in {ws.title}")


@pytest.mark.parametrize(
    ("area", "name"), [("hub:H-AICHI", HUB_AICHI_NAME), ("hub:H-TOKYO", HUB_TOKYO_NAME)]
)
def test_formula_like_area_names_are_strings_and_no_cell_is_a_formula(snapshot, area, name):
    book = workbook(snapshot, area)
    everything = cells(book)
    assert all(cell.data_type != "f" for cell in everything)
    named = [cell for cell in everything if cell.value == name]
    assert named, "the hub name is written as a header cell"
    assert all(cell.data_type == "s" for cell in named)
    assert any(
        isinstance(c.value, str) and name in c.value and c.value != name for c in everything
    ), "the subtitle holds the name too"


def test_sheets_are_named_in_the_report_language_with_frozen_header_rows(snapshot):
    for lang in ("ja", "en"):
        book = workbook(snapshot, "prefecture:23", lang)
        assert book.sheetnames == [t(f"report.sheet_{s}", lang) for s in SHEETS]
        summary = book.worksheets[0]
        header = row_by_first_cell(summary, t("report.col_measure", lang))
        assert summary.freeze_panes == f"A{header[0].row + 1}"
        for ws in book.worksheets[1:]:
            assert ws.freeze_panes == "A2", ws.title
            assert all(c.font.b for c in ws[1] if c.value is not None)


def test_japanese_headers_and_benchmark_names(snapshot):
    ws = workbook(snapshot, "prefecture:23")[t("report.sheet_benchmarks", "ja")]
    assert [c.value for c in ws[1]][:3] == ["番号", "ベンチマーク", "回答校数"]
    names = [ws.cell(row=i, column=2).value for i in range(2, ws.max_row + 1)]
    assert names == [b.name_ja for b in default_framework().benchmarks]


def same(value):
    """Excel keeps 15 significant digits; unrounded means equal at that precision."""
    return pytest.approx(value, rel=1e-13, abs=0)


def test_benchmark_figures_are_unrounded_numbers_equal_to_the_marts(snapshot):
    ws = workbook(snapshot, "prefecture:23")[t("report.sheet_benchmarks", "ja")]
    version = default_framework().version
    for row in ws.iter_rows(min_row=2):
        keys = {"academic_year": 2025, "framework_version": version, "benchmark_id": row[0].value}
        area = mart_row(
            snapshot, "public_area_year_benchmark", area_level="prefecture", area_code="23", **keys
        )
        nation = mart_row(
            snapshot, "public_area_year_benchmark", area_level="national", area_code="JP", **keys
        )
        assert row[2].value == area["schools_reporting"] and row[2].number_format == "#,##0"
        assert row[3].value == same(area["mean_score"]) and row[3].number_format == "0.0"
        assert row[4].value == same(area["pct_fully_achieved"]) and row[4].number_format == "0.0"
        # then the region (R4) and the nation, each: schools reporting, mean score, share
        assert row[8].value == nation["schools_reporting"]
        assert row[9].value == same(nation["mean_score"])
        assert row[10].value == same(nation["pct_fully_achieved"])
        assert all(c.data_type == "n" for c in row[2:])


def test_summary_headline_numbers_and_signed_change_format(snapshot):
    ws = workbook(snapshot, "prefecture:23")[t("report.sheet_summary", "ja")]
    summary = mart_row(
        snapshot,
        "public_area_year_summary",
        area_level="prefecture",
        area_code="23",
        academic_year=2025,
    )
    row = row_by_first_cell(ws, t("report.measure_avg_benchmarks_achieved", "ja", count=8))
    assert row[1].value == same(summary["avg_benchmarks_achieved"])
    assert row[1].number_format == "0.00"
    # columns: measure, the prefecture, its region, the nation, last year, change
    assert row[4].value == same(summary["prev_avg_benchmarks_achieved"])
    assert row[5].value == pytest.approx(summary["change_avg_benchmarks_achieved"])
    assert row[5].number_format.startswith("+")
    rate = row_by_first_cell(ws, t("report.measure_response_rate", "ja"))
    assert rate[1].value == same(summary["response_rate"]) and rate[1].number_format == "0.0"


def test_suppressed_area_shows_marks_not_numbers(snapshot):
    book = workbook(snapshot, "prefecture:14")
    ws = book[t("report.sheet_summary", "ja")]
    mark = t("report.suppressed_mark", "ja")
    registered = row_by_first_cell(ws, t("report.measure_schools_registered", "ja"))
    assert (
        registered[1].value
        == mart_row(
            snapshot,
            "public_area_year_summary",
            area_level="prefecture",
            area_code="14",
            academic_year=2025,
        )["schools_registered"]
    )
    for measure in ("schools_reporting", "response_rate", "pct_all_achieved"):
        row = row_by_first_cell(ws, t(f"report.measure_{measure}", "ja"))
        assert row[1].value == mark and row[1].data_type == "s"
        assert row[5].value == mark  # the change
    hidden = mart_row(
        snapshot, "area_year_summary", area_level="prefecture", area_code="14", academic_year=2025
    )["avg_benchmarks_achieved"]
    assert not [
        c for c in cells(book) if isinstance(c.value, float) and c.value == pytest.approx(hidden)
    ]
    benchmarks = book[t("report.sheet_benchmarks", "ja")]
    assert all(r[4].value == mark for r in benchmarks.iter_rows(min_row=2))


def test_regional_sheet_marks_the_suppressed_prefecture(snapshot):
    ws = workbook(snapshot, "national")[t("report.sheet_regional", "ja")]
    kanagawa = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "14")
    assert [c.value for c in kanagawa[3:7]] == [t("report.suppressed_mark", "ja")] * 4
    tokyo = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "13")
    expected = mart_row(
        snapshot,
        "public_area_year_summary",
        area_level="prefecture",
        area_code="13",
        academic_year=2025,
    )
    assert tokyo[5].value == same(expected["avg_benchmarks_achieved"])


def test_workbook_properties_name_the_report_and_data_version(snapshot):
    book = workbook(snapshot, "prefecture:23")
    build = mart_row(snapshot, "build_info")
    assert book.properties.creator == "Shirube"
    assert "愛知県" in book.properties.title and "2025" in book.properties.title
    assert build["version"][:13] in book.properties.description  # the short id; in full:
    assert book.custom_doc_props["data_version"].value == build["version"]
