"""Every page in English, for each role, through the real OpenID Connect login: no Japanese that
is not data, no raw message keys, no exception box, no blank frame or chart.

The warehouse is the committed sample (data/sample) ingested and built by the real pipeline.
School, municipality and hub names, file names and the raw values of quarantined rows are data:
they are read from the warehouse and removed before the text is checked. The language is chosen
in the sidebar and pages are changed through the sidebar's links, as a person does (a link with
?lang=en hid the bug where every other page change switched the page names back to Japanese).
Screenshots go to tests/browser/screenshots/en_<role>_<page>.png.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import live_server
import pytest
from live_server import free_port, log_in, settle, write_auth_secrets
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import Page, expect

from dashboard.access import SIGNED_IN, Viewer
from dashboard.queries.options import areas
from dashboard.roles import Role
from dashboard.scope import Scope
from dashboard.ui import pages_for
from pipelines.i18n import t
from pipelines.warehouse import current_snapshot, open_snapshot

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
pytestmark = pytest.mark.browser

COORDINATOR, BOARD, STAFF, MISTYPED = (
    "coord@example.org",
    "kyoiku@example.org",
    "staff@example.org",
    "typo@example.org",
)
MISTYPED_HUB = "HUB-R9-9"
ROLE_NAMES = {COORDINATOR: "coordinator", BOARD: "superintendent", STAFF: "asknet"}
_NAV_ROLES = {
    COORDINATOR: Role(COORDINATOR, "hub_coordinator", "hub", "H"),
    BOARD: Role(BOARD, "superintendent", "municipality", "00000"),
    STAFF: Role(STAFF, "asknet"),
}


def nav_pages(email: str) -> tuple:
    """The pages in the order the sidebar shows them to this person (dashboard.ui.pages_for)."""
    return pages_for(Viewer(SIGNED_IN, email, _NAV_ROLES[email]))


# Japanese the English interface shows on purpose: the language switch names both languages.
ALLOWED_JAPANESE = (t("dashboard.language", "en"), t("dashboard.language_ja", "en"))
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uffef]+")
RAW_KEY = re.compile(r"\bdashboard\.[a-z0-9_]+|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def en(key: str, **values: object) -> str:
    return t(f"dashboard.{key}", "en", **values)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("english") / "shirube.duckdb"
    for command in (["ingest", str(ROOT / "data" / "sample")], ["build"]):
        done = subprocess.run(
            [sys.executable, "-m", "shirube.cli", *command, "--db", str(db)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
    return db


@pytest.fixture(scope="module")
def facts(warehouse) -> dict:
    """The biggest hub and municipality (for the coordinator and the superintendent) and every
    string that is data, longest first (a school's name contains its municipality's)."""
    con = open_snapshot(current_snapshot(warehouse)[1])
    try:
        cursor = con.cursor()

        def column(sql: str) -> set[str]:
            return {value for (value,) in cursor.execute(sql).fetchall() if value}

        data = (
            column("select school_name from marts.dim_school")
            | column("select municipality_name from marts.dim_school")
            | column("select hub_name from marts.dim_school")
            | column(
                "select unnest([area_name_ja, area_name_en]) from marts.dim_area "
                "where area_level in ('municipality', 'hub')"
            )
            | column("select original_name from marts.ingest_files")
            | column("select unnest([original_name, column_name, value]) from marts.quarantine")
        )
        hub = cursor.execute(
            "select hub_code from marts.dim_school where hub_code is not null "
            "group by 1 order by count(*) desc, 1 limit 1"
        ).fetchall()[0][0]
        municipality = cursor.execute(
            "select municipality_code from marts.dim_school group by 1 order by count(*) desc, 1 "
            "limit 1"
        ).fetchall()[0][0]
        assert MISTYPED_HUB not in set(areas(cursor, Scope.everything(), level="hub")["area_code"])
    finally:
        con.close()
    return {
        "data": sorted(data, key=len, reverse=True),
        "hub": hub,
        "municipality": municipality,
    }


@pytest.fixture(scope="module")
def provider():
    emails = (COORDINATOR, BOARD, STAFF, MISTYPED)
    users = [User(sub=e, claims={"email": e}) for e in emails]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def server(tmp_path_factory, warehouse, facts, provider):
    cwd = tmp_path_factory.mktemp("english_cwd")
    port = free_port()
    write_auth_secrets(cwd, port, provider, client_id="shirube-english")
    (cwd / "roles.toml").write_text(
        f"""
[[user]]
email = "{COORDINATOR}"
role = "hub_coordinator"
hub = "{facts["hub"]}"

[[user]]
email = "{BOARD}"
role = "superintendent"
municipality = "{facts["municipality"]}"

[[user]]
email = "{STAFF}"
role = "asknet"

