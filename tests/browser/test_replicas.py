"""Two dashboard servers on loopback read one shared Parquet snapshot while a rebuild publishes
the next: both show version A, keep serving without an error during the rebuild, then both show
version B with the schools of the new file; a report downloaded from a replica is the report of
the shared folder's current version."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from live_server import settle, start_server, stop_server
from playwright.sync_api import Page, expect

from pipelines.codes import make_school_code, municipality_code_with_check
from pipelines.i18n import t
from pipelines.publish_parquet import current_parquet_snapshot
from pipelines.reports import render_report
from pipelines.warehouse import open_snapshot

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser
SAMPLE_SCHOOLS = 30
NEW_SCHOOLS = 3


def shirube(*args: str, background: bool = False):
    command = [sys.executable, "-m", "shirube.cli", *args, "--lang", "en"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if background:
        return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def write_new_schools(path: Path) -> None:
    """New Tokyo schools in CP932, the encoding Excel saves a Japanese CSV in."""
    with path.open("w", encoding="cp932", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["学校コード", "学校名", "市区町村コード"])
        chiyoda = municipality_code_with_check("13101")
        for number in range(NEW_SCHOOLS):
            school = make_school_code("C1", "13", "2", 9_000_000 + number)
            writer.writerow([school, f"新設第{number + 1}中学校", chiyoda])


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A writer folder built once with --parquet-dir, and two replicas that have no writer DB."""
    work = tmp_path_factory.mktemp("replicas")
    sample, shared, writer_db = work / "sample", work / "shared", work / "writer" / "w.duckdb"
    shirube("sample", str(sample), "--schools", str(SAMPLE_SCHOOLS), "--years", "2")
    shirube("ingest", str(sample / "1_schools"), str(sample / "2_returns"), "--db", str(writer_db))
    shirube("build", "--db", str(writer_db), "--parquet-dir", str(shared))
    servers, replica_dbs = [], []
    for name in ("replica-1", "replica-2"):
        folder = work / name
        folder.mkdir()
        replica_dbs.append(folder / "absent.duckdb")
        servers.append(
            start_server(
                replica_dbs[-1], folder / "server.log", "--snapshot-dir", str(shared), "--no-auth"
            )
        )
    yield {
        "work": work,
        "shared": shared,
        "writer_db": writer_db,
        "urls": [url for _, url in servers],
        "replica_dbs": replica_dbs,
    }
    for process, _ in servers:
        stop_server(process)
    for name in ("replica-1", "replica-2"):
        print((work / name / "server.log").read_text())  # shown by pytest when a test failed


def errors_on(page: Page) -> int:
    return (
        page.locator('[data-testid="stException"]').count()
        + page.get_by_text(t("dashboard.page_error", "ja")).count()
    )


def registered(page: Page):
    return page.locator('[data-testid="stMetric"]').filter(
        has_text=t("dashboard.metric_registered", "ja")
    )


def shown_version(page: Page) -> str:
    """The published version id the sidebar names in its data-version tooltip."""
    side = page.locator('[data-testid="stSidebar"]')
    side.locator('[data-testid="stTooltipIcon"]').last.hover()
    tooltip = page.locator('[data-testid="stTooltipContent"]').last
    expect(tooltip).to_be_visible()
    return tooltip.inner_text()


def open_overview(page: Page, url: str) -> None:
    page.goto(url, timeout=60_000)
    settle(page, timeout=60)


def test_both_replicas_serve_one_version_then_the_next_without_errors_during_the_rebuild(
    deployment, browser
):
    shared, urls = deployment["shared"], deployment["urls"]
    pages = [browser.new_context(locale="ja-JP").new_page() for _ in urls]
    version_a = current_parquet_snapshot(shared)[0]

    for page, url in zip(pages, urls, strict=True):
        open_overview(page, url)
        assert version_a in shown_version(page)
        expect(registered(page)).to_contain_text(f"{SAMPLE_SCHOOLS}校")
        assert errors_on(page) == 0

    new_file = deployment["work"] / "schools_new.csv"
    write_new_schools(new_file)
    shirube("ingest", str(new_file), "--db", str(deployment["writer_db"]))
    rebuild = shirube(
        "build",
        "--db",
        str(deployment["writer_db"]),
        "--parquet-dir",
        str(shared),
        background=True,
    )
    loads_during_rebuild = 0
    while rebuild.poll() is None or loads_during_rebuild < len(pages):
        for page, url in zip(pages, urls, strict=True):
            open_overview(page, url)
            assert errors_on(page) == 0
            loads_during_rebuild += 1
    assert rebuild.returncode == 0, rebuild.stderr.read()
    version_b = current_parquet_snapshot(shared)[0]
    assert version_b != version_a

    for page, url in zip(pages, urls, strict=True):
        open_overview(page, url)
        assert version_b in shown_version(page)
        expect(registered(page)).to_contain_text(f"{SAMPLE_SCHOOLS + NEW_SCHOOLS}校")
        assert errors_on(page) == 0
    # The replicas never needed, nor created, a writer DB.
    assert not any(db.exists() for db in deployment["replica_dbs"])


def test_a_replica_says_files_are_loaded_by_the_scheduled_writer_instead_of_an_upload(
    deployment, browser
):
    page = browser.new_context(locale="ja-JP").new_page()
    page.goto(f"{deployment['urls'][0]}/quality", timeout=60_000)
    settle(page, timeout=60)

    expect(page.get_by_text(t("dashboard.upload_not_on_replica", "ja"))).to_be_visible()
    assert page.get_by_role("button", name=t("dashboard.rebuild_button", "ja")).count() == 0
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert errors_on(page) == 0


def test_a_replica_renders_the_funder_report_from_the_parquet_version(deployment, browser):
    page = browser.new_context(locale="ja-JP").new_page()
    page.goto(f"{deployment['urls'][1]}/report", timeout=60_000)
    settle(page, timeout=60)

    page.get_by_role("button", name=t("dashboard.report_prepare_xlsx", "ja")).click()
    settle(page, timeout=120)
    assert page.get_by_text(t("dashboard.report_failed", "ja")).count() == 0
    assert errors_on(page) == 0
    with page.expect_download() as download:
        page.get_by_role("button", name=t("dashboard.download_xlsx", "ja")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    downloaded = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))

    # The same report rendered straight from the shared folder's current version.
    version, folder = current_parquet_snapshot(deployment["shared"])
    snapshot = open_snapshot(folder)
    (year,) = snapshot.execute("select latest_academic_year from marts.build_info").fetchone()
    snapshot.close()
    expected = openpyxl.load_workbook(
        io.BytesIO(render_report(folder, year=year, area="national", lang="ja", fmt="xlsx"))
    )
    assert version in downloaded.properties.description
    assert downloaded.sheetnames == expected.sheetnames
    for sheet in expected.sheetnames:
        assert sheet_values(downloaded[sheet]) == sheet_values(expected[sheet]), sheet


def sheet_values(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]
