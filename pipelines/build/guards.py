"""Guards on partial rebuilds: when a model's partition holds only while something else stays put.

A model may follow its `-- Incremental:` line with `-- guard: <SQL>` lines (joined in order,
after a plain comment saying why): a query run when the build is planned, before anything is
rebuilt (every mart still holds the last build's rows; raw.* already holds the new files'
rows). When it does not return true, the model is rebuilt in full and everything below it sees
a whole change.

A `-- narrow guard: <SQL>` (for a model declaring `-- Narrow:`) is run the same way; when it
does not return true, the model is rebuilt for its changed years whole, not only for the changed
schools or areas (marts.area_year_summary: a year's framework versions are read across areas).

Placeholders, filled in from the change the model would otherwise be rebuilt for:
`{start}`, the earliest academic year it would rebuild (null when none), and `{files}`, the
file ids ingested since the last build.

Example (marts.return_status): its rows of a year hang on that year's returns and on each
school's calendar, read from all its years; the guard holds when no new return can change a
school's calendar, so rebuilding the changed years is enough.
"""

from __future__ import annotations

import duckdb

from pipelines.build.models import Model


def _ints(values: frozenset[int]) -> str:
    return ", ".join(str(int(v)) for v in sorted(values)) or "null"


def guard_sql(guard: str, start: int | None, files: frozenset[int]) -> str:
    return guard.replace("{start}", "null" if start is None else str(int(start))).replace(
        "{files}", _ints(files)
    )


def guard_holds(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    start: int | None,
    files: frozenset[int],
    *,
    narrowing: bool = False,
) -> bool:
    """True when the model's guard (if any; with `narrowing`, its `-- narrow guard:`) holds for
    this change; a guard that fails to run does not hold (the model is then rebuilt in full, or
    for the changed years whole, which is always right)."""
    guard = model.narrow_guard if narrowing else model.guard
    if guard is None:
        return True
    try:
        row = con.execute(guard_sql(guard, start, files)).fetchone()
    except duckdb.Error:
        return False
    return bool(row and row[0] is True)
