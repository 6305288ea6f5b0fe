"""The audits an incremental build runs (pipelines/build/incremental.py): only over what changed.

The rest passed the last build's audits; a full build runs every audit (pipelines/build/audits.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.build.incremental import Plan
from pipelines.build.keys import ModelKey
from pipelines.build.models import declared_incremental, declared_narrow

_MODEL_REFERENCE = re.compile(r"\b(staging|intermediate|marts)\.([a-z_][a-z0-9_]*)\b", re.I)


def audit_queries(plan: Plan, keys: list[ModelKey], audits: list[Path]) -> list[tuple[str, str]]:
    """(name, SQL) of the audits an incremental build must run: a rule in sql/audits/ only when
    a model it reads changed (and, when it declares `-- Incremental: academic_year`, only over
    the changed years); a model's key audit only when the model changed, and then only
    over the changed years or files when its key fixes the partition (holds its column, or names
    a raw row: a duplicate key cannot span two years then; the unchanged years passed the last
    build's audit), and within those only over the changed schools or areas when the model is
    narrowed to them and its key holds the school or the area (two rows with one key are then
    of one school or area: both changed, or neither)."""
    queries = []
    for path in audits:
        text = path.read_text(encoding="utf-8")
        read = {f"{s.lower()}.{n.lower()}" for s, n in _MODEL_REFERENCE.findall(text)}
        changed = [plan.changes[name] for name in sorted(read) if name in plan.changes]
        if not changed:
            continue
        merged = changed[0]
        for other in changed[1:]:
            merged = merged.merge(other)
        if declared_incremental(text) == "academic_year" and not merged.whole:
            # Its bad rows of a year come from that year's rows: check the changed years only;
            # and with `-- Narrow: school_code` (a school's bad rows come from its own rows) only
            # the changed schools' rows, when every changed model it reads was rebuilt for some
            # schools only (a model rebuilt for every school has no `schools`: nor has `merged`).
            narrow = declared_narrow(text)
            body = text.strip().rstrip(";")
            where = merged.predicate("academic_year", narrow)
            text = f"select * from (\n{body}\n) as audited where {where}"
        queries.append((path.stem, text))
    for key in keys:
        change = plan.changes.get(key.model)
        if change is None or not key.columns:
            continue
        sql = key.audit_sql()
        partition = _partition_of(key.model, plan)
        if not change.whole and partition and _key_fixes_partition(key.columns, partition):
            columns = ", ".join(key.columns)
            # A published view's changed rows are in a temp table already (Plan.staged); so
            # are a published table's (Plan.rebuilt), which are its rows of the change's
            # predicate, the rows to check while the key keeps the narrowing.
            declared = plan.narrows.get(key.model)
            kept = declared is None or _key_fixes_narrowing(key.columns, declared)
            narrow = declared if kept else None
            rebuilt = plan.rebuilt.get(key.model) if kept else None
            source = plan.staged.get(key.model) or rebuilt
            rows = source or f"{key.model} where {change.predicate(partition, narrow)}"
            sql = (
                f"select {columns}, count(*) as rows_with_this_key from {rows} "
                f"group by {columns} having count(*) > 1"
            )
        queries.append((key.audit_name, sql))
    return queries


def _key_fixes_partition(columns: tuple[str, ...] | list[str], partition: str) -> bool:
    """True when two rows with the same key are always in the same partition: the key holds
    the partition column, or names one raw row (file_id, row_number), whose year and file are
    that row's (return_history, int_returns_ranked: the returns' rows)."""
    return _partition_column(partition) in columns or {"file_id", "row_number"} <= set(columns)


def _key_fixes_narrowing(columns: tuple[str, ...] | list[str], narrow: str) -> bool:
    """True when two rows with the same key are always of the same school (or area), so a
    model narrowed to some schools (areas) need its key checked only over their rows."""
    needed = {"school_code": {"school_code"}, "area": {"area_level", "area_code"}}[narrow]
    return needed <= set(columns)


def _partition_column(partition: str) -> str:
    return "file_id" if partition == "file_id" else "academic_year"


def _partition_of(model: str, plan: Plan) -> str | None:
    return plan.partitions.get(model)
