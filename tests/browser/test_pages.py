"""The real dashboard in headless Chromium: `shirube serve` on the fixture snapshot, every page
visited and photographed, a filter changed through the sidebar and followed in the URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from dashboard_fixture import SCHOOLS, make_fixture_warehouse, school_code
from live_server import settle, start_server, stop_server
from playwright.sync_api import Page, expect

from dashboard.ui import PAGES
from pipelines.i18n import t

ROOT = Path(__file__).resolve().parents[2]

SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
pytestmark = pytest.mark.browser
# The school profile is photographed with a school open (the secondary one with coverage data).
PAGE_QUERY = {"school": f"?school={school_code(SCHOOLS[0])}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "shirube.duckdb"
    make_fixture_warehouse(db)
    log_path = folder / "server.log"
    # The fixture is not the demo sample, so the server runs open only with --no-auth.
    process, url = start_server(db, log_path, "--no-auth")
    yield url
    stop_server(process)
    print(log_path.read_text())  # shown by pytest when a test of this module failed


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ja-JP")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("spec", PAGES, ids=[spec.url_path for spec in PAGES])
def test_every_page_opens_without_an_exception_box(server, page, spec):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server}/{page_url(spec)}{PAGE_QUERY.get(spec.url_path, '')}")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0
    expect(page.locator("h1").first).to_have_text(t(f"dashboard.{spec.title_key}", "ja"))
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(
        t("dashboard.filter_year", "ja")
    )
    assert page.get_by_text(t("dashboard.page_error", "ja")).count() == 0
    page.screenshot(path=SCREENSHOTS / f"{spec.url_path}.png", full_page=True)


def page_url(spec) -> str:
    """The default page lives at the root (its url_path answers "page not found")."""
    return "" if spec is PAGES[0] else spec.url_path


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label` (sidebar or main) and wait for the rerun."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)
    settle(page)


def wait_for_query(page: Page, name: str, value: str) -> None:
    """The URL's query string shows `name=value` (written at the end of the script run)."""
    page.wait_for_url(
        lambda url: parse_qs(urlparse(url).query).get(name) == [value], timeout=20_000
    )


def test_changing_a_filter_changes_the_url_and_the_numbers_and_back_restores_them(server, page):
    page.goto(f"{server}/")
    settle(page)
    registered = page.locator('[data-testid="stMetric"]').filter(
        has_text=t("dashboard.metric_registered", "ja")
    )
    expect(registered).to_contain_text(f"{len(SCHOOLS)}校")
    choose(page, t("dashboard.filter_area_level", "ja"), t("dashboard.level_prefecture", "ja"))
    choose(page, t("dashboard.filter_area", "ja"), "東京都")
    wait_for_query(page, "area", "13")
    assert parse_qs(urlparse(page.url).query)["level"] == ["prefecture"]
    tokyo = [s for s in SCHOOLS if s[4].startswith("13")]
    expect(registered).to_contain_text(f"{len(tokyo)}校")
    # Another page keeps the filters; change one there, then step back and forward.
    page.get_by_role("link", name=t("dashboard.page_support", "ja")).click()
    settle(page)
    wait_for_query(page, "area", "13")
    area_box = page.get_by_role("combobox", name=t("dashboard.filter_area", "ja"), exact=True)
    choose(page, t("dashboard.filter_area", "ja"), "大阪府")
    wait_for_query(page, "area", "27")
    page.go_back()
    settle(page)
    wait_for_query(page, "area", "13")
    expect(area_box).to_have_value("東京都", timeout=20_000)
    expect(page.locator('[data-testid="stCaptionContainer"]').first).to_contain_text("東京都")
    page.go_forward()
    settle(page)
    expect(area_box).to_have_value("大阪府", timeout=20_000)


def test_a_shared_link_opens_the_same_view_in_english(server, page):
    page.goto(f"{server}/support?lang=en&level=municipality&area=14100")
    settle(page)
    expect(page.locator("h1").first).to_have_text(t("dashboard.page_support", "en"))
    expect(page.locator('[data-testid="stCaptionContainer"]').first).to_contain_text("横浜市")
    page.get_by_role("link", name=t("dashboard.page_compare", "en")).click()
    settle(page)
    expect(page.locator("h1").first).to_have_text(t("dashboard.page_compare", "en"))
    assert page.locator('[data-testid="stException"]').count() == 0
