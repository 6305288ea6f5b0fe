"""The PDF report: A4, Japanese text that extracts as real kanji, fonts embedded, vector charts,
figures equal to the public marts, suppressed figures shown only as the mark."""

import io
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject
from report_fixture import as_displayed, make_report_fixture, mart_row, mart_rows

from pipelines.i18n import t
from pipelines.reports import render_report
from pipelines.settings import default_framework

A4_POINTS = (595.28, 841.89)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    return make_report_fixture(tmp_path_factory.mktemp("warehouse") / "shirube.duckdb")


@pytest.fixture(scope="module")
def aichi_pdf(snapshot):
    return render_report(snapshot, year=2025, area="prefecture:23", lang="ja", fmt="pdf")


@pytest.fixture(scope="module")
def aichi_text(aichi_pdf):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(aichi_pdf)).pages)


def spaced(text: str) -> str:
    """A pattern for `text` that tolerates line breaks inside it (table cells wrap)."""
    return r"\s*".join(re.escape(ch) for ch in text)


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _fonts_and_images(resources, seen=None):
    """Every font dictionary and image XObject reachable from a resources dictionary."""
    seen = set() if seen is None else seen
    fonts, images = [], []
    resources = _resolve(resources) or {}
    for font in (_resolve(resources.get("/Font")) or {}).values():
        fonts.append(_resolve(font))
    for xobject in (_resolve(resources.get("/XObject")) or {}).values():
        key = getattr(xobject, "idnum", id(xobject))
        if key in seen:
            continue
        seen.add(key)
        xobject = _resolve(xobject)
        if xobject.get("/Subtype") == "/Image":
            images.append(xobject)
        elif "/Resources" in xobject:
            more_fonts, more_images = _fonts_and_images(xobject["/Resources"], seen)
            fonts += more_fonts
            images += more_images
    return fonts, images


def test_pages_are_a4_portrait(aichi_pdf):
    reader = PdfReader(io.BytesIO(aichi_pdf))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == pytest.approx(A4_POINTS, abs=0.5)


def test_japanese_benchmark_names_extract_as_text(aichi_text):
    for benchmark in default_framework().benchmarks:
        assert re.search(spaced(benchmark.name_ja), aichi_text), benchmark.name_ja
    assert "職場体験" in aichi_text


def test_dai_extracts_as_the_unified_ideograph_not_the_kangxi_radical(aichi_text):
    # 大 appears in B7's description (大学) and in the tile map (大阪, 大分).
    assert "大学" in aichi_text and "大阪" in aichi_text
    assert "\u5927" in aichi_text
    assert "\u2f24" not in aichi_text  # ⼤ KANGXI RADICAL BIG, what some Chromium PDFs give


def test_every_font_is_embedded_and_japanese_text_uses_noto_cjk(aichi_pdf):
    reader = PdfReader(io.BytesIO(aichi_pdf))
    fonts = [f for page in reader.pages for f in _fonts_and_images(page["/Resources"])[0]]
    assert fonts
    for font in fonts:
        descriptor_owner = (
            _resolve(font["/DescendantFonts"][0]) if "/DescendantFonts" in font else font
        )
        descriptor = _resolve(descriptor_owner["/FontDescriptor"])
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font["/BaseFont"]
    assert any("NotoSansCJKJP" in str(f["/BaseFont"]).replace("-", "") for f in fonts)


def test_charts_are_vector_drawings_not_raster_images(aichi_pdf, aichi_text):
    reader = PdfReader(io.BytesIO(aichi_pdf))
    images = [i for page in reader.pages for i in _fonts_and_images(page["/Resources"])[1]]
    assert images == []
    # The chart titles are text drawn inside the SVG charts.
    assert t("report.chart_benchmarks_title", "ja") in aichi_text
    assert re.search(spaced(t("report.chart_tile_title", "ja")), aichi_text)


