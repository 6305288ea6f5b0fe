"""Names are data, never markup: a school, hub and municipality named with Markdown, HTML, maths
and remote images, loaded by the real ingest and build, show literally on the school profile and
the needs-support page; nothing is linked, fetched or typeset. A crafted ?school= link puts no
live link into the app's own message."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from live_server import settle, start_server, stop_server
from playwright.sync_api import Page, expect

from pipelines.build import build_warehouse
from pipelines.codes import make_school_code
from pipelines.i18n import t
from pipelines.ingest import ingest_files
from pipelines.settings import default_framework

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
pytestmark = pytest.mark.browser

SCHOOL_NAME = "**bold** [click](http://evil.example/x) ![x](http://127.0.0.1:9/t.png) $x$ :red[red]"
HUB_NAME = "<b>hub</b> [hub](http://evil.example/h) $y^2$ :blue[hub]"
TOWN_NAME = "![t](http://127.0.0.1:9/m.png) **town** www.evil.example"
HOSTILE = make_school_code("C1", "13", "2", 1)
NEIGHBOUR = make_school_code("C1", "13", "2", 2)
PROBE_HOST = "127.0.0.1:9"
WORD_JOINER = "\u2060"  # invisible: dashboard.text.md() puts it where an autolink would start


def _files(folder: Path) -> list[Path]:
    """A schools file and a returns file as a school sends them (CP932 CSV, UTF-8 with BOM)."""
    folder.mkdir(parents=True, exist_ok=True)
    schools = folder / "schools.csv"
    lines = ["学校コード,学校名,市区町村コード,市区町村名,ハブコード,ハブ名"]
    lines.append(f"{HOSTILE},{SCHOOL_NAME},13101,{TOWN_NAME},H01,{HUB_NAME}")
    lines.append(f"{NEIGHBOUR},港中学校,13101,{TOWN_NAME},H01,{HUB_NAME}")
    schools.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    ids = default_framework().ids
    returns = folder / "returns.csv"
    rows = [",".join(["学校コード", "年度", "学期", "提出日", *ids])]
    rows.append(",".join([HOSTILE, "2024", "1", "2024-07-15", *["100"] * len(ids)]))
    rows.append(",".join([HOSTILE, "2025", "1", "2025-07-15", *["40"] * len(ids)]))
    rows.append(",".join([NEIGHBOUR, "2024", "1", "2024-07-15", *["100"] * len(ids)]))
    rows.append(",".join([NEIGHBOUR, "2025", "1", "2025-07-15", *["100"] * len(ids)]))
    returns.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    return [schools, returns]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "shirube.duckdb"
    ingest_files(_files(folder / "inbox"), db)
    build_warehouse(db, lang="en")
    log_path = folder / "server.log"
    process, url = start_server(db, log_path, "--no-auth")
    yield url
    stop_server(process)
    print(log_path.read_text())  # shown by pytest when a test of this module failed


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.fetched = []  # every request to the probe host the page makes
    page.on(
        "request",
        lambda request: page.fetched.append(request.url) if PROBE_HOST in request.url else None,
    )
    yield page
    context.close()


def shown(locator) -> str:
    """The text a reader sees (the word joiners that stop autolinks are invisible)."""
    return locator.inner_text().replace(WORD_JOINER, "")


def assert_nothing_rendered(page: Page) -> None:
    app = page.locator('[data-testid="stApp"]')
    assert app.locator('a[href*="evil.example"]').count() == 0
    assert app.locator(f'img[src*="{PROBE_HOST}"]').count() == 0
    assert app.locator(".katex, .katex-mathml, math").count() == 0
    assert app.locator("strong", has_text="bold").count() == 0
    assert app.locator("strong", has_text="town").count() == 0
    assert app.locator("b", has_text="hub").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.fetched == []


def test_the_school_profile_shows_the_names_literally(server, page):
    page.goto(f"{server}/school?school={HOSTILE}&year=2025&lang=en")
    settle(page)
    assert shown(page.locator("h3").first) == SCHOOL_NAME
    caption = shown(page.locator('[data-testid="stCaptionContainer"]').filter(has_text=HOSTILE))
    assert TOWN_NAME in caption and HUB_NAME in caption
    page.wait_for_timeout(1000)  # the charts' SVG and any image request
    assert_nothing_rendered(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "hostile_school.png", full_page=True)


def test_the_needs_support_page_shows_the_names_literally(server, page):
    page.goto(f"{server}/support?year=2025&hub=H01&lang=en")
    settle(page)
    assert HUB_NAME in shown(page.locator('[data-testid="stCaptionContainer"]').first)
    panel = page.locator(".st-key-support_detail")
    assert shown(panel.locator("h3")) == f"{SCHOOL_NAME} ({HOSTILE})"
    page.wait_for_timeout(1000)
    assert_nothing_rendered(page)
    page.screenshot(path=SCREENSHOTS / "hostile_support.png", full_page=True)


def test_a_crafted_school_link_puts_no_live_link_in_the_refusal(server, page):
    crafted = "[click here](http://evil.example/phish)"
    page.goto(f"{server}/school?school={quote(crafted)}")
    settle(page)
    assert_nothing_rendered(page)
    assert "click here" not in page.locator('[data-testid="stApp"]').inner_text()
    expect(page.get_by_text(t("dashboard.school_link_invalid", "ja"))).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "hostile_link.png", full_page=True)
