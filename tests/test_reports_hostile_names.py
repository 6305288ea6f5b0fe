"""A hub named by a hostile sender: inert in the Excel report, escaped text in the HTML report and
its charts, and no script in the dashboard's preview. Raw rows through the real build."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from build_rows import RawRows, build_and_open, code

from pipelines.reports import render_report
from pipelines.reports.charts import report_charts
from pipelines.reports.content import gather_report
from pipelines.settings import default_framework
from pipelines.warehouse import current_snapshot, open_snapshot

HOSTILE_HUB = "+cmd|'/C calc'!A0 <img src=x onerror=alert(1)> [link](http://evil.example)"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    raw = RawRows(tmp_path_factory.mktemp("hostile") / "shirube.duckdb")
    schools = [code("C1", "13", n) for n in range(1, 7)]
    raw.schools([(s, f"中学校{n}", "13101", "H-EVIL", HOSTILE_HUB) for n, s in enumerate(schools)])
    ids = default_framework().ids
    raw.returns([(s, 2025, 1, date(2025, 7, 1), dict.fromkeys(ids, 100)) for s in schools])
    build_and_open(raw).close()
    return current_snapshot(raw.db_path)[1]


def test_excel_report_writes_the_hub_name_as_quoted_text(snapshot):
    data = render_report(snapshot, year=2025, area="hub:H-EVIL", lang="ja", fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    named = [
        cell
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value == HOSTILE_HUB
    ]
    assert named and all(c.data_type == "s" and c.quotePrefix for c in named)


def test_html_report_and_its_charts_show_the_hub_name_as_escaped_text(snapshot):
    html = render_report(snapshot, year=2025, area="hub:H-EVIL", lang="ja", fmt="html").decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    con = open_snapshot(snapshot)
    try:
        content = gather_report(con, year=2025, area="hub:H-EVIL", lang="ja")
    finally:
        con.close()
    names = [trace.name for trace in report_charts(content)["benchmarks"].data]
    assert any("&lt;img" in name for name in names) and not any("<img" in n for n in names)


def test_preview_is_html_without_any_script_and_forbids_scripts_and_fetches(snapshot):
    html = render_report(snapshot, year=2025, area="hub:H-EVIL", lang="ja", fmt="preview").decode()
    assert "<script" not in html.lower()
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert 'src="data:image/svg+xml;base64,' in html  # charts drawn, as images
    assert len(html) < 2_000_000  # small enough to embed (the HTML file is ~5 MB)
