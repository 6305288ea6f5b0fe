"""Access control in the real dashboard: `shirube serve --roles` with Streamlit's OpenID Connect
login against a real OIDC provider on loopback (oidc-provider-mock), driven through Chromium.

One server per configuration (module fixtures): with [auth] and a roles file; without [auth]
(the demo banner on the marked sample, the refusal once the mark is gone); and --no-auth.
The warehouse is a tiny real ingest + build (tests/access_warehouse.py).
"""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import live_server
import pytest
from access_warehouse import (
    NAMES,
    SCHOOL_A,
    SCHOOL_B,
    SCHOOL_C,
    SCHOOL_D,
    SCHOOL_E,
    SCHOOLS,
    make_real_warehouse,
)
from live_server import free_port, log_in, settle, write_auth_secrets
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import Page, expect

from dashboard.queries.audit import audit_log
from dashboard.scope import Scope
from pipelines.build import build_warehouse
from pipelines.i18n import t
from pipelines.ingest.headers import KINDS
from pipelines.sample_mark import mark_if_sample, marker_path
from pipelines.warehouse import current_snapshot, open_snapshot

ROOT = Path(__file__).resolve().parents[2]

SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
pytestmark = pytest.mark.browser

COORDINATOR, BOARD, STAFF, STRANGER = (
    "coord@example.org",
    "kyoiku@example.org",
    "staff@example.org",
    "stranger@example.org",
)
ROLES = f"""
[[user]]
email = "{COORDINATOR}"
role = "hub_coordinator"
hub = "H01"

[[user]]
email = "{BOARD}"
role = "superintendent"
municipality = "27100"

[[user]]
email = "{STAFF}"
role = "asknet"
"""
H01 = {code for code, *_, hub, _ in SCHOOLS if hub == "H01"}


def m(key: str, **values: object) -> str:
    return t(f"dashboard.{key}", "ja", **values)


def start_server(
    cwd: Path, db: Path, *options: str, port: int | None = None
) -> tuple[subprocess.Popen, str, Path]:
    """`shirube serve` started in `cwd` (where Streamlit looks for .streamlit/secrets.toml)."""
    port = port or free_port()
    log_path = cwd / f"server-{port}.log"
    # localhost, not 127.0.0.1: the login cookie and the redirect_uri name the same host.
    process, url = live_server.start_server(
        db, log_path, *options, cwd=cwd, port=port, host="localhost"
    )
    return process, url, log_path


def stop_server(process: subprocess.Popen, log_path: Path) -> None:
    live_server.stop_server(process)
    print(log_path.read_text())  # shown by pytest when a test of the module failed


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("access")
    db = folder / "shirube.duckdb"
    make_real_warehouse(db, folder / "sample")
    return db


@pytest.fixture(scope="module")
def provider():
    users = [User(sub=e, claims={"email": e}) for e in (COORDINATOR, BOARD, STAFF, STRANGER)]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory, warehouse, provider):
    cwd = tmp_path_factory.mktemp("auth_cwd")
    port = free_port()
    write_auth_secrets(cwd, port, provider, client_id="shirube-test")
    (cwd / "roles.toml").write_text(ROLES, encoding="utf-8")
    # The port is chosen before the secrets are written: the redirect_uri must name it.
    process, url, log_path = start_server(cwd, warehouse, "--roles", "roles.toml", port=port)
    yield url
    stop_server(process, log_path)


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, locale="ja-JP", accept_downloads=True
    )
    yield context.new_page()
    context.close()


def body_text(page: Page) -> str:
    return page.locator('[data-testid="stApp"]').inner_text()


def no_school_data(text: str) -> bool:
    return not any(name in text for name in NAMES.values()) and not any(
        code in text for code in NAMES
    )


def test_before_login_only_the_title_explanation_and_login_button_show(auth_server, page):
    page.goto(f"{auth_server}/school?school={SCHOOL_A}")
    settle(page)
    expect(page.get_by_role("button", name=m("access_login"))).to_be_visible()
    assert "ログイン" in m("access_login") and "Log in" in t("dashboard.access_login", "en")
    text = body_text(page)
    assert no_school_data(text)
    assert m("filter_year") not in text  # no filters, no navigation
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "login.png", full_page=True)
    page.goto(f"{auth_server}/?lang=en")
    settle(page)
    expect(page.get_by_role("button", name=t("dashboard.access_login", "en"))).to_be_visible()


