"""Carrying out an incremental build's plan (pipelines/build/incremental.py): each changed model
rebuilt in full or only in its changed years, schools or files (its rows deleted and inserted
again from its SQL, narrowed to the change where it declares how), and what the publish then
replaces in each mart.
"""

from __future__ import annotations

import time

import duckdb

from pipelines.build.incremental import Change, Plan, earliest_year
from pipelines.build.models import Model
from pipelines.build.narrow_inputs import narrowed_body
from pipelines.build.predicates import areas_sql, schools_sql


class ModelFailed(Exception):
    def __init__(self, model: str, error: duckdb.Error) -> None:
        self.model, self.error = model, error
        super().__init__(f"{model}: {error}")


def run_plan(
    con: duckdb.DuckDBPyConnection, models: list[Model], plan: Plan
) -> list[tuple[str, float]]:
    """Apply an incremental plan to the writer's models: (model: years, seconds) per model
    rebuilt. Raises ModelFailed."""
    done = []
    for model in models:
        started = time.perf_counter()
        try:
            label = _apply(con, model, plan)
        except duckdb.Error as exc:
            raise ModelFailed(model.qualified_name, exc) from exc
        if label:
            done.append((f"{model.qualified_name} [{label}]", time.perf_counter() - started))
    return done


def _apply(con: duckdb.DuckDBPyConnection, model: Model, plan: Plan) -> str:
    """Rebuild one model as the plan says; what was rebuilt ("" for nothing)."""
    change = plan.changes.get(model.qualified_name)
    if change is None:
        return ""
    if model.materialized == "view":  # same SQL (the fingerprint says so): nothing to rebuild
        if change.whole or model.incremental is None or model.schema != "marts":
            return ""
        staged = f'temp.main."staged__{model.name}"'
        con.execute(
            f"create or replace temp table {staged[len('temp.main.') :]} as "
            f"select * from {model.qualified_name} "
            f"where {change.predicate(model.incremental, model.narrow)}"
        )
        plan.staged[model.qualified_name] = staged
        return f"{change.describe()}, staged"
    if change.whole or model.incremental is None:
        con.execute(model.create_statement())
        return "all"
    where = change.predicate(model.incremental, model.narrow)
    body = (
        narrowed_body(model, _placeholders(change, model.incremental))
        if model.narrow_inputs
        else model.body.strip().rstrip(";")
    )
    rows = f"select * from (\n{body}\n) as rebuilt where {where}"
    if model.schema == "marts":  # published: its rows kept for the publish (Plan.rebuilt)
        kept = f'temp.main."rebuilt__{model.name}"'
        con.execute(f'create or replace temp table "rebuilt__{model.name}" as {rows}')
        plan.rebuilt[model.qualified_name] = kept
        rows = f"select * from {kept}"
    con.execute(f"delete from {model.qualified_name} where {where}")
    con.execute(f"insert into {model.qualified_name} by name {rows}")
    return change.describe()


def _placeholders(change: Change, partition: str) -> dict[str, str | None]:
    """What a model's `-- narrow input:` lines may name (pipelines/build/narrow_inputs.py): the
    change's areas, schools, years (as the model's partition selects them) and earliest year;
    None for what this change does not have."""
    start = earliest_year(change) if partition != "file_id" else None
    return {
        "areas": f"({areas_sql(change.areas)})" if change.areas is not None else None,
        "schools": f"({schools_sql(change.schools)})" if change.schools is not None else None,
        "years": f"({change._years(partition)})" if start is not None else None,
        "start": str(int(start)) if start is not None else None,
    }


def publish_plan(models: list[Model], plan: Plan, schema: str = "marts") -> dict[str, str | None]:
    """For each changed relation of `schema`: the predicate of the rows to replace, or None for
    the whole relation (what pipelines.warehouse.publish_snapshot_changes takes)."""
    out: dict[str, str | None] = {}
    for model in models:
        if model.schema != schema:
            continue
        change = plan.changes.get(model.qualified_name)
        if change is None:
            continue
        if change.whole or model.incremental is None:
            out[model.name] = None
        else:
            out[model.name] = change.predicate(model.incremental, model.narrow)
    return out
