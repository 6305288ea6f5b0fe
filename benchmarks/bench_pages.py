"""Page timings in a real browser, per role: the first visit and every page reached through the
sidebar, in headless Chromium, against issue 17's targets (first visit < 2 s, sidebar < 0.5 s).

    python benchmarks/bench_pages.py [--db PATH] [--runs N] [--role ROLE ...] [--json OUT]

Without --db it builds the small test fixture in a temporary folder. For each role (open: a
`--no-auth` server; asknet, hub_coordinator, superintendent, school: signed in through a real
OpenID Connect provider on loopback, oidc-provider-mock, with a roles file naming the busiest hub
and municipality and a school that returned this year) each run starts a fresh `shirube serve`,
waits until its start-up warm-up (dashboard.warmup) is done, then times:
- first visit: the landing page (signed in: from the provider's Authorize click) on cold caches;
- sidebar: every page of the role's sidebar reached by a click, the first time on this server
  (its own queries not yet run unless the warm-up ran them);
- sidebar_again: the same pages again (cached);
- url: each page opened by its URL in a new session (Streamlit's page start-up included).
A page counts as loaded when its title is drawn and its script has finished (and stayed finished
for half a second): the targets' measure. Beside each visit it records the browser's own share:
the main-thread tasks over 50 ms (the Long Tasks API: Plotly drawing charts, React rendering,
layout) between the click and the moment the page counted as loaded, a lower bound of the
browser's drawing time; and when the page was drawn: the end of the last such task, which can
come after the run has finished (charts are drawn once their data has arrived). The next click
waits until the page is drawn (no long task for half a second), as a person clicks on a page
they have seen: the previous page's drawing is not counted in the next page's time.
SHIRUBE_WARM_UP=0 times servers without the warm-up. Prints a table and
writes benchmarks/out/pages.md; --json writes every figure (see main()).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, not by pytest: the live-server helper lives with the browser tests (the
# packages come from the editable install).
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from bench_paths import shown_path  # noqa: E402
from live_server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    settle,
    start_server,
    stop_server,
    write_auth_secrets,
)

from dashboard.ui import pages_for  # noqa: E402
from pipelines.i18n import t  # noqa: E402

OUT = ROOT / "benchmarks" / "out" / "pages.md"
# Issue 17: the first visit under 2 s, every page reached through the sidebar under 0.5 s.
FIRST_VISIT_TARGET, SIDEBAR_TARGET = 2.0, 0.5


# Installed in every document before its own scripts: the main-thread tasks over 50 ms the page
# runs (PerformanceObserver "longtask"), as [start, duration] in ms of the page's clock.
LONG_TASKS_JS = """
window.__shirubeLongTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__shirubeLongTasks.push([entry.startTime, entry.duration]);
  }
}).observe({type: "longtask", buffered: true});
"""
# Milliseconds of those tasks inside [from, to] (a task that straddles an end counts in part).
_LONG_TASKS_BETWEEN = """([from, to]) => window.__shirubeLongTasks.reduce(
  (sum, [start, length]) => sum + Math.max(0, Math.min(start + length, to) - Math.max(start, from)),
  0)"""


# The page clock (ms) at which the last long task ended, or `since` when none has run since.
_LAST_LONG_TASK_END = """(since) => [window.__shirubeLongTasks.reduce(
  (last, [start, length]) => Math.max(last, start + length), since), performance.now()]"""
# A page is drawn once its main thread has run no long task for this long.
DRAWN_QUIET_MS = 500


def drawn_after(page: Page, finished_ms: float, timeout: float = 30.0) -> float:
    """Wait until the page is drawn (no long task for DRAWN_QUIET_MS); the seconds after the
    moment its run was seen finished (page clock `finished_ms`) that its last long task ended
    (0 when the browser had nothing left to draw)."""
    deadline = time.monotonic() + timeout
    while True:
        last_end, now = page.evaluate(_LAST_LONG_TASK_END, finished_ms)
        if now - last_end >= DRAWN_QUIET_MS or time.monotonic() > deadline:
            return max(0.0, last_end - finished_ms) / 1000
        time.sleep(0.05)


def sidebar_visit(page: Page, link: str) -> tuple[float, float, float]:
    """timed_visit through the sidebar link; the seconds of long main-thread tasks the browser
    ran between the click and the moment the page counted as loaded; and the seconds from the
    click until the page was drawn (returns once it is)."""
    clicked = page.evaluate("() => { window.__shirubeLongTasks = []; return performance.now(); }")
    clock: dict = {}
    seconds = timed_visit(page, link=link, clock=clock)
    drawing = page.evaluate(_LONG_TASKS_BETWEEN, [clicked, clicked + seconds * 1000])
    return seconds, drawing / 1000, seconds + drawn_after(page, clock["finished_ms"])


def timed_visit(
    page: Page,
    url: str | None = None,
    link: str | None = None,
    quiet_seconds: float = 0.5,
    clock: dict | None = None,
) -> float:
    """Seconds from navigation (a URL, or a click on the sidebar link) until the script is done
    (`clock`, when given, gets the page clock of that moment as "finished_ms")."""
    started = time.perf_counter()
    if url:
        page.goto(url)
        page.wait_for_selector("h1", timeout=60_000)
    else:
        page.locator('[data-testid="stSidebarNav"]').get_by_role(
            "link", name=link, exact=True
        ).click()
        page.locator("h1").filter(has_text=link).wait_for(timeout=60_000)
    return finished(page, started, quiet_seconds, clock)


def finished(
    page: Page, started: float, quiet_seconds: float = 0.5, clock: dict | None = None
) -> float:
    """Seconds from `started` until the page's title is drawn and its run has finished (and
    stayed finished for `quiet_seconds`); `clock`, when given, gets the page clock (ms) of the
    moment the run was seen finished as "finished_ms"."""
    page.wait_for_selector("h1", timeout=60_000)
    app = page.locator('[data-testid="stApp"]')
    finished_at = None
    while True:
        now = time.perf_counter()
        if app.get_attribute("data-test-script-state") == "notRunning":
            if finished_at is None:
                finished_at = now
                if clock is not None:
                    clock["finished_ms"] = page.evaluate("performance.now()")
            if now - finished_at >= quiet_seconds:
                return finished_at - started
        else:
            finished_at = None
        if now - started > 60:
            raise TimeoutError(page.url)
        time.sleep(0.02)


def busiest_areas(db: Path) -> tuple[str, str, str]:
    """The busiest hub and municipality and a school that returned in the latest year of the
    published snapshot: the heaviest view each signed-in role can have."""
    from pipelines.warehouse import current_snapshot, open_snapshot

    found = current_snapshot(db)
    if found is None:
        raise SystemExit(f"no published snapshot beside {db}: run `shirube build --db {db}`")
    con = open_snapshot(found[1])
    try:
        return con.sql(
            """
            select (select hub_code from marts.dim_school where hub_code is not null
                    group by 1 order by count(*) desc, 1 limit 1),
                   (select area_code from marts.school_area where area_level = 'municipality'
                    group by 1 order by count(*) desc, 1 limit 1),
                   (select school_code from marts.school_year_summary
                    order by academic_year desc, school_code limit 1)
            """
        ).fetchall()[0]
    finally:
        con.close()


def roles_file_entries(db: Path) -> dict[str, str]:
    """One roles-file entry per signed-in role, on the busiest hub and municipality and a school
    that returned in the latest year of the published snapshot (the heaviest view of each)."""
    hub, municipality, school = busiest_areas(db)
    return {
        "asknet": 'role = "asknet"',
        "hub_coordinator": f'role = "hub_coordinator"\nhub = "{hub}"',
        "superintendent": f'role = "superintendent"\nmunicipality = "{municipality}"',
        "school": f'role = "school"\nschool = "{school}"',
    }


def sidebar_pages(role: str, entry: str) -> tuple:
    """The pages in this role's sidebar, in order (dashboard.ui.pages_for, the app's own list)."""
    from dashboard import access
    from dashboard.roles import parse_roles

    if role == "open":
        viewer = access.Viewer(access.OPEN_NO_AUTH)
    else:
        user = "x@example.org"
        parsed = parse_roles(f'[[user]]\nemail = "{user}"\n{entry}\n')
        viewer = access.Viewer(access.SIGNED_IN, email=user, role=parsed[user])
    return tuple(spec for spec in pages_for(viewer) if not spec.hidden)


def timed_login(page: Page, base: str, email: str, clock: dict | None = None) -> float:
    """Seconds from the provider's Authorize click (the user's last action) until the landing
    page's run has finished: a signed-in first visit, on the server's cold caches."""
    page.goto(f"{base}/")
    settle(page)
    page.get_by_role("button", name=t("dashboard.access_login", "ja")).click()
    page.wait_for_url(re.compile(r".*/oauth2/authorize.*"), timeout=20_000)
    page.locator('input[name="sub"]').fill(email)
    started = time.perf_counter()
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base}/**", timeout=20_000)
    return finished(page, started, clock=clock)


def role_visits(browser, db: Path, scratch: Path, role: str, entry: str) -> dict:
    """A fresh server for one role: its first visit (cold), every sidebar page reached for the
    first time (its own queries cold), again (warm), and opened by URL in a new session."""
    from oidc_provider_mock import User, run_server_in_thread

    email = f"{role}@example.org"
    pages = sidebar_pages(role, entry)
    visits: dict = {"first_visit": {}, "pages": {}}
    cwd = scratch / role
    cwd.mkdir(parents=True, exist_ok=True)
    with run_server_in_thread(user_claims=[User(sub=email, claims={"email": email})]) as oidc:
        if role == "open":  # --no-auth: synthetic data, open, on loopback only
            process, base = start_server(db, cwd / "server.log", "--no-auth", cwd=cwd)
        else:
            port = free_port()
            provider = f"http://localhost:{oidc.server_port}"
            write_auth_secrets(cwd, port, provider, client_id="shirube-bench")
            (cwd / "roles.toml").write_text(f'[[user]]\nemail = "{email}"\n{entry}\n')
            process, base = start_server(
                db,
                cwd / "server.log",
                "--roles",
                "roles.toml",
                cwd=cwd,
                port=port,
                host="localhost",
            )
        try:
            visits["warm_up"] = wait_for_warm_up(cwd / "server.log")
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            context.add_init_script(LONG_TASKS_JS)
            tab = context.new_page()
            clock: dict = {}
            if role == "open":
                seconds = timed_visit(tab, f"{base}/", clock=clock)
            else:
                seconds = timed_login(tab, base, email, clock=clock)
            drawn = seconds + drawn_after(tab, clock["finished_ms"])
            landing = pages[0].url_path if role != "school" else "home"
            visits["first_visit"] = {"page": landing, "seconds": seconds, "drawn": drawn}
            # The landing page is left for last: every page is reached by a click.
            order = pages[1:] + pages[:1] if landing == pages[0].url_path else pages
            for kind in ("sidebar", "sidebar_again"):
                for spec in order:
                    title = t(f"dashboard.{spec.title_key}", "ja")
                    page_visits = visits["pages"].setdefault(spec.url_path, {})
                    (
                        page_visits[kind],
                        page_visits[f"{kind}_drawing"],
                        page_visits[f"{kind}_drawn"],
                    ) = sidebar_visit(tab, title)
            for spec in pages:
                url = f"{base}/" if spec is pages[0] and role != "school" else None
                visits["pages"][spec.url_path]["url"] = timed_visit(
                    tab, url or f"{base}/{spec.url_path}"
                )
            context.close()
        finally:
            stop_server(process)
    return visits


def wait_for_warm_up(log_path: Path, timeout: float = 120.0) -> float | None:
    """The server's start-up warm-up (dashboard.warmup) in seconds, once its log says it is
    done: the first visit is timed on a server that has finished starting, as people meet it.
    None when the warm-up is off (SHIRUBE_WARM_UP=0)."""
    if os.environ.get("SHIRUBE_WARM_UP") == "0":
        return None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"warm-up done in ([0-9.]+) s", log_path.read_text(errors="replace"))
        if found:
            return float(found.group(1))
        time.sleep(0.1)
    raise TimeoutError(f"no warm-up in {log_path}")


def role_summary(per_run: list[dict]) -> dict:
    """The runs of one role: seconds per run, median, worst and whether the targets are met."""

    def stats(values: list[float], target: float) -> dict:
        return {
            "seconds": [round(v, 3) for v in values],
            "median": round(statistics.median(values), 3),
            "worst": round(max(values), 3),
            "target": target,
            "met": max(values) < target,
        }

    first = stats([run["first_visit"]["seconds"] for run in per_run], FIRST_VISIT_TARGET)
    first["drawn_seconds"] = [round(run["first_visit"]["drawn"], 3) for run in per_run]
    first["page"] = per_run[0]["first_visit"]["page"]
    first["warm_up_seconds"] = [run["warm_up"] for run in per_run]
    pages = {}
    for name in per_run[0]["pages"]:
        sidebar = stats([run["pages"][name]["sidebar"] for run in per_run], SIDEBAR_TARGET)
        again = stats([run["pages"][name]["sidebar_again"] for run in per_run], SIDEBAR_TARGET)
        for kind, summary in (("sidebar", sidebar), ("sidebar_again", again)):
            for measure in ("drawing", "drawn"):
                values = [run["pages"][name][f"{kind}_{measure}"] for run in per_run]
                summary[f"{measure}_seconds"] = [round(v, 3) for v in values]
        url = [run["pages"][name]["url"] for run in per_run]
        pages[name] = {
            "sidebar": sidebar,
            "sidebar_again": again,
            "url": stats(url, FIRST_VISIT_TARGET),
            "met": sidebar["met"] and again["met"],
        }
    return {"first_visit": first, "pages": pages}


def run_roles(db: Path, runs: int, roles: list[str]) -> dict:
    if os.environ.get("SHIRUBE_WARM_UP") != "0":
        os.environ["SHIRUBE_WARM_UP"] = "report"  # the servers say in their log when it is done
    entries = {"open": "", **roles_file_entries(db)}
    per_role: dict[str, list[dict]] = {role: [] for role in roles}
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as scratch:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for run_index in range(runs):
            for role in roles:
                folder = Path(scratch) / f"run-{run_index}"
                per_role[role].append(role_visits(browser, db, folder, role, entries[role]))
        browser.close()
    return {role: role_summary(visits) for role, visits in per_role.items()}


def legacy_pages(roles: dict) -> dict[str, dict[str, list[float]]]:
    """The open server's pages (and the audit page, signed in as ASKNET staff) as the earlier
    {"page": {"cold", "warm", "reload"}} lists: cold = first reached (the landing page: the first
    visit), warm = reached again through the sidebar, reload = opened by URL in a new session."""
    timings = {}
    for role, only in (("open", None), ("asknet", "audit")):
        if role not in roles:
            continue
        summary = roles[role]
        for name, page in summary["pages"].items():
            if only and name != only:
                continue
            first = summary["first_visit"]
            cold = first if name == first["page"] else page["sidebar"]
            timings[name] = {
                "cold": cold["seconds"],
                "warm": page["sidebar_again"]["seconds"],
                "reload": page["url"]["seconds"],
            }
    return timings


def report(roles: dict, db: Path, runs: int, load: tuple[float, float]) -> str:
    lines = [
        "# Dashboard page timings (headless Chromium)",
        "",
        f"Database: `{shown_path(db)}`; runs: {runs}; cores: {os.cpu_count()}. "
        f"Load average at the start / end: {load[0]:.1f} / {load[1]:.1f}. "
        f"Targets: first visit < {FIRST_VISIT_TARGET:.1f} s, every page reached through the "
        f"sidebar < {SIDEBAR_TARGET:.1f} s.",
        "",
        "Each role gets a fresh server: its first visit (signed in: from the provider's "
        "Authorize click) on cold caches, then every page of its sidebar reached by a click "
        "(first: the page's own queries not yet run on this server; again: cached), then each "
        "page opened by URL in a new session.",
        "",
        "Drawing is the browser's own share of a sidebar visit: its main-thread tasks over 50 ms "
        "(Plotly, React, layout) between the click and the page counting as loaded, median of "
        "the runs. Drawn is when the browser finished drawing the page (its last such task "
        "ended; charts are drawn once their data has arrived, so this can be after the run has "
        "finished), median of the runs; no target is set on it. Each click waits until the "
        "page before it is drawn.",
        "",
        "| role | page | first visit (drawn) | sidebar first median / worst | sidebar again "
        "median / worst | of which drawing, first / again | drawn, first / again | by URL "
        "median | targets met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for role, summary in roles.items():
        first = summary["first_visit"]
        for name, page in summary["pages"].items():
            landing = name == first["page"]
            met = page["met"] and (first["met"] if landing else True)
            first_text = _first_visit_text(first) if landing else ""
            drawing, drawn = (
                " / ".join(
                    f"{statistics.median(page[kind][f'{measure}_seconds']):.2f} s"
                    for kind in ("sidebar", "sidebar_again")
                )
                for measure in ("drawing", "drawn")
            )
            lines.append(
                f"| {role} | {name} | {first_text} | "
                f"{page['sidebar']['median']:.2f} s / {page['sidebar']['worst']:.2f} s | "
                f"{page['sidebar_again']['median']:.2f} s / {page['sidebar_again']['worst']:.2f} s"
                f" | {drawing} | {drawn} | {page['url']['median']:.2f} s | "
                f"{'yes' if met else 'NO'} |"
            )
        if first["page"] not in summary["pages"]:
            lines.append(
                f"| {role} | {first['page']} (landing) | {_first_visit_text(first)} |  |  |  |  |"
                f"  | {'yes' if first['met'] else 'NO'} |"
            )
    return "\n".join(lines) + "\n"


def _first_visit_text(first: dict) -> str:
    return f"{first['median']:.2f} s ({statistics.median(first['drawn_seconds']):.2f} s)"


ROLES = ("open", "asknet", "hub_coordinator", "superintendent", "school")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="warehouse DB (default: the test fixture)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write the timings as JSON")
    parser.add_argument("--role", action="append", choices=ROLES, help="default: every role")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        db = args.db
        if db is None:
            sys.path.insert(0, str(ROOT / "tests"))
            from dashboard_fixture import make_fixture_warehouse

            db = Path(folder) / "shirube.duckdb"
            make_fixture_warehouse(db)
        roles = run_roles(db.resolve(), args.runs, args.role or list(ROLES))
        load = (load_start, os.getloadavg()[0])
        text = report(roles, db, args.runs, load)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(text)
    if args.json:
        result = {
            "database": shown_path(db),
            "runs": args.runs,
            "cores": os.cpu_count(),
            "load_average": {"start": load[0], "end": load[1]},
            "targets": {"first_visit": FIRST_VISIT_TARGET, "sidebar": SIDEBAR_TARGET},
            "all_met": all(
                r["first_visit"]["met"] and all(p["met"] for p in r["pages"].values())
                for r in roles.values()
            ),
            "roles": roles,
            "pages": legacy_pages(roles),
        }
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
