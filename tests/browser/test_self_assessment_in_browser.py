"""A school's own login fills its self-assessment in the real dashboard: OpenID Connect login
against a real provider on loopback, the questionnaire from an empty draft, a draft that survives
a new session, submit, and the new percentages and next steps on the school's profile. A school
user reaches no other school, not by URL either.

The warehouse is a tiny real ingest + build (tests/access_warehouse.py); school A has a
percentage return for 2025 and the submit makes a criteria return of the current year.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import live_server  # noqa: E402
from access_warehouse import NAMES, SCHOOL_A, SCHOOL_B, make_real_warehouse  # noqa: E402
from live_server import free_port, log_in, settle, write_auth_secrets  # noqa: E402
from oidc_provider_mock import User, run_server_in_thread  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

from pipelines.i18n import t  # noqa: E402

SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
pytestmark = pytest.mark.browser
LEAD = "careers-lead@school-a.example.jp"
STAFF = "staff@asknet.example.org"
ROLES = f"""
[[user]]
email = "{LEAD}"
role = "school"
school = "{SCHOOL_A}"

[[user]]
email = "{STAFF}"
role = "asknet"
"""


def m(key: str, lang: str = "ja", **values: object) -> str:
    return t(f"dashboard.{key}", lang, **values)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("self_assessment")
    db = folder / "shirube.duckdb"
    make_real_warehouse(db, folder / "sample")
    cwd = folder / "cwd"
    cwd.mkdir()
    users = [User(sub=e, claims={"email": e}) for e in (LEAD, STAFF)]
    with run_server_in_thread(user_claims=users) as provider:
        port = free_port()
        provider_url = f"http://localhost:{provider.server_port}"
        write_auth_secrets(cwd, port, provider_url, client_id="shirube-test")
        (cwd / "roles.toml").write_text(ROLES, encoding="utf-8")
        log_path = cwd / "server.log"
        process, url = live_server.start_server(
            db, log_path, "--roles", "roles.toml", cwd=cwd, port=port, host="localhost"
        )
        try:
            yield url
        finally:
            live_server.stop_server(process)
            print(log_path.read_text())


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ja-JP")
    yield context.new_page()
    context.close()


def body_text(page: Page) -> str:
    return page.locator('[data-testid="stApp"]').inner_text()


def answer(page: Page, criterion_id: str, choice: str) -> None:
    """Pick an answer of a yes/no or progress criterion; the page saves it to the draft."""
    group = page.locator('[data-testid="stRadio"]').filter(has_text=criterion_id)
    group.get_by_text(choice, exact=True).click()
    settle(page)


def share(page: Page, criterion_id: str, value: str) -> None:
    box = page.locator('[data-testid="stNumberInput"]').filter(has_text=criterion_id)
    box.locator("input").fill(value)
    box.locator("input").press("Enter")
    settle(page)


def test_a_school_fills_its_self_assessment_and_finds_its_new_percentages(server, page):
    log_in(page, server, LEAD)
    # The school's login opens its own profile: no other page lists schools.
    page.goto(f"{server}/self_assessment")
    settle(page)
    expect(page.locator("h1").first).to_have_text(m("page_self_assessment"))
    expect(page.get_by_text(NAMES[SCHOOL_A])).to_be_visible()
    # An empty draft: every benchmark is not assessed.
    assert body_text(page).count("未評価") == 8
    for criterion_id in ("B1-1", "B1-2", "B1-3"):
        answer(page, criterion_id, "はい")
    answer(page, "B1-4", "達成")
    share(page, "B2-1", "85")
    answer(page, "B2-2", "はい")
    answer(page, "B2-3", "達成")
    share(page, "B3-1", "40")
    # A partly answered benchmark shows as not assessed, with what is missing.
    expect(page.get_by_text(m("sa_not_assessed", missing="B3-2、B3-3"))).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "self_assessment_ja.png", full_page=True)

    # A new session (the page reloaded) finds the draft in the warehouse.
    page.reload()
    settle(page)
    expect(page.get_by_text(m("sa_benchmark_score", score="100.0"))).to_be_visible()
    expect(page.get_by_text(m("sa_benchmark_score", score="95.0"))).to_be_visible()
    page.goto(f"{server}/self_assessment?lang=en")
    settle(page)
    expect(page.locator("h1").first).to_have_text(m("page_self_assessment", "en"))
    page.screenshot(path=SCREENSHOTS / "self_assessment_en.png", full_page=True)

    page.get_by_role("button", name=m("sa_submit", "en")).click()
    settle(page, timeout=120)
    expect(page.get_by_text(m("sa_submitted", "en", rows=8))).to_be_visible(timeout=60_000)

    page.goto(f"{server}/school?school={SCHOOL_A}&lang=en")
    settle(page)
    metrics = page.locator('[data-testid="stMetric"]')
    expect(metrics.first).to_contain_text("1 / 8")  # B1 fully achieved
    expect(metrics.nth(1)).to_contain_text("97.5")  # mean of B1 100 and B2 95
    expect(page.get_by_text(m("criteria_next_steps_title", "en"))).to_be_visible()
    page.get_by_text(m("criteria_next_steps_title", "en")).scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "next_steps_en.png", full_page=True)
    page.goto(f"{server}/school?school={SCHOOL_A}&lang=ja")
    settle(page)
    expect(page.get_by_text(m("criteria_next_steps_title"))).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "next_steps_ja.png", full_page=True)


def test_a_school_user_cannot_open_another_school(server, page):
    log_in(page, server, LEAD)
    links = page.locator('[data-testid="stSidebarNav"] a')
    assert links.count() == 5  # profile, skills, self-assessment, student's record, returns
    page.goto(f"{server}/school?school={SCHOOL_B}")
    settle(page)
    expect(page.get_by_text(m("school_out_of_scope", code=SCHOOL_B))).to_be_visible()
    for url in (f"{server}/support", f"{server}/overview", f"{server}/compare"):
        page.goto(url)
        settle(page)
        text = body_text(page)
        assert NAMES[SCHOOL_B] not in text and SCHOOL_B not in text


def test_asknet_staff_answer_for_a_chosen_school(server, page):
    log_in(page, server, STAFF)
    page.goto(f"{server}/self_assessment")
    settle(page)
    expect(page.get_by_text(m("sa_pick_school"))).to_be_visible()
    page.get_by_label(m("sa_search")).fill(SCHOOL_B)
    page.get_by_label(m("sa_search")).press("Enter")
    settle(page)
    expect(page.get_by_text(NAMES[SCHOOL_B]).first).to_be_visible()
    answer(page, "B1-1", "はい")
    # The draft is the school's, kept in the warehouse: a new session finds it.
    page.reload()
    settle(page)
    page.get_by_label(m("sa_search")).fill(SCHOOL_B)
    page.get_by_label(m("sa_search")).press("Enter")
    settle(page)
    group = page.locator('[data-testid="stRadio"]').filter(has_text="B1-1")
    expect(group.get_by_role("radio", name="はい")).to_be_checked()
