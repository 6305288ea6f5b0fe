"""The HTML report: one self-contained file, no network reference, plotly.js embedded once,
Japanese names, figures equal to the marts, suppressed figures only as the mark."""

import re
from html.parser import HTMLParser

import pytest
from report_fixture import as_displayed, make_report_fixture, mart_row

from pipelines.i18n import t
from pipelines.reports import render_report
from pipelines.settings import default_framework

URL_ATTRIBUTES = {"src", "href", "srcset", "action", "poster", "data", "xlink:href"}
NETWORK = re.compile(r"^\s*(https?:|//)", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)


class ReportParser(HTMLParser):
    """Collects URL-bearing attributes, inline CSS, scripts, text outside scripts, and tables."""

    def __init__(self) -> None:
        super().__init__()
        self.urls, self.css, self.scripts, self.text = [], [], [], []
        self.tables: list[list[list[str]]] = []
        self.tags: set[str] = set()
        self._in = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, name, value))
            if name == "style" and value:
                self.css.append(value)
        if tag in ("script", "style"):
            self._in = tag
            (self.scripts if tag == "script" else self.css).append("")
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "style":
            self.css[-1] += data
        else:
            self.text.append(data)
            if self._cell is not None:
                self._cell.append(data)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    return make_report_fixture(tmp_path_factory.mktemp("warehouse") / "shirube.duckdb")


@pytest.fixture(scope="module")
def aichi_html(snapshot):
    return render_report(snapshot, year=2025, area="prefecture:23", lang="ja", fmt="html").decode(
        "utf-8"
    )


@pytest.fixture(scope="module")
def parsed(aichi_html):
    parser = ReportParser()
    parser.feed(aichi_html)
    return parser


def table_with_header(parsed, first_header):
    return next(table for table in parsed.tables if table and table[0][0] == first_header)


def test_no_network_reference_in_any_attribute_or_stylesheet(parsed):
    assert [u for u in parsed.urls if NETWORK.match(u[2])] == []
    css_urls = [u for block in parsed.css for u in CSS_URL.findall(block)]
    assert [u for u in css_urls if NETWORK.match(u)] == []
    assert "http" not in "".join(parsed.text)  # nothing visible or structural points outside
    assert not parsed.tags & {"link", "iframe", "object", "embed", "base"}


def test_plotly_js_is_embedded_exactly_once_and_no_script_is_loaded_from_elsewhere(
    aichi_html, parsed
):
    assert aichi_html.count("* plotly.js v") == 1
    assert len([s for s in parsed.scripts if len(s) > 1_000_000]) == 1
    assert [u for u in parsed.urls if u[0] == "script"] == []
    assert aichi_html.count('class="plotly-graph-div"') == 4  # four charts share it


def test_japanese_page_with_japanese_benchmark_names(aichi_html, parsed):
    assert '<html lang="ja">' in aichi_html
    table = table_with_header(parsed, t("report.col_benchmark_id", "ja"))
    assert [row[1] for row in table[2:]] == [b.name_ja for b in default_framework().benchmarks]


def test_benchmark_table_equals_the_marts(snapshot, parsed):
    table = table_with_header(parsed, t("report.col_benchmark_id", "ja"))
    version = default_framework().version
    for row in table[2:]:  # two header rows: the areas, then their columns
        keys = {"academic_year": 2025, "framework_version": version, "benchmark_id": row[0]}
        area = mart_row(
            snapshot, "public_area_year_benchmark", area_level="prefecture", area_code="23", **keys
        )
        nation = mart_row(
            snapshot, "public_area_year_benchmark", area_level="national", area_code="JP", **keys
        )
        # the prefecture, its region (R4), then the nation
        assert row[2:5] + row[8:] == [
            str(area["schools_reporting"]),
            as_displayed(area["mean_score"], 1),
            as_displayed(area["pct_fully_achieved"], 1),
            f"{nation['schools_reporting']:,}",
            as_displayed(nation["mean_score"], 1),
            as_displayed(nation["pct_fully_achieved"], 1),
        ]


def test_headline_response_rate_and_change_equal_the_marts(snapshot, parsed):
    table = table_with_header(parsed, t("report.col_measure", "ja"))
    row = next(r for r in table if r[0] == t("report.measure_response_rate", "ja"))
    summary = mart_row(
        snapshot,
        "public_area_year_summary",
        area_level="prefecture",
        area_code="23",
        academic_year=2025,
    )
    assert row[1] == as_displayed(summary["response_rate"], 1)
    assert row[5] == "+" + as_displayed(summary["change_response_rate"], 1)  # after region, nation


def test_suppressed_rows_are_folded_into_a_line_not_shown_as_marks(snapshot, aichi_html, parsed):
    table = table_with_header(parsed, t("report.col_prefecture", "ja"))
    assert "神奈川県" not in [r[0] for r in table]
    assert "神奈川県" in aichi_html.split('<table class="prefectures">')[1].split("</section>")[0]
    coverage = table_with_header(parsed, t("report.col_year_of_schooling", "ja"))
    assert [r for r in coverage if t("report.suppressed_mark", "ja") in r] == []


def test_english_report_is_in_english(snapshot):
    html = render_report(snapshot, year=2025, area="national", lang="en", fmt="html").decode()
    assert '<html lang="en">' in html
    assert "Personal guidance" in html and t("report.section_regional", "en") in html
    assert "個別のキャリア相談" not in html