def test_headline_row_shows_the_marts_figures_as_displayed(snapshot, aichi_text):
    version = default_framework().version
    keys = {"academic_year": 2025, "framework_version": version}
    area = mart_row(
        snapshot, "public_area_year_summary", area_level="prefecture", area_code="23", **keys
    )
    region = mart_row(
        snapshot, "public_area_year_summary", area_level="region", area_code="R4", **keys
    )
    nation = mart_row(
        snapshot, "public_area_year_summary", area_level="national", area_code="JP", **keys
    )
    label = t("report.measure_avg_benchmarks_achieved", "ja", count=8)
    change = as_displayed(area["change_avg_benchmarks_achieved"], 2)
    expected = [  # the prefecture, its region, the nation, last year, change
        as_displayed(area["avg_benchmarks_achieved"], 2),
        as_displayed(region["avg_benchmarks_achieved"], 2),
        as_displayed(nation["avg_benchmarks_achieved"], 2),
        as_displayed(area["prev_avg_benchmarks_achieved"], 2),
        change if change.startswith("-") else f"+{change}",
    ]
    assert re.search(spaced(label) + r"\s+" + r"\s+".join(map(re.escape, expected)), aichi_text)


def test_benchmark_table_rows_equal_the_marts(snapshot, aichi_text):
    version = default_framework().version
    for benchmark in default_framework().benchmarks:
        keys = {"academic_year": 2025, "framework_version": version, "benchmark_id": benchmark.id}
        area = mart_row(
            snapshot, "public_area_year_benchmark", area_level="prefecture", area_code="23", **keys
        )
        region = mart_row(
            snapshot, "public_area_year_benchmark", area_level="region", area_code="R4", **keys
        )
        nation = mart_row(
            snapshot, "public_area_year_benchmark", area_level="national", area_code="JP", **keys
        )
        cells = [
            f"{figures['schools_reporting']:,}"
            if column == "schools_reporting"
            else as_displayed(figures[column], 1)
            for figures in (area, region, nation)
            for column in ("schools_reporting", "mean_score", "pct_fully_achieved")
        ]
        pattern = (
            re.escape(benchmark.id)
            + r"\s*"
            + spaced(benchmark.name_ja)
            + r"\s+"
            + r"\s+".join(map(re.escape, cells))
        )
        assert re.search(pattern, aichi_text), benchmark.id


def test_suppressed_prefecture_is_folded_into_a_line_and_never_shows_its_figures(
    snapshot, aichi_text
):
    mark = re.escape(t("report.suppressed_mark", "ja"))
    assert not re.search(r"神奈川県\s+" + mark, aichi_text)
    assert "神奈川県" in aichi_text  # named in the folded line
    hidden = mart_row(
        snapshot, "area_year_summary", area_level="prefecture", area_code="14", academic_year=2025
    )  # the unsuppressed figure, never in a report
    hidden_avg = as_displayed(hidden["avg_benchmarks_achieved"], 2)
    assert all(hidden_avg not in line for line in aichi_text.splitlines() if "神奈川" in line)
    assert hidden_avg not in aichi_text


def test_english_report_uses_english_names_and_labels(snapshot):
    pdf = render_report(snapshot, year=2025, area="national", lang="en", fmt="pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert t("report.title", "en") in text
    assert "Experiences of workplaces" in text
    assert "職場体験" not in text
    nation = mart_rows(
        snapshot,
        "public_area_year_summary",
        area_level="national",
        area_code="JP",
        academic_year=2025,
    )[0]
    assert as_displayed(nation["response_rate"], 1) in text


def test_a_tables_last_row_never_starts_a_page_alone():
    """The report's stylesheet keeps a table's last three rows together. A filler of growing
    height pushes the page break through every row of an eight-row table (the benchmarks); on
    whichever page its last row lands, the two rows before it are there too."""
    from weasyprint import HTML

    from pipelines.reports.document import stylesheet
    from pipelines.reports.markup import table

    rows = [[(f"ROW{i}", False), (f"{i * 10}", True)] for i in range(1, 9)]
    breaks_seen = set()
    for filler_mm in range(200, 262, 3):
        document = (
            f"<html><head><style>{stylesheet()}</style></head><body>"
            f'<div style="height: {filler_mm}mm"></div>'
            f"{table(['No.', 'Value'], rows, 'benchmarks')}</body></html>"
        )
        pages = [
            page.extract_text()
            for page in PdfReader(io.BytesIO(HTML(string=document).write_pdf())).pages
        ]
        last_page = next(text for text in pages if "ROW8" in text)
        assert "ROW7" in last_page and "ROW6" in last_page, (filler_mm, pages)
        breaks_seen.add(sum("ROW" in text for text in pages))
    assert breaks_seen == {1, 2}  # some heights split the table, some leave it whole
