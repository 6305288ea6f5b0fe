"""The report page and the tables in headless Chromium, on a warehouse the real pipeline built:
the preview is drawn (not a blank frame) and audited, and no table offers its own CSV download."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from live_server import settle, start_server, stop_server
from playwright.sync_api import expect
from report_warehouse import build_sample_warehouse

from pipelines.audit import spool_dir
from pipelines.i18n import t

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report_page")
    build_sample_warehouse(folder, schools=120, years=2)
    return folder / "shirube.duckdb"


@pytest.fixture(scope="module")
def server(warehouse):
    log_path = warehouse.parent / "server.log"
    process, url = start_server(warehouse, log_path, "--no-auth")
    yield url
    stop_server(process)
    print(log_path.read_text())  # shown by pytest when a test of this module failed


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ja-JP")
    yield context.new_page()
    context.close()


def audit_events(db: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted(spool_dir(db).glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_report_preview_is_drawn_in_chromium_and_recorded_as_an_export(
    server, warehouse, page, lang
):
    page.goto(f"{server}/report?lang={lang}")
    settle(page)
    page.get_by_text(t("dashboard.report_show_preview", lang)).click()
    frame = page.frame_locator('[data-testid="stIFrame"]').first
    expect(frame.locator("h1")).to_have_text(t("report.title", lang), timeout=90_000)
    expect(frame.locator("section.benchmarks img").first).to_be_visible()
    box = page.locator('[data-testid="stIFrame"]').first.bounding_box()
    assert box and box["height"] > 600
    # The charts are drawn: their images decoded with a size, not broken.
    widths = frame.locator("img").evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    assert widths and all(w > 0 for w in widths)
    settle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"report-preview-{lang}.png", full_page=True)
    previews = [
        e
        for e in audit_events(warehouse)
        if e["action"] == "export" and e["target"].endswith(".preview")
    ]
    assert any(e["detail"] == f"lang={lang}" for e in previews)


def test_no_table_offers_its_own_csv_download(server, page):
    page.goto(f"{server}/support")
    settle(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    expect(table).to_be_visible()
    table.hover()
    toolbar = page.locator('[data-testid="stElementToolbar"]').first
    expect(toolbar).to_be_visible()  # the toolbar is there (search, full screen)...
    assert toolbar.get_by_role("button", name="Download as CSV").count() == 0  # ...without export


def test_no_chart_offers_its_own_image_download(server, page):
    page.goto(f"{server}/overview")
    settle(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    # Plotly draws its toolbar with the chart (shown on hover): zoom and the rest are there...
    expect(chart.locator(".modebar-btn").first).to_be_attached(timeout=30_000)
    assert chart.locator('.modebar-btn[data-title^="Download plot"]').count() == 0
