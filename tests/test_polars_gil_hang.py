"""The server must not stop answering when many sessions draw pages at once (issue 17).

Under the stress bench (30 sessions, right after a publish, every session missing the cache at
once) the server stopped answering. gdb on the stuck server showed a GIL deadlock between polars'
thread pool and Python: polars ran the coverage-so-far tables' `map_elements` lambdas on its
pool, whose threads then waited for the GIL, while another session's thread held the GIL inside
polars' `DataFrame.to_pandas` (what `st.dataframe` calls), waiting for that same pool. Every
other thread (DuckDB's included) then waited for the GIL for ever.

The race is re-run here with real threads on rows from a real warehouse: sessions building the
coverage-so-far tables and CSV downloads beside sessions converting frames for `st.dataframe`.
It runs in a child process with a hard timeout: a deadlocked GIL stops the test's thread too.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
from dashboard_fixture import make_fixture_warehouse

from dashboard.queries import journeys, options
from dashboard.queries.common import frame
from dashboard.scope import Scope
from pipelines.warehouse import open_snapshot

ROOT = Path(__file__).resolve().parents[1]

# Build the tables and convert frames from many threads for SECONDS; exit 0 when every thread
# has finished. A deadlock leaves the child hanging, and the parent's timeout ends it.
CHILD = textwrap.dedent(
    """
    import sys, threading, time
    import polars as pl
    from dashboard.coverage_so_far import _figures
    from dashboard.exports import to_csv

    folder, seconds = sys.argv[1], float(sys.argv[2])
    school = pl.read_parquet(f"{folder}/school.parquet")
    area = pl.read_parquet(f"{folder}/area.parquet")
    benchmarks = pl.read_parquet(f"{folder}/benchmarks.parquet")
    wide = pl.read_parquet(f"{folder}/wide.parquet")
    stop = time.monotonic() + seconds
    done = []

    def tables(lang):  # the school profile's and the district page's coverage-so-far tables
        mine_school, mine_area, mine_benchmarks = school.clone(), area.clone(), benchmarks.clone()
        while time.monotonic() < stop:
            mine_school.select(_figures(mine_benchmarks, lang, before=True)).to_pandas()
            mine_area.select(_figures(mine_benchmarks, lang, before=False)).to_pandas()
        done.append(lang)

    def table():  # another page's st.dataframe: polars' to_pandas, which keeps the GIL
        mine = wide.clone()
        while time.monotonic() < stop:
            mine.to_pandas()
        done.append("table")

    def download():  # a page's CSV download button (text cells made inert)
        mine = school.clone()
        while time.monotonic() < stop:
            to_csv(mine)
        done.append("csv")

    threads = [threading.Thread(target=tables, args=(("ja", "en")[i % 2],)) for i in range(8)]
    threads += [threading.Thread(target=table) for _ in range(8)]
    threads += [threading.Thread(target=download) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"finished {len(done)} of {len(threads)}")
    """
)


def _real_rows(folder: Path, tmp_path: Path) -> None:
    snapshot = make_fixture_warehouse(tmp_path / "w.duckdb")
    con = open_snapshot(snapshot)
    try:
        cursor, scope = con.cursor(), Scope.everything()
        year = int(options.academic_years(cursor, scope)["academic_year"][0])
        schools = frame(
            cursor,
            "select school_code from marts.cumulative_coverage where academic_year = ? "
            "group by 1 order by count(*) desc limit 1",
            [year],
        )
        school = journeys.school_coverage_so_far(
            cursor, scope, school=schools["school_code"][0], year=year
        )
        area = journeys.area_coverage_so_far(cursor, scope, level="national", code="JP", year=year)
        benchmarks = options.benchmarks(cursor, scope)
        wide = frame(cursor, "select * from marts.school_year_benchmark")
    finally:
        con.close()
    assert school.height and area.height and wide.height, "the fixture has coverage rows"
    school.write_parquet(folder / "school.parquet")
    area.write_parquet(folder / "area.parquet")
    benchmarks.write_parquet(folder / "benchmarks.parquet")
    # A frame big enough that to_pandas works on polars' pool: the real rows, repeated.
    pl.concat([wide] * max(1, 20_000 // wide.height)).write_parquet(folder / "wide.parquet")


def test_sessions_drawing_tables_at_once_never_deadlock(tmp_path):
    folder = tmp_path / "rows"
    folder.mkdir()
    _real_rows(folder, tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder), "5"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(
            "threads building tables and converting frames deadlocked (no exit in 60 s)"
        ) from None
    assert done.returncode == 0, done.stderr[-3000:]
    assert "finished 18 of 18" in done.stdout


# Polars methods that run a Python function on polars' own thread pool.
PYTHON_UDFS = {"map_elements", "map_batches", "map_groups", "map_rows", "apply"}


def test_no_python_function_runs_inside_a_polars_expression_in_the_dashboard():
    found = []
    served = [*sorted((ROOT / "dashboard").rglob("*.py")), ROOT / "pipelines" / "spreadsheet.py"]
    for path in served:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in PYTHON_UDFS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert found == []