[[user]]
email = "{MISTYPED}"
role = "hub_coordinator"
hub = "{MISTYPED_HUB}"
""",
        encoding="utf-8",
    )
    log_path = cwd / "server.log"
    process, url = live_server.start_server(
        warehouse, log_path, "--roles", "roles.toml", cwd=cwd, port=port, host="localhost"
    )
    yield url, log_path
    live_server.stop_server(process)
    print(log_path.read_text())  # shown by pytest when a test of this module failed


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB")
    yield context.new_page()
    context.close()


def switch_to_english(page: Page) -> None:
    """The sidebar's language switch, as a person uses it (not ?lang=en)."""
    box = page.get_by_role("combobox", name=t("dashboard.language", "ja"), exact=True)
    box.click()
    page.get_by_role("option", name=t("dashboard.language_en", "ja"), exact=True).click()
    settle(page)
    expect(page.locator("h1").first).to_have_text(en("page_overview"))


def nav_links(page: Page):
    return page.locator('[data-testid="stSidebarNav"] a')


def icon_words(page: Page) -> set[str]:
    """Material icons are ligatures: their names ("compare_arrows") are text in the page."""
    return {
        word for word in page.locator('[data-testid="stIconMaterial"]').all_inner_texts() if word
    }


def page_text(page: Page) -> str:
    """What the page shows: visible text, the tables' cells (drawn on a canvas, also written to
    an accessible table) and the charts' SVG text."""
    parts = [page.locator('[data-testid="stApp"]').inner_text()]
    for selector in ('[data-testid="stDataFrame"]', '[data-testid="stPlotlyChart"]'):
        parts += [element.text_content() or "" for element in page.locator(selector).all()]
    return "\n".join(parts)


def problems_on(page: Page, title: str, specs, data: list[str]) -> list[str]:
    """Everything wrong with the English page now shown."""
    found = []
    page.wait_for_timeout(800)  # tables fill their accessible copy after the first paint
    heading = page.locator("h1").first.inner_text()
    if heading != title:
        found.append(f"title {heading!r}, expected {title!r}")
    names = [link.strip() for link in nav_links(page).all_inner_texts()]
    expected = [en(spec.title_key) for spec in specs]
    if [n.split("\n")[-1].strip() for n in names] != expected:
        found.append(f"sidebar pages {names!r}")
    if page.locator('[data-testid="stException"]').count():
        found.append("exception box")
    text = page_text(page)
    if en("page_error") in text:
        found.append("page-error alert")
    for word in sorted(icon_words(page), key=len, reverse=True):
        text = text.replace(word, " ")
    for value in [*ALLOWED_JAPANESE, *data]:
        text = text.replace(value, " ")
    for match in sorted(set(JAPANESE.findall(text))):
        at = text.index(match)
        found.append(f"Japanese {match!r} in …{text[max(0, at - 40) : at + 40]!r}…")
    found += [f"raw key {key!r}" for key in sorted(set(RAW_KEY.findall(text)))]
    found += blank_frames(page)
    return found


def blank_frames(page: Page) -> list[str]:
    found = []
    for index, frame in enumerate(page.locator('[data-testid="stApp"] iframe').all()):
        content = frame.content_frame
        body = content.locator("body") if content else None
        try:
            empty = body is None or not (body.inner_text(timeout=5000).strip())
        except Exception:
            empty = True
        if empty:
            found.append(f"blank frame #{index + 1}")
    for index, chart in enumerate(page.locator('[data-testid="stPlotlyChart"]').all()):
        traces = chart.locator(".main-svg g.trace, .main-svg g.hm, .main-svg .heatmaplayer image")
        if traces.count() == 0:
            found.append(f"blank chart #{index + 1}")
    return found


WALKS: dict[str, dict[str, list[str]]] = {}