def test_hub_coordinator_sees_own_hub_and_is_refused_another_hubs_school(auth_server, page):
    log_in(page, auth_server, COORDINATOR)
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(COORDINATOR)
    page.goto(f"{auth_server}/school?school={SCHOOL_A}")
    settle(page)
    expect(page.locator("h3").first).to_have_text(NAMES[SCHOOL_A])
    page.screenshot(path=SCREENSHOTS / "coordinator_school.png", full_page=True)

    page.goto(f"{auth_server}/school?school={SCHOOL_C}")
    settle(page)
    expect(page.get_by_text(m("school_out_of_scope", code=SCHOOL_C))).to_be_visible()
    assert NAMES[SCHOOL_C] not in body_text(page)
    page.screenshot(path=SCREENSHOTS / "coordinator_refused.png", full_page=True)

    # Another hub chosen by URL is not among the coordinator's choices: the filter ignores it.
    page.goto(f"{auth_server}/support?hub=H02")
    settle(page)
    # One flagged school of H01 (D); E of H02 is flagged too, but not the coordinator's.
    expect(page.locator('[data-testid="stMetric"]')).to_contain_text(m("unit_schools", n="1"))
    with page.expect_download() as caught:
        page.get_by_role("button", name=m("download_csv")).click()
    rows = list(csv.DictReader(io.StringIO(Path(caught.value.path()).read_text("utf-8-sig"))))
    codes = {row[m("col_code")] for row in rows}
    assert codes == {SCHOOL_D} and codes <= H01
    assert NAMES[SCHOOL_E] not in Path(caught.value.path()).read_text("utf-8-sig")


def test_superintendent_sees_only_their_municipality(auth_server, page):
    log_in(page, auth_server, BOARD)
    page.goto(f"{auth_server}/school?school={SCHOOL_C}")
    settle(page)
    expect(page.locator("h3").first).to_have_text(NAMES[SCHOOL_C])
    page.goto(f"{auth_server}/school?school={SCHOOL_B}")
    settle(page)
    expect(page.get_by_text(m("school_out_of_scope", code=SCHOOL_B))).to_be_visible()
    assert NAMES[SCHOOL_B] not in body_text(page)
    page.goto(f"{auth_server}/quality")
    settle(page)
    expect(page.get_by_text(m("upload_not_allowed_superintendent"))).to_be_visible()
    assert NAMES[SCHOOL_A] not in body_text(page)
    # The ingest log is nation-wide only: said so, not drawn as an empty table.
    expect(page.get_by_text(m("ingest_log_nationwide_only"))).to_be_visible()
    assert page.get_by_text(m("quarantine_empty")).count() == 0


def test_a_stranger_is_told_politely_and_sees_no_data(auth_server, page):
    log_in(page, auth_server, STRANGER)
    expect(page.get_by_text(m("access_stranger", email=STRANGER))).to_be_visible()
    page.goto(f"{auth_server}/school?school={SCHOOL_A}")
    settle(page)
    assert no_school_data(body_text(page))


