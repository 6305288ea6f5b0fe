"""Start Streamlit with the dashboard's heavy modules already loaded.

`python -m dashboard.launch run dashboard/app.py ...` takes the same arguments as
`python -m streamlit`. Importing polars, plotly, DuckDB and the dashboard's own modules here, and
drawing one small figure, happens once at server start instead of during the first visitor's page
load (about half of a cold first page at national scale). Then dashboard.warmup runs the first
pages' queries in the background while the server starts.
"""

from __future__ import annotations

import importlib
import logging

# What the sidebar's pages import on their first run (the support and compare tables, uploads,
# reports) and Streamlit's emoji catalogue, which its first label in Japanese loads: each took
# 20-35 ms of some page's first visit, paid here once at start instead.
PAGE_MODULES = (
    "dashboard.concerns",
    "dashboard.coverage_so_far",
    "dashboard.exports",
    "dashboard.skills_panel",
    "dashboard.tables",
    "dashboard.upload",
    "pipelines.reports",
    "streamlit.emojis",
)


def preload() -> None:
    # Plotly looks pandas up in sys.modules while drawing; if the first visitors' threads import
    # it concurrently, one of them sees a half-initialised module and its page fails. Found by
    # the load test (benchmarks/bench_load.py) at 6+ sessions right after start.
    import duckdb  # noqa: F401
    import pandas  # noqa: F401
    import plotly.graph_objects as go
    import polars  # noqa: F401

    import dashboard.charts  # noqa: F401 - imported for its side effect: modules in sys.modules
    import dashboard.queries.areas  # noqa: F401
    import dashboard.queries.schools  # noqa: F401

    # dashboard.data (and filters, ui and access, which import it) too: its @st.cache_data checks
    # its options before Streamlit's runtime exists, which logs "No runtime found, using
    # MemoryCacheStorageManager". That check only: the cache itself is the runtime's, made on
    # the first call. So the message is silenced for these imports, not for the server.
    caching = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = caching.level
    caching.setLevel(logging.ERROR)
    try:
        import dashboard.access
        import dashboard.filters
        import dashboard.ui
        import dashboard.warmup  # noqa: F401

        for module in PAGE_MODULES:
            importlib.import_module(module)
    finally:
        caching.setLevel(level)

    # Plotly builds its validators lazily on first use; one figure warms them.
    go.Figure(go.Bar(x=["B1"], y=[1.0]), layout={"title": {"text": "warm"}}).to_json()


def main() -> None:
    from streamlit.web.cli import main as streamlit_main

    preload()
    # The first pages' queries run while the server starts, not in its first visitor's page.
    from dashboard import warmup

    warmup.start()
    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main()
