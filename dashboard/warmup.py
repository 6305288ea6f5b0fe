"""Warm a starting server: run the first pages' named queries before anyone asks for them.

At national scale a page's first queries on a new server take most of its time: the snapshot
file is opened, its catalogue and the marts' blocks are read, and every query runs cold. A
server started with `shirube serve` (dashboard.launch) runs this in a background thread as soon
as Streamlit's runtime exists: the overview and the sidebar, then the other pages' heaviest
queries, as an open or ASKNET viewer sees them with the sidebar's defaults (the latest year, the
whole country). Their results go into the same cache the pages read (dashboard.data, keyed by
the snapshot's version, so a later publish is never served from it), and every other viewer's
queries find the snapshot open and its blocks in memory. Nothing is drawn and nothing changes:
the pages still run their own queries, through the cache. When a rebuild publishes a new
snapshot, the first query that reads it starts the same warm-up for it (`after_publish`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator

from dashboard import background

log = logging.getLogger("shirube.dashboard")

# SHIRUBE_WARM_UP=0 starts a server without it (to measure what it saves, or on a replica whose
# shared folder is slow to read at start).
WARM_UP_ENV = "SHIRUBE_WARM_UP"

# The sidebar's defaults when nothing is chosen (dashboard.filters.Filters.selection()).
NATIONAL_SELECTION = {
    "area_level": "national",
    "area_code": None,
    "hub": None,
    "school_type": None,
    "establishment": None,
}


def plan(year: int) -> Iterator[tuple[Callable, dict]]:
    """(named query, parameters) in the order people meet them: the sidebar and the overview
    (the first visit), then the other pages' heaviest queries."""
    from dashboard import data
    from dashboard.queries import areas, options, schools, skills
    from pipelines.vocabulary import SEVERITIES

    yield data.snapshot_info, {}
    yield options.school_kinds, {}
    yield options.areas, {"level": "hub"}
    yield options.benchmarks, {}
    yield areas.selection_summary, {"year": year, **NATIONAL_SELECTION}
    yield areas.area_summaries, {"level": "prefecture", "year": year}
    yield areas.area_benchmarks, {"level": "national", "year": year}
    yield areas.area_summaries, {"level": "prefecture", "year": year, "parent_code": None}
    yield areas.area_benchmarks, {"level": "prefecture", "year": year, "parent_code": None}
    yield areas.selection_distribution, {"year": year, **NATIONAL_SELECTION}
    yield schools.flagged_schools, {"year": year, "severities": SEVERITIES, **NATIONAL_SELECTION}
    yield schools.return_status, {"year": year, **NATIONAL_SELECTION}
    yield skills.area_skills, {"level": "national", "code": "JP", "year": year}
    yield skills.step_distribution, {"level": "national", "code": "JP", "year": year}


# Snapshot versions already warmed (or being warmed) by this server.
_claimed: set[str] = set()
_lock = threading.Lock()


def _claim(version: str) -> bool:
    with _lock:
        if version in _claimed:
            return False
        _claimed.add(version)
        return True


def after_publish(version: str) -> None:
    """Called by dashboard.data with the version each query reads: a version this running
    server has not warmed yet (a rebuild published it) is warmed in the background, so the
    first visitor after a publish does not pay for it either."""
    if version in _claimed or os.environ.get(WARM_UP_ENV, "1") == "0":
        return
    from streamlit import runtime

    if runtime.exists() and _claim(version):  # a served dashboard, not a test's script runner
        start(claimed=version)


def warm_up(wait_seconds: float = 60.0, claimed: str | None = None) -> None:
    """Wait for Streamlit's runtime, then run the plan as an open viewer (the whole country).
    Never raises: a warm-up that fails leaves the pages to run their queries themselves."""
    try:
        from streamlit import runtime

        deadline = time.monotonic() + wait_seconds
        while not runtime.exists():
            if time.monotonic() > deadline or background.stopping():
                return
            time.sleep(0.05)
        from dashboard import data
        from dashboard.queries import options
        from dashboard.scope import Scope

        current = data.snapshot()
        if current is None or (current.version != claimed and not _claim(current.version)):
            return
        warm_charts()
        warm_tables()
        scope = Scope.everything()
        started = time.perf_counter()
        years = data.query(options.academic_years, scope)["academic_year"]
        if years.is_empty():
            return
        for function, params in plan(int(years[0])):
            if background.stopping():  # the process is exiting: no new query
                return
            data.query(function, scope, **params)
        seconds = time.perf_counter() - started
        log.info("warm-up done in %.2f s", seconds)
        if os.environ.get(WARM_UP_ENV) == "report":  # for benchmarks: say it in the server log
            print(f"warm-up done in {seconds:.2f} s", flush=True)
    except Exception:  # a warm-up must never stop a server
        log.exception("warm-up failed")


def warm_charts() -> None:
    """Load what the first chart of a process would: the chart modules, Plotly's template and
    each trace type's validators, and its JSON encoder (about 0.5 s here, once per process), so
    the first visit does not pay it. Nothing is drawn for anyone."""
    import plotly.graph_objects as go

    from dashboard import charts, charts_criteria, charts_skills, charts_trends  # noqa: F401

    for trace in (go.Bar(), go.Scatter(), go.Heatmap()):
        go.Figure(trace).to_json()


def warm_tables() -> None:
    """Load what the first table of a process would. st.dataframe turns a polars frame into
    pandas and then Arrow, and pandas (with numpy's extras and dateutil) is imported on the
    first such table: 0.26 s of the compare page's first visit on a new server, its only
    table-drawing cost that was not its queries (benchmarks/profile_pages.py). Converting one
    small frame the same way loads it all once; nothing is drawn for anyone."""
    import polars as pl
    from streamlit import dataframe_util

    sample = pl.DataFrame({"name": ["x"], "count": [1], "share": [0.5]})
    frame = dataframe_util.convert_anything_to_pandas_df(sample, ensure_copy=False)
    dataframe_util.convert_pandas_df_to_arrow_bytes(frame)


def start(claimed: str | None = None) -> threading.Thread | None:
    """Warm up in a background thread (`claimed`: the version the caller has claimed for it)."""
    if os.environ.get(WARM_UP_ENV, "1") == "0":
        return None
    return background.start(warm_up, "shirube-warm-up", claimed=claimed)
