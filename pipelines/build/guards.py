"""Guards on partial rebuilds: when a model's partition holds only while something else stays put.

A model may follow its `-- Incremental:` line with `-- guard: <SQL>` lines (joined in order,
after a plain comment saying why): a query run when the build is planned, before anything is
rebuilt (every mart still holds the last build's rows; raw.* already holds the new files'
rows). When it does not return true, the model is rebuilt in full and everything below it sees
a whole change.

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


def guard_sql(model: Model, start: int | None, files: frozenset[int]) -> str:
    assert model.guard is not None
    return model.guard.replace("{start}", "null" if start is None else str(int(start))).replace(
        "{files}", _ints(files)
    )


def guard_holds(
    con: duckdb.DuckDBPyConnection, model: Model, start: int | None, files: frozenset[int]
) -> bool:
    """True when the model's guard (if any) holds for this change; a guard that fails to run
    does not hold (the model is then rebuilt in full, which is always right)."""
    if model.guard is None:
        return True
    try:
        row = con.execute(guard_sql(model, start, files)).fetchone()
    except duckdb.Error:
        return False
    return bool(row and row[0] is True)
