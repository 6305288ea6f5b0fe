"""Where a page's server time goes: every named query and every figure, timed, per page and role.

    python benchmarks/profile_pages.py --db PATH [--json OUT] [--role open|asknet|hub|...]
        [--warm-up] [--prefetch]

Runs every page of the dashboard through Streamlit's own script runner (AppTest, in this
process) on the warehouse's published snapshot, as each role would see it: the first visit
(the landing page, nothing run yet), then each page twice: cold (this process has not run the
page's queries yet) and warm (the same page again: cached queries). With --warm-up, the
server's start-up warm-up (dashboard.warmup) runs first, as `shirube serve` does; with
--prefetch, each role's sidebar prefetch (dashboard.prefetch) runs after its first visit, timed
apart (JSON: roles.<role>.prefetch_seconds), as a served dashboard runs it in the background.
Charts are drawn through ui.figure: a page's warm run reuses the figures its cold run built.
Around the page it times each `data.query` call (a cache miss is the SQL itself), each chart
builder of dashboard.charts* and each `ui.chart` (Plotly's figure to JSON, Streamlit's
message). Less sensitive to the machine's other load than browser timings: it measures the
server's work only, with no browser or websocket in between. Prints the slowest parts first.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")


def _roles(db: Path) -> dict[str, object]:
    """One Role per kind of viewer, on areas and a school that exist in the snapshot."""
    from bench_pages import busiest_areas

    from dashboard.roles import Role

    hub, municipality, school = busiest_areas(db)
    return {
        "open": None,
        "asknet": Role("staff@example.org", "asknet"),
        "hub_coordinator": Role("coord@example.org", "hub_coordinator", "hub", hub),
        "superintendent": Role(
            "kyoiku@example.org", "superintendent", "municipality", municipality
        ),
        "school": Role("school@example.org", "school", "school", school),
    }


# The sidebar's choices of the last page run (the prefetch runs with the landing page's).
LAST_FILTERS: list = []


class Timer:
    """Wraps functions so each call adds its seconds to the current page's record."""

    def __init__(self) -> None:
        self.parts: dict[str, list[float]] = defaultdict(list)

    def wrap(self, owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)
        if getattr(original, "_profiled", False):
            return

        @functools.wraps(original)  # keeps the name ui.figure caches a builder's figures by
        def timed(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                key = label
                if label == "query" and args:
                    key = f"query {args[0].__module__.rpartition('.')[2]}.{args[0].__name__}"
                self.parts[key].append(time.perf_counter() - started)

        timed._profiled = True  # type: ignore[attr-defined]
        setattr(owner, name, timed)


def instrument(timer: Timer) -> None:
    import dashboard.charts
    import dashboard.charts_criteria
    import dashboard.charts_skills
    import dashboard.charts_trends
    from dashboard import data, ui

    timer.wrap(data, "query", "query")
    timer.wrap(ui, "chart", "ui.chart (figure to JSON and message)")
    for module in (
        dashboard.charts,
        dashboard.charts_criteria,
        dashboard.charts_skills,
        dashboard.charts_trends,
    ):
        for name, value in list(vars(module).items()):
            if callable(value) and not name.startswith("_") and value.__module__ == module.__name__:
                if isinstance(value, type):
                    continue
                timer.wrap(module, name, f"figure {module.__name__.rpartition('.')[2]}.{name}")


def run_page(role: object, page: str | None, query: dict[str, str], timer: Timer) -> float:
    """Seconds for one run of `page` as `role` (None: open server), after the app's first run
    (the landing page); with `page` None, the landing run itself."""
    from streamlit.testing.v1 import AppTest

    from dashboard import access

    if role is not None:
        access.resolve_viewer = lambda: access.Viewer(access.SIGNED_IN, email=role.email, role=role)
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["_audited_login"] = getattr(role, "email", None)  # no login audit event
    app.query_params.update(query)
    timer.parts.clear()
    started = time.perf_counter()
    app.run()
    if page is not None:
        app.query_params.clear()
        app.query_params.update(query)
        timer.parts.clear()
        started = time.perf_counter()
        app.switch_page(page).run()
    seconds = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"{page}: {app.exception}")
    LAST_FILTERS[:] = [app.session_state["filters"]]
    return seconds


