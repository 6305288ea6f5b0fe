"""The start-up warm-up (dashboard.warmup) asks exactly what the pages ask: every query of its
plan, with its parameters, is one the open viewer's pages run through the cache on the real
fixture snapshot, so what it puts in the cache is what the first visitors read from it."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from app_pages import open_page, page_app
from build_rows import RawRows, build_snapshot
from dashboard_fixture import BUILD_DATE, SCHOOLS, school_code, write_fixture_rows

from dashboard import access, data, ui, warmup
from dashboard.queries import options
from dashboard.scope import Scope
from pipelines.warehouse import current_snapshot, open_snapshot

SKILLS = ("listening", "speaking", "problem_solving", "creativity")
SKILLS += ("staying_positive", "aiming_high", "leadership", "teamwork")


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    """The dashboard fixture, with skills assessments this year so the skills page draws."""
    raw = RawRows(tmp_path_factory.mktemp("warm") / "shirube.duckdb")
    write_fixture_rows(raw)
    raw.skills(
        [
            (school_code(record), f"s{n}", 2, date(2025, 6, 15), assessor, dict.fromkeys(SKILLS, 5))
            for record in SCHOOLS[:4]
            for n in range(6)
            for assessor in ("teacher", "self")
        ]
    )
    build_snapshot(raw, BUILD_DATE)
    return raw.db_path


def _key(function, params: dict) -> tuple:
    return (f"{function.__module__}.{function.__name__}", tuple(sorted(params.items())))


def test_every_warm_up_query_is_one_a_page_runs(fixture_db, monkeypatch):
    asked: set[tuple] = set()
    original = data.query

    def recording(function, scope, **params):
        if scope == Scope.everything():
            asked.add(_key(function, params))
        return original(function, scope, **params)

    monkeypatch.setattr(data, "query", recording)
    viewer = access.Viewer(access.OPEN_NO_AUTH)
    for spec in ui.pages_for(viewer):
        app = open_page(page_app(fixture_db, monkeypatch), spec.file)
        assert not app.exception, spec.file

    con = open_snapshot(current_snapshot(fixture_db)[1])
    try:
        years = options.academic_years(con.cursor(), Scope.everything())["academic_year"]
    finally:
        con.close()
    planned = {_key(function, params) for function, params in warmup.plan(int(years[0]))}
    assert len(planned) == 14
    assert planned - asked == set()


def test_warm_up_gives_up_quietly_without_a_runtime(fixture_db, monkeypatch):
    monkeypatch.setenv("SHIRUBE_DB", str(fixture_db))
    ran = []
    monkeypatch.setattr(data, "query", lambda *args, **kwargs: ran.append(args))
    warmup.warm_up(wait_seconds=0.2)  # no Streamlit runtime in this process: nothing runs
    assert ran == []


CHART_MODULES = ("dashboard.charts", "dashboard.charts_criteria", "dashboard.charts_skills")
WARM_CHARTS_IN_A_NEW_PROCESS = f"""
import sys
from dashboard import warmup
print(*[m in sys.modules for m in {CHART_MODULES!r}])
warmup.warm_charts()
print(*[m in sys.modules for m in {CHART_MODULES!r}])
"""


def test_warm_charts_loads_the_chart_modules_in_a_new_process(tmp_path):
    """Importing the charts and Plotly's template took 0.2-0.5 s of a new server's first page;
    the warm-up (which calls warm_charts before its queries) leaves them loaded instead."""
    printed = _printed_in_a_new_process(WARM_CHARTS_IN_A_NEW_PROCESS, tmp_path)
    assert printed[:2] == ["False False False", "True True True"]


HEAVY_PACKAGES = ("pandas", "numpy", "dateutil", "pyarrow", "narwhals")
FIRST_TABLE_IN_A_NEW_PROCESS = f"""
import datetime, sys
import polars as pl
import streamlit as st
from dashboard import warmup

heavy = lambda: {{m for m in sys.modules if m.split(".")[0] in {HEAVY_PACKAGES!r}}}
print("pandas" in sys.modules)
warmup.warm_tables()
before = heavy()
# A table as the pages draw one: numbers, text, a date and blanks.
st.dataframe(
    pl.DataFrame({{
        "area": ["東京都", None],
        "schools": [12, None],
        "rate": [91.5, None],
        "day": [datetime.date(2025, 4, 1), None],
    }}),
    hide_index=True,
    placeholder="—",
)
print(sorted(heavy() - before))
"""


def test_warm_tables_loads_what_a_first_table_needs_in_a_new_process(tmp_path):
    """st.dataframe converts a polars frame through pandas: importing pandas, numpy's extras
    and dateutil took 0.26 s of the first page with a table on a new server. After the warm-up's
    warm_tables, drawing a table imports none of them."""
    printed = _printed_in_a_new_process(FIRST_TABLE_IN_A_NEW_PROCESS, tmp_path)
    assert printed[:2] == ["False", "[]"]


def _printed_in_a_new_process(code: str, folder) -> list[str]:
    """The lines `code` prints when run by a new Python process in `folder`."""
    child = subprocess.run(
        [sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr[-800:]
    return child.stdout.split("\n")
