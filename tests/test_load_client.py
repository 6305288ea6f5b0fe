"""The load test's websocket client against a real `shirube serve` on a tiny real warehouse:
every page is viewed without errors while an ingest and a build run, the sessions read the new
snapshot afterwards, and a view of a page that truly fails is counted as an error."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from access_warehouse import SCHOOL_D, make_real_warehouse, returns_csv
from bench_load import run_load
from live_server import start_server, stop_server
from load_client import PAGE_ERROR_TEXTS, StreamlitSession, page_requests

from pipelines.snapshot_files import MANIFEST_SUFFIX, read_manifest
from pipelines.warehouse import current_snapshot

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "shirube.duckdb"
    make_real_warehouse(db, tmp_path / "sample")
    return db


def test_sessions_view_every_page_without_errors_through_an_ingest_and_build(
    warehouse: Path, tmp_path: Path
):
    # A return for school D, which had none: new rows, so the build publishes new figures.
    new_return = tmp_path / "incoming" / "自己評価_追加.csv"
    new_return.parent.mkdir()
    new_return.write_bytes(returns_csv(codes=(SCHOOL_D,)))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    before = current_snapshot(warehouse)[0]

    # No warm-up: the sessions' first views arrive together at a fresh server (they once
    # failed on a half-imported pandas; dashboard.launch now imports it first).
    summary = run_load(
        warehouse,
        sessions=3,
        seconds=8,
        ingest_files=[new_return],
        think=(0.1, 0.4),
        writer_at=1.0,
        settle_after=3.0,
        warm_up=False,
        scratch=scratch,
    )

    websocket = summary["clients"]["websocket"]
    assert summary["warm_up_errors"] == []
    assert summary["errors"] == [], summary["errors"]
    assert set(websocket["pages"]) == set(page_requests())
    assert all(stats["views"] > 0 for stats in websocket["pages"].values())
    assert {v[0] for v in summary["views"]} == {"ws-1", "ws-2", "ws-3"}
    ingest, build = summary["writer"]
    assert (ingest["exit_code"], build["exit_code"]) == (0, 0)
    assert ingest["rows_loaded"] > 0 and ingest["files"] == {"loaded": 1}
    assert ingest["ended"] <= build["started"]
    after = current_snapshot(warehouse)[0]
    assert summary["snapshot"]["before"] == before and summary["snapshot"]["after"] == after
    assert after != before
    assert summary["snapshot"]["views"]["new"] > 0  # sessions went on, on the new snapshot
    assert summary["memory_mb"]["samples"] > 0 and summary["memory_mb"]["peak"] > 0


def test_a_page_that_fails_on_a_broken_snapshot_is_counted_as_an_error(
    warehouse: Path, tmp_path: Path
):
    process, url = start_server(warehouse, tmp_path / "server.log", "--no-auth")
    try:
        # Damage the published snapshot before any page opens it: every query then raises,
        # and the dashboard shows its page-error message instead of the page.
        published = current_snapshot(warehouse)[1]
        if published.name.endswith(MANIFEST_SUFFIX):  # a version of part files: damage them
            files = [published.parent / part for part in read_manifest(published).values()]
        else:
            files = [published] if published.is_file() else sorted(published.rglob("*.*"))
        for file in files:
            file.write_bytes(b"not a database" * 100)

        async def one_view() -> tuple[float, str | None, list[str]]:
            session = StreamlitSession(url, "probe", timeout=60)
            try:
                return await session.view(page_requests()["district"], "")
            finally:
                await session.close()

        _, error, _ = asyncio.run(one_view())
    finally:
        stop_server(process)
    assert error is not None
    assert any(text in error for text in PAGE_ERROR_TEXTS)
    assert "page failed" in (tmp_path / "server.log").read_text()