def walk(browser, server: str, email: str, data: list[str]) -> dict[str, list[str]]:
    """Log in, switch to English, open every page through the sidebar; problems per page."""
    if email in WALKS:
        return WALKS[email]
    specs = nav_pages(email)
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB")
    page = context.new_page()
    found: dict[str, list[str]] = {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        log_in(page, server, email)
        switch_to_english(page)
        # Start elsewhere, so the overview too is reached by a page change.
        order = [*specs[1:], specs[0]]
        for spec in order:
            nav_links(page).nth(specs.index(spec)).click()
            settle(page)
            if spec.url_path == "report":
                page.get_by_text(en("report_show_preview"), exact=True).click()
                settle(page, timeout=120)
            found[spec.url_path] = problems_on(page, en(spec.title_key), specs, data)
            shot = SCREENSHOTS / f"en_{ROLE_NAMES[email]}_{spec.url_path}.png"
            page.screenshot(path=shot, full_page=True)
            if spec.url_path == "support":
                link = page.locator('[data-testid="stPageLink"] a')
                if link.count():
                    link.click()
                    settle(page)
                    found["school"] = found.get("school", []) + problems_on(
                        page, en("page_school"), specs, data
                    )
                    shot = SCREENSHOTS / f"en_{ROLE_NAMES[email]}_school_open.png"
                    page.screenshot(path=shot, full_page=True)
            # A page of several views (compare, skills): each other view, by its button.
            views = page.locator('[data-testid="stButtonGroup"] button')
            for index in range(1, views.count()):
                views.nth(index).click()
                settle(page)
                found[spec.url_path] += problems_on(page, en(spec.title_key), specs, data)
                shot = SCREENSHOTS / f"en_{ROLE_NAMES[email]}_{spec.url_path}_view{index + 1}.png"
                page.screenshot(path=shot, full_page=True)
    finally:
        context.close()
    WALKS[email] = found
    return found


CASES = [
    pytest.param(email, spec.url_path, id=f"{ROLE_NAMES[email]}-{spec.url_path}")
    for email in (COORDINATOR, BOARD, STAFF)
    for spec in nav_pages(email)
]


@pytest.mark.parametrize(("email", "url_path"), CASES)
def test_every_page_is_english_for_every_role(browser, server, facts, email, url_path):
    problems = walk(browser, server[0], email, facts["data"])
    assert problems[url_path] == [], "\n".join(problems[url_path])


def test_the_profile_link_opens_in_the_same_tab_with_the_filters(server, facts, page):
    url = server[0]
    log_in(page, url, COORDINATOR)
    switch_to_english(page)
    nav_links(page).nth([s.url_path for s in nav_pages(COORDINATOR)].index("support")).click()
    settle(page)
    page.wait_for_url(lambda u: parse_qs(urlparse(u).query).get("lang") == ["en"])
    link = page.locator('[data-testid="stPageLink"] a')
    expect(link).to_have_count(1)  # a link inside the app, not a table's new-tab link column
    school = page.locator(".st-key-support_detail h3").inner_text()
    link.click()
    settle(page)
    assert len(page.context.pages) == 1  # no new tab
    query = parse_qs(urlparse(page.url).query)
    assert urlparse(page.url).path == "/school"
    assert query["lang"] == ["en"] and query["year"] and query["school"]
    expect(page.locator("h1").first).to_have_text(en("page_school"))
    expect(page.locator("h3").first).to_have_text(school.rsplit(" (", 1)[0])
    assert query["school"] == [school.rsplit(" (", 1)[1].rstrip(")")]
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(en("filter_year"))


def test_the_boxes_of_the_page_where_the_language_is_switched_show_english_choices(server, page):
    # Streamlit's browser side kept a chosen option's label from the run that chose it: after
    # the switch the page read English but its boxes still said 2025年度, 全国, すべて (and the
    # switch itself "English (英語)") until another page was opened.
    log_in(page, server[0], STAFF)
    boxes = page.get_by_role("combobox")
    before = [boxes.nth(i).input_value() for i in range(boxes.count())]
    assert (
        t("dashboard.language_ja", "ja") in before and t("dashboard.level_national", "ja") in before
    )
    switch_to_english(page)
    shown = {
        boxes.nth(i).get_attribute("aria-label"): boxes.nth(i).input_value()
        for i in range(boxes.count())
    }
    assert shown[en("language")] == en("language_en")
    assert shown[en("filter_area_level")] == en("level_national")
    assert shown[en("filter_hub")] == en("any")
    assert [value for value in shown.values() if JAPANESE.search(value)] == []


def test_a_mistyped_hub_is_explained_to_its_coordinator_and_named_to_asknet(server, page):
    url, log_path = server
    assert MISTYPED_HUB in log_path.read_text()  # the warning written at start
    log_in(page, url, MISTYPED)
    explained = t(
        "dashboard.roles_own_area_unknown",
        "ja",
        level=t("dashboard.level_hub", "ja"),
        code=MISTYPED_HUB,
    )
    expect(page.locator('[data-testid="stAlert"]').filter(has_text=explained)).to_be_visible()
    shown = page.locator('[data-testid="stApp"]').inner_text()
    assert t("dashboard.support_none", "ja") not in shown  # not "no schools need support"
    assert page.locator('[data-testid="stMetric"]').count() == 0
    page.screenshot(path=SCREENSHOTS / "roles_mistyped_hub.png", full_page=True)
    page.context.clear_cookies()
    log_in(page, url, STAFF)
    warning = page.locator('[data-testid="stAlert"]').filter(has_text=MISTYPED_HUB)
    expect(warning).to_contain_text(MISTYPED)
    expect(page.locator("h1").first).to_have_text(t("dashboard.page_overview", "ja"))


def test_selecting_a_row_of_the_table_shows_that_schools_reasons(server, page):
    log_in(page, server[0], COORDINATOR)
    nav_links(page).nth([s.url_path for s in nav_pages(COORDINATOR)].index("support")).click()
    settle(page)
    panel = page.locator(".st-key-support_detail h3")
    first = panel.inner_text()
    grid = page.locator('[data-testid="stDataFrame"]').first
    page.wait_for_timeout(800)  # the grid's accessible copy of its cells
    # Cells of the second data row: the school's name, then its code.
    second_code = grid.locator('[role="row"]').nth(2).locator('[role="gridcell"]').nth(1)
    expected = second_code.text_content()
    box = grid.bounding_box()
    # The row marker (its checkbox) of the second data row: the header and each row are 35 px.
    page.mouse.click(box["x"] + 16, box["y"] + 35 * 2 + 17)
    settle(page)
    expect(panel).not_to_have_text(first)
    assert panel.inner_text().endswith(f"({expected})")
