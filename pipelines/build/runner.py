"""`build_warehouse`: reference tables, every model, every audit in one transaction; then publish.

A broken model or a failed audit rolls the transaction back: the writer DB keeps the previous
marts and readers keep the previous snapshot. Publishing comes after the commit (DuckDB writes
one database per transaction); if it fails, readers still see the previous snapshot, whole.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import click
import duckdb

from pipelines.audit import import_spool as import_audit_spool
from pipelines.build.audits import (
    SAMPLE_ROWS,
    AuditResult,
    audit_description,
    discover_audits,
    format_bad_rows,
    run_audits,
    run_query_audit,
)
from pipelines.build.build_state import fingerprint, write_state
from pipelines.build.incremental import Plan, plan_build
from pipelines.build.incremental_audits import audit_queries
from pipelines.build.incremental_run import ModelFailed, publish_plan, run_plan
from pipelines.build.keys import KeyHeaderError, model_keys
from pipelines.build.models import (
    MODEL_SCHEMAS,
    SQL_DIR,
    Model,
    ModelGraphError,
    discover_models,
    order_models,
)
from pipelines.build.reference_tables import load_reference_tables
from pipelines.i18n import both, t
from pipelines.publish_parquet import REPLICA_AUDIT_DIR, publish_parquet
from pipelines.settings import settings
from pipelines.snapshot_files import MANIFEST_SUFFIX, manifest_path
from pipelines.warehouse import (
    connect_writer,
    current_snapshot,
    open_snapshot,
    publish_snapshot,
    publish_snapshot_changes,
    remove_build_leftovers,
    snapshot_dir,
    writer_lock,
)


class BuildError(Exception):
    """A build that did not publish; carries the reason in Japanese and English."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        self.message_ja, self.message_en = both(f"build.{key}", **values)
        super().__init__(self.message_en)

    def message(self, lang: str) -> str:
        return self.message_ja if lang == "ja" else self.message_en


@dataclass(frozen=True)
class BuildResult:
    version: str
    models: int
    audits: tuple[AuditResult, ...]
    seconds: float  # the whole build: lock, models, audits and publish
    model_seconds: tuple[tuple[str, float], ...] = ()  # (schema.name, seconds), build order
    audit_seconds: float = 0.0
    publish_seconds: float = 0.0
    parquet_seconds: float = 0.0  # writing the shared Parquet copy; 0 when not asked for
    full: bool = True  # False: only what new files touched (pipelines.build.incremental)
    reason: str = ""  # why full, or "incremental"
    published_whole: bool = True  # False: only the changed marts' files written, others reused
    publish_steps: tuple[tuple[str, float], ...] = ()  # (relation | manifest, seconds)
    audit_steps: tuple[tuple[str, float], ...] = ()  # (audit, seconds), incremental builds


def new_version() -> str:
    # Same shape publish_snapshot uses on its own, so snapshot files still sort by time.
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def run_models(con: duckdb.DuckDBPyConnection, models: list[Model]) -> list[tuple[str, float]]:
    """Create every model in order, on the caller's open transaction; seconds per model."""
    for schema in MODEL_SCHEMAS:
        # Dropped and recreated so a deleted model file leaves no stale table to publish.
        con.execute(f"drop schema if exists {schema} cascade")
        con.execute(f"create schema {schema}")
    timings = []
    for model in models:
        started = time.perf_counter()
        try:
            con.execute(model.create_statement())
        except duckdb.Error as exc:
            raise BuildError(
                "model_failed", model=model.qualified_name, error=first_line(exc)
            ) from exc
        timings.append((model.qualified_name, time.perf_counter() - started))
    return timings


def _fail_on_audits(results: list[AuditResult], lang: str) -> None:
    failed = [r for r in results if not r.passed]
    if not failed:
        return
    first = failed[0]
    raise BuildError(
        "audit_failed",
        audit=first.name,
        count=first.bad_rows,
        description=audit_description(first.name, lang),
        shown=SAMPLE_ROWS,
        rows=format_bad_rows(first),
    )


def build_in_transaction(
    con: duckdb.DuckDBPyConnection,
    *,
    version: str,
    build_date: date | None = None,
    sql_dir: Path = SQL_DIR,
    lang: str = "ja",
    full: bool = True,
    audit_steps: list[tuple[str, float]] | None = None,
) -> tuple[list[tuple[str, float]], list[AuditResult], float, Plan]:
    """Reference tables, models and audits in one transaction; commit only if all audits pass.

    With `full=False`, only what files ingested since the last build touched is rebuilt when
    that is safe (pipelines.build.incremental decides; else everything is).
    Returns (seconds per model, audit results, audit seconds, the plan followed); an
    incremental build's seconds per audit go into `audit_steps`.
    """
    audit_steps = audit_steps if audit_steps is not None else []
    try:
        models = order_models(discover_models(sql_dir))
        keys = model_keys(models)
    except ModelGraphError as exc:
        raise BuildError("models_unorderable", error=str(exc)) from exc
    except KeyHeaderError as exc:
        raise BuildError("model_key_unreadable", error=str(exc)) from exc
    build_date = build_date or datetime.now(UTC).date()
    print_ = fingerprint(sql_dir)
    con.execute("begin transaction")
    try:
        plan = plan_build(con, models, print_=print_, build_date=build_date, full=full)
        load_reference_tables(con, build_date=build_date, version=version)
        if plan.full:
            timings = run_models(con, models)
        else:
            try:
                timings = run_plan(con, models, plan)
            except ModelFailed as exc:
                raise BuildError(
                    "model_failed", model=exc.model, error=first_line(exc.error)
                ) from exc
        write_state(con, version, plan, print_, build_date)
        audit_started = time.perf_counter()
        if plan.full:
            results = run_audits(con, sql_dir, keys)
        else:  # only what this build changed: the rest passed the last build's audits
            results = []
            for name, sql in audit_queries(plan, keys, discover_audits(sql_dir)):
                started = time.perf_counter()
                results.append(run_query_audit(con, name, sql))
                audit_steps.append((name, time.perf_counter() - started))
        audit_seconds = time.perf_counter() - audit_started
        _fail_on_audits(results, lang)
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return timings, results, audit_seconds, plan


