"""The dashboard's background threads (warm-up, prefetch) let a process exit cleanly.

A daemon thread still inside a DuckDB query when Python finalises is stopped in the middle of
C++ code and aborts the whole process (exit code 134, "FATAL: exception not rethrown"): it
happened at the end of test runs whose pages had started a prefetch. Here a real child process
starts a background task of three long DuckDB queries through dashboard.background and exits
while the first runs: it must exit with 0, and the task must not start the next query.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import time
import duckdb
from dashboard import background

con = duckdb.connect()
con.execute("set enable_progress_bar = false")  # stdout carries only the task's lines
def slow():
    for _ in range(3):
        if background.stopping():
            print("stopped before the next query", flush=True)
            return
        con.execute("select count(*) from range(300000000) t(i) where i % 7 = 3").fetchall()
        print("query done", flush=True)

background.start(slow, "test-slow")
time.sleep(0.3)  # the first query is running when the script ends
"""


def test_a_process_exits_cleanly_while_a_background_query_runs():
    child = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr[-500:]
    assert child.stdout.splitlines() == ["query done", "stopped before the next query"]