def _entry(seconds: float, timer: Timer) -> dict:
    return {
        "seconds": round(seconds, 4),
        "parts": {k: round(sum(v), 4) for k, v in timer.parts.items()},
        "calls": {k: len(v) for k, v in timer.parts.items()},
    }


def _print(role: str, page: str, entry: dict) -> None:
    kinds = "  ".join(f"{kind} {entry[kind]['seconds']:.2f} s" for kind in entry)
    print(f"{role:16} {page:16} {kinds}", flush=True)
    first = next(iter(entry.values()))
    for part, seconds in sorted(first["parts"].items(), key=lambda kv: -kv[1])[:6]:
        print(f"{'':34}{seconds:7.3f} s  {part}", flush=True)


def _prefetch(viewer: object, pages: list) -> float:
    """Seconds of dashboard.prefetch for this viewer with the sidebar's defaults, run here in
    the foreground (a served dashboard runs it in a background thread)."""
    from dashboard import prefetch

    f = LAST_FILTERS[0]
    started = time.perf_counter()
    paths = tuple(spec.url_path for spec in pages)
    prefetch.run(viewer.scope, prefetch.plan(viewer.scope, paths, f.year, f.selection()))
    return round(time.perf_counter() - started, 3)


def profile(db: Path, roles: list[str], warm_up: bool = False, prefetch: bool = False) -> dict:
    os.environ["SHIRUBE_DB"] = str(db)
    os.environ["SHIRUBE_NO_AUTH"] = "1"
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    from dashboard import access, launch, ui

    # As `shirube serve` starts (dashboard.launch): the heavy modules are loaded before any page
    # runs, or a page's Plotly could meet pandas half-imported by the prefetch's thread.
    launch.preload()
    every_role = _roles(db)
    timer = Timer()
    instrument(timer)
    original_viewer = access.resolve_viewer
    result: dict = {"database": str(db), "roles": {}, "warm_up_seconds": None}
    if warm_up:  # what a served dashboard does at start (dashboard.warmup), timed here
        from dashboard import data, warmup
        from dashboard.queries import options
        from dashboard.scope import Scope

        started = time.perf_counter()
        years = data.query(options.academic_years, Scope.everything())["academic_year"]
        for function, params in warmup.plan(int(years[0])):
            data.query(function, Scope.everything(), **params)
        result["warm_up_seconds"] = round(time.perf_counter() - started, 3)
        print(f"warm-up {result['warm_up_seconds']:.2f} s", flush=True)
    for name in roles:
        role = every_role[name]
        access.resolve_viewer = original_viewer
        viewer = access.Viewer(access.OPEN_NO_AUTH) if role is None else None
        if role is not None:
            viewer = access.Viewer(access.SIGNED_IN, email=role.email, role=role)
        pages = [spec for spec in ui.pages_for(viewer) if not spec.hidden]
        query = {"school": role.code} if role is not None and role.role == "school" else {}
        landing = _entry(run_page(role, None, query, timer), timer)
        result["roles"][name] = {"first_visit": landing, "pages": {}}
        _print(name, "(first visit)", {"first_visit": landing})
        if prefetch:  # what a served dashboard runs in the background after the first page
            seconds = _prefetch(viewer, pages)
            result["roles"][name]["prefetch_seconds"] = seconds
            print(f"{name:16} prefetch {seconds:.2f} s (background, after the first page)")
        for spec in pages:
            entry = {}
            for kind in ("cold", "warm"):
                entry[kind] = _entry(run_page(role, spec.file, query, timer), timer)
            result["roles"][name]["pages"][spec.url_path] = entry
            _print(name, spec.url_path, entry)
    result["load_average"] = os.getloadavg()[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--role",
        action="append",
        choices=("open", "asknet", "hub_coordinator", "superintendent", "school"),
    )
    parser.add_argument(
        "--warm-up", action="store_true", help="run the server's start-up warm-up first"
    )
    parser.add_argument(
        "--prefetch",
        action="store_true",
        help="after each role's first visit, run its sidebar prefetch (dashboard.prefetch)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    result = profile(args.db.resolve(), args.role or ["open"], args.warm_up, args.prefetch)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