def build_warehouse(
    db_path: Path,
    *,
    lang: str = "ja",
    build_date: date | None = None,
    on_wait: Callable[[], None] | None = None,
    sql_dir: Path = SQL_DIR,
    parquet_dir: Path | None = None,
    full: bool = False,
) -> BuildResult:
    """Build the marts from raw.* in `db_path`, audit them and publish a snapshot for readers.

    Raises BuildError (bilingual message) when a model breaks or an audit finds bad rows; then
    nothing changes. `build_date` (default today) is the "now" of the stale-data support flag.
    With `parquet_dir`, the published snapshot is also written there as Parquet for replicas on
    other machines (pipelines.publish_parquet); a failure there raises BuildError and leaves
    the shared folder's previous version current. Unless `full`, rebuilds and publishes only
    what the files ingested since the last build touched, when that is safe
    (pipelines.build.incremental); the marts are the same either way.
    """
    started = time.perf_counter()

    def say_waiting() -> None:
        click.echo(t("build.waiting_for_writer", lang), err=True)

    with writer_lock(db_path, on_wait=on_wait or say_waiting):
        # Under the lock no other build runs: a .partial snapshot is a killed build's.
        remove_build_leftovers(db_path)
        con = connect_writer(db_path)
        # No model relies on row order; dropping it lets DuckDB write tables in parallel.
        con.execute("set preserve_insertion_order = false")
        try:
            # The dashboard's spooled audit events enter raw.audit_log under this lock.
            import_audit_spool(con, db_path)
            if parquet_dir is not None:  # events spooled by replicas into the shared folder
                import_audit_spool(con, db_path, folder=parquet_dir / REPLICA_AUDIT_DIR)
            version = new_version()
            audit_steps: list[tuple[str, float]] = []
            timings, results, audit_seconds, plan = build_in_transaction(
                con,
                version=version,
                build_date=build_date,
                sql_dir=sql_dir,
                lang=lang,
                full=full,
                audit_steps=audit_steps,
            )
            publish_started = time.perf_counter()
            keep = int(settings()["snapshots"]["keep"])
            try:
                steps: list[tuple[str, float]] = []
                published_whole = _publish(con, db_path, plan, sql_dir, version, keep, steps)
            except (duckdb.Error, OSError) as exc:
                # The marts are committed but readers keep the previous snapshot: still whole.
                raise BuildError("publish_failed", error=first_line(exc)) from exc
            publish_seconds = time.perf_counter() - publish_started
            parquet_seconds = 0.0
            if parquet_dir is not None:
                parquet_started = time.perf_counter()
                _publish_to_shared_folder(db_path, version, parquet_dir, keep)
                parquet_seconds = time.perf_counter() - parquet_started
        finally:
            con.close()
    return BuildResult(
        version=version,
        models=len(timings),
        audits=tuple(results),
        seconds=time.perf_counter() - started,
        model_seconds=tuple(timings),
        audit_seconds=audit_seconds,
        publish_seconds=publish_seconds,
        parquet_seconds=parquet_seconds,
        full=plan.full,
        reason=plan.reason,
        published_whole=published_whole,
        publish_steps=tuple(steps),
        audit_steps=tuple(audit_steps),
    )


def _publish(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    plan: Plan,
    sql_dir: Path,
    version: str,
    keep: int,
    steps: list[tuple[str, float]],
) -> bool:
    """Publish the marts; True when written whole, False when only the changed marts got new
    files and the others' files were reused (possible after an incremental build whose
    previous snapshot is still the current one)."""
    current = current_snapshot(db_path)
    if (
        plan.full
        or current is None
        or current[0] != plan.previous_version
        or not current[1].name.endswith(MANIFEST_SUFFIX)  # an older release's single file
    ):
        publish_snapshot(con, db_path, schemas=("marts",), keep=keep, version=version)
        return True
    models = order_models(discover_models(sql_dir))
    changes = publish_plan(models, plan)
    kept = {**plan.staged, **plan.rebuilt}  # each changed mart's rows, computed in the build
    sources = {name: kept[f"marts.{name}"] for name in changes if f"marts.{name}" in kept}
    publish_snapshot_changes(
        con, db_path, current[1], changes, version=version, keep=keep, steps=steps, sources=sources
    )
    return False


def _publish_to_shared_folder(db_path: Path, version: str, parquet_dir: Path, keep: int) -> None:
    """Copy the snapshot just published (not the writer's marts) so replicas read the same
    tables, meta.snapshot included."""
    try:
        snapshot = open_snapshot(manifest_path(snapshot_dir(db_path), version))
        try:
            publish_parquet(snapshot, parquet_dir, version, keep=keep)
        finally:
            snapshot.close()
    except (duckdb.Error, OSError) as exc:
        raise BuildError("parquet_failed", dir=parquet_dir, error=first_line(exc)) from exc