def test_asknet_sees_everything_and_the_audit_log_after_a_build(auth_server, warehouse, page):
    log_in(page, auth_server, STAFF)
    page.goto(f"{auth_server}/school?school={SCHOOL_E}")
    settle(page)
    expect(page.locator("h3").first).to_have_text(NAMES[SCHOOL_E])
    page.goto(f"{auth_server}/support")
    settle(page)
    expect(page.locator('[data-testid="stMetric"]')).to_contain_text(m("unit_schools", n="2"))
    with page.expect_download() as caught:
        page.get_by_role("button", name=m("download_csv")).click()
    rows = list(csv.DictReader(io.StringIO(Path(caught.value.path()).read_text("utf-8-sig"))))
    assert {row[m("col_code")] for row in rows} == {SCHOOL_D, SCHOOL_E}
    settle(page)
    build_warehouse(warehouse, lang="ja")  # imports the spooled events; the app reads it live
    page.get_by_role("link", name=m("page_audit")).click()
    settle(page)
    expect(page.locator('[data-testid="stDataFrame"]')).to_be_visible()
    assert m("audit_empty") not in body_text(page)
    page.screenshot(path=SCREENSHOTS / "audit_log.png", full_page=True)
    # The grid draws on a canvas: read the same rows the page read, from the new snapshot.
    snap = open_snapshot(current_snapshot(warehouse)[1])
    try:
        events = audit_log(snap.cursor(), Scope.everything())
    finally:
        snap.close()
    # Staff may upload: the page names every kind of file the ingest reads.
    page.get_by_role("link", name=m("page_quality")).click()
    settle(page)
    upload_help = page.locator('[data-testid="stCaptionContainer"]').filter(
        has_text="shirube ingest"
    )
    for kind in KINDS:
        expect(upload_help).to_contain_text(t(f"ingest.kind_{kind}", "ja"))
    mine = [e for e in events.iter_rows(named=True) if e["user_email"] == STAFF]
    assert {(e["action"], e["target"]) for e in mine} == {
        ("login", "asknet"),
        ("view_school", SCHOOL_E),
        ("export", "support_2025.csv"),
    }
    assert len(mine) == 3  # each once


def test_other_roles_get_no_audit_page(auth_server, page):
    log_in(page, auth_server, COORDINATOR)
    assert page.get_by_role("link", name=m("page_audit")).count() == 0
    page.goto(f"{auth_server}/audit")
    settle(page)
    assert m("page_audit") not in page.locator("h1").first.inner_text()
    # Said in the viewer's language, with the way back; not Streamlit's English box.
    expect(page.locator("h1").first).to_have_text(m("page_not_for_role_title"))
    expect(page.get_by_text(m("page_not_for_role", page=m("page_audit")))).to_be_visible()
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    page.get_by_role("link", name=m("page_not_for_role_link", page=m("page_overview"))).click()
    settle(page)
    expect(page.locator("h1").first).to_have_text(m("page_overview"))


@pytest.fixture(scope="module")
def open_server(tmp_path_factory, warehouse):
    cwd = tmp_path_factory.mktemp("open_cwd")  # no .streamlit/secrets.toml: no [auth]
    process, url, log_path = start_server(cwd, warehouse)
    yield url
    marker_path(warehouse).unlink(missing_ok=True)
    stop_server(process, log_path)


def test_the_marked_demo_sample_runs_open_with_a_banner(open_server, warehouse, page):
    assert mark_if_sample(warehouse, warehouse.parent / "sample")
    page.goto(f"{open_server}/school?school={SCHOOL_C}")
    settle(page)
    expect(page.get_by_text(m("access_demo_banner"))).to_be_visible()
    expect(page.locator("h3").first).to_have_text(NAMES[SCHOOL_C])
    page.goto(f"{open_server}/quality")
    settle(page)
    expect(page.get_by_text(m("upload_not_allowed_demo"))).to_be_visible()


def test_without_auth_a_warehouse_that_is_not_the_sample_is_refused(open_server, warehouse, page):
    marker_path(warehouse).unlink(missing_ok=True)
    page.goto(f"{open_server}/school?school={SCHOOL_A}")
    settle(page)
    expect(page.get_by_text(m("access_refused_open_title"))).to_be_visible()
    assert no_school_data(body_text(page))
    page.screenshot(path=SCREENSHOTS / "refused_open.png", full_page=True)


def test_no_auth_runs_open_with_a_banner(tmp_path, warehouse, page):
    process, url, log_path = start_server(tmp_path, warehouse, "--no-auth")
    try:
        page.goto(f"{url}/school?school={SCHOOL_B}")
        settle(page)
        expect(page.get_by_text(m("access_no_auth_banner"))).to_be_visible()
        expect(page.locator("h3").first).to_have_text(NAMES[SCHOOL_B])
    finally:
        stop_server(process, log_path)
