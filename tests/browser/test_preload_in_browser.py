"""The browser loads the table code while a person reads the first page (dashboard.preload),
so the first page with a table does not wait for it; without the preload it is not loaded."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from dashboard_fixture import make_fixture_warehouse
from live_server import settle, start_server, stop_server
from playwright.sync_api import Page, expect

from pipelines.i18n import t

pytestmark = pytest.mark.browser
TABLE = '[data-testid="stDataFrame"]'


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    db = tmp_path_factory.mktemp("preload") / "shirube.duckdb"
    make_fixture_warehouse(db)
    return db


@contextmanager
def _tab_on_a_server(browser, db, monkeypatch, preload_on: bool) -> Iterator[tuple[Page, str]]:
    """A fresh tab, and the URL of a server started with the preload on or off."""
    monkeypatch.setenv("SHIRUBE_PRELOAD", "1" if preload_on else "0")
    process, url = start_server(db, db.parent / f"server-{preload_on}.log", "--no-auth")
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        yield context.new_page(), url
    finally:
        context.close()
        stop_server(process)


def table_code_requests(page: Page) -> int:
    return page.evaluate(
        "performance.getEntriesByType('resource')"
        ".filter(e => /\\/static\\/js\\/DataFrame\\.[^/]*\\.js$/.test(e.name)).length"
    )


def _overview_then_wait(page: Page, url: str, seconds: float) -> int:
    page.goto(f"{url}/")
    settle(page)
    assert page.locator(TABLE).count() == 0  # the overview shows no table itself
    deadline = time.monotonic() + seconds
    while table_code_requests(page) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    return table_code_requests(page)


def test_table_code_is_loaded_on_the_first_page_and_used_by_the_first_table(
    browser, warehouse, monkeypatch
):
    with _tab_on_a_server(browser, warehouse, monkeypatch, preload_on=True) as (page, url):
        assert _overview_then_wait(page, url, seconds=15) == 1
        page.locator('[data-testid="stSidebarNav"]').get_by_role(
            "link", name=t("dashboard.page_support", "ja"), exact=True
        ).click()
        expect(page.locator(TABLE).first).to_be_visible(timeout=30_000)
        assert table_code_requests(page) == 1  # the same module, not fetched again


def test_without_the_preload_the_first_page_leaves_the_table_code_unloaded(
    browser, warehouse, monkeypatch
):
    with _tab_on_a_server(browser, warehouse, monkeypatch, preload_on=False) as (page, url):
        assert _overview_then_wait(page, url, seconds=5) == 0
