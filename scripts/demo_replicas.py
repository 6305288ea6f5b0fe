"""Two dashboard servers reading one shared Parquet snapshot while a rebuild publishes the next.

    python scripts/demo_replicas.py [--schools N] [--keep DIR]

In a temporary folder (or DIR): generate a small sample, ingest it, `shirube build --parquet-dir
shared/`; start TWO `shirube serve --snapshot-dir shared/ --no-auth` on loopback, each with a
--db that does not exist (a replica has only the shared folder); open the overview on both in
headless Chromium and read the data version each shows. Then ingest one more schools file and
rebuild (publishing the next version) while both servers keep serving: pages are reloaded on both
throughout and every error is counted. Finally reload both and check that both show the new
version and the new number of registered schools. Prints a table; exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
# Run as a script: the live-server helper lives with the browser tests (the packages come from
# the editable install that `make install` makes).
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from live_server import CHROMIUM, CHROMIUM_ARGS, settle, start_server, stop_server  # noqa: E402

from pipelines.codes import make_school_code, municipality_code_with_check  # noqa: E402
from pipelines.i18n import t  # noqa: E402
from pipelines.publish_parquet import current_parquet_snapshot  # noqa: E402

SHIRUBE = [sys.executable, "-m", "shirube.cli"]


def shirube(*args: str) -> None:
    subprocess.run([*SHIRUBE, *args, "--lang", "en"], cwd=ROOT, check=True, capture_output=True)


def write_new_schools(path: Path, count: int) -> None:
    """A CP932 schools file, as Excel saves it, with `count` new Tokyo junior high schools."""
    with path.open("w", encoding="cp932", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["学校コード", "学校名", "市区町村コード", "市区町村名"])
        for number in range(count):
            code = make_school_code("C1", "13", "2", 9_000_000 + number)
            name = f"千代田区立第{number + 1}新設中学校"
            writer.writerow([code, name, municipality_code_with_check("13101"), "千代田区"])


def page_state(page: Page) -> dict[str, object]:
    """What one loaded overview shows: its data version, registered schools, and errors."""
    settle(page, timeout=60)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    found = re.search(r"(?:データ版|Data version): (\S+?)[(( ]", sidebar)
    registered = page.locator('[data-testid="stMetric"]').filter(
        has_text=t("dashboard.metric_registered", "ja")
    )
    metric = registered.first.inner_text() if registered.count() else ""
    errors = page.locator('[data-testid="stException"]').count()
    errors += page.get_by_text(t("dashboard.page_error", "ja")).count()
    return {
        "version": found.group(1) if found else None,
        "registered": int(m.group(1)) if (m := re.search(r"([\d,]+)校", metric)) else None,
        "errors": errors,
    }


def visit(page: Page, url: str) -> dict[str, object]:
    try:
        page.goto(url, timeout=60_000)
        return page_state(page)
    except Exception as error:  # noqa: BLE001 - a failed load is counted, not fatal
        return {"version": None, "registered": None, "errors": 1, "failure": str(error)[:200]}


def run(work: Path, schools: int) -> int:
    sample, shared = work / "sample", work / "shared"
    writer_db = work / "writer" / "shirube.duckdb"
    shirube("sample", str(sample), "--schools", str(schools), "--years", "2")
    shirube("ingest", str(sample / "1_schools"), str(sample / "2_returns"), "--db", str(writer_db))
    shirube("build", "--db", str(writer_db), "--parquet-dir", str(shared))
    version_a = current_parquet_snapshot(shared)[0]
    servers = []
    try:
        for name in ("replica-1", "replica-2"):
            folder = work / name
            folder.mkdir()
            missing_db = folder / "not-here.duckdb"  # a replica needs no writer DB
            servers.append(
                start_server(
                    missing_db, folder / "server.log", "--snapshot-dir", str(shared), "--no-auth"
                )
            )
        urls = [url for _, url in servers]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = [browser.new_context(locale="ja-JP").new_page() for _ in urls]
            before = [visit(p, u) for p, u in zip(pages, urls, strict=True)]

            new_file = work / "incoming" / "schools_new.csv"
            new_file.parent.mkdir()
            write_new_schools(new_file, 2)
            rebuild = subprocess.Popen(
                [
                    "bash",
                    "-c",
                    " && ".join(
                        [
                            f"{' '.join(SHIRUBE)} ingest {new_file} --db {writer_db}",
                            f"{' '.join(SHIRUBE)} build --db {writer_db} --parquet-dir {shared}",
                        ]
                    ),
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            during, started = [], time.monotonic()
            while rebuild.poll() is None or not during:
                for p, u in zip(pages, urls, strict=True):
                    during.append(visit(p, u))
            rebuild_seconds = time.monotonic() - started
            rebuild_error = rebuild.stderr.read().decode() if rebuild.returncode else ""
            after = [visit(p, u) for p, u in zip(pages, urls, strict=True)]
            browser.close()
    finally:
        for process, _ in servers:
            stop_server(process)
    version_b = current_parquet_snapshot(shared)[0]
    during_errors = sum(int(v["errors"]) for v in during)
    expected = schools + 2
    rows = [
        ("before rebuild", version_a, before),
        ("after rebuild", version_b, after),
    ]
    print(f"\nshared folder: {shared}\n")
    print(f"{'moment':<16} {'expected version':<26} {'server':<10} {'shows':<26} schools errors")
    ok = True
    for moment, version, states in rows:
        for index, state in enumerate(states, start=1):
            print(
                f"{moment:<16} {version:<26} {'replica-' + str(index):<10} "
                f"{state['version']!s:<26} {state['registered']!s:>7} {state['errors']:>6}"
            )
            ok &= state["version"] == version and not state["errors"]
    ok &= all(state["registered"] == expected for state in after)
    ok &= version_a != version_b and not rebuild_error and during_errors == 0
    versions_seen = sorted({str(v["version"]) for v in during})
    print(
        f"\nduring the rebuild ({rebuild_seconds:.1f} s): {len(during)} page loads on both "
        f"servers, {during_errors} errors; versions seen: {', '.join(versions_seen)}"
    )
    print(f"registered schools after the new file: expected {expected}")
    if rebuild_error:
        print(f"rebuild failed:\n{rebuild_error}")
    print("RESULT:", "OK" if ok else "FAILED")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=60)
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep the files")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        return run(args.keep.resolve(), args.schools)
    with tempfile.TemporaryDirectory(prefix="shirube-replicas-") as folder:
        return run(Path(folder), args.schools)


if __name__ == "__main__":
    sys.exit(main())
