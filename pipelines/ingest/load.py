"""Loading one file: one transaction, the archive copy, the ingest-log row and the quarantine.

Order of work for a file: hash the bytes (same bytes already loaded -> duplicate); read it (a file
that cannot be read is rejected before anything is written); then, in ONE transaction: stage the
rows, check every rule, insert good rows into raw.<kind> and broken ones' reasons into
raw.quarantine, write the archive copy (atomically, named by SHA-256, before the commit so the log
never points to a missing file; a leftover copy without a log row is harmless and reused), write
the ingest-log row, commit. Any error rolls the transaction back and the file is rejected.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.i18n import both, t
from pipelines.ingest.headers import header_label
from pipelines.ingest.links import with_loop_column
from pipelines.ingest.reading import FileRejected, ParsedFile, parse_file
from pipelines.ingest.skills import insert_sql as skill_insert_sql
from pipelines.ingest.staging import SchoolRegistry, typed_frame
from pipelines.ingest.validate import (
    quarantine_sql,
    rule_any_sql,
    rule_hits_sql,
    rules_for,
    today_in_japan,
)
from pipelines.warehouse import archive_dir

STEPS = ("read", "check", "load", "commit")
QUARANTINE_ROWS_KEPT = 1000  # per file, for display; raw.quarantine holds them all


@dataclass(frozen=True)
class IngestSource:
    """A file's name and bytes, e.g. an upload from the dashboard."""

    name: str
    data: bytes
    source_path: str | None = None


@dataclass(frozen=True)
class QuarantineRow:
    row: int
    column: str | None
    value: str | None
    rule: str
    reason_ja: str
    reason_en: str

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason_ja


@dataclass
class FileResult:
    path: str
    kind: str | None
    status: str  # loaded | rejected | duplicate
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason_ja: str | None = None
    reason_en: str | None = None
    file_id: int | None = None
    rows_warned: int = 0
    quarantine: list[QuarantineRow] = field(default_factory=list)

    def quarantine_rows(self) -> list[QuarantineRow]:
        """The file's quarantined rows (first QUARANTINE_ROWS_KEPT), by row then rule."""
        return list(self.quarantine)

    def reason(self, lang: str) -> str | None:
        return self.reason_en if lang == "en" else self.reason_ja


@dataclass(frozen=True)
class ProgressEvent:
    file_index: int  # 0-based
    file_count: int
    name: str
    step: str  # one of STEPS
    step_index: int
    size_bytes: int


Progress = Callable[[ProgressEvent], None]


def _now() -> datetime:
    return datetime.now()


def _rejection_reason(exc: FileRejected) -> tuple[str, str]:
    """The file-level reason in both languages; kinds and missing columns named per language."""

    def text(lang: str) -> str:
        values = dict(exc.values)
        if "kind" in values:
            values["kind"] = t(f"ingest.kind_{values['kind']}", lang)
        joiner = ", " if lang == "en" else "、"
        if "missing" in values:
            values["missing"] = joiner.join(header_label(f, lang) for f in values["missing"])
        if "duplicates" in values:
            values["duplicates"] = joiner.join(str(c) for c in values["duplicates"])
        return t(f"ingest.reject_{exc.key}", lang, **values)

    return text("ja"), text("en")


def _log(
    con: duckdb.DuckDBPyConnection,
    result: FileResult,
    *,
    sha: str,
    source: IngestSource,
    archive_path: str | None,
    started: datetime,
    user: str,
) -> None:
    con.execute(
        "insert into raw.ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.file_id,
            sha,
            source.name,
            source.source_path,
            archive_path,
            result.kind,
            result.status,
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            result.reason_ja,
            result.reason_en,
            started,
            _now(),
            user,
        ],
    )


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open. A failed commit (out of memory, disk full) has
    already ended it, and rolling back again would raise "no transaction is active" over the
    first error."""
    try:
        con.rollback()
    except duckdb.Error:
        pass


def _log_alone(con: duckdb.DuckDBPyConnection, result: FileResult, **kwargs) -> FileResult:
    """Record a rejected or duplicate file in its own small transaction."""
    con.begin()
    try:
        result.file_id = con.execute("select nextval('raw.file_seq')").fetchall()[0][0]
        _log(con, result, **kwargs)
        con.commit()
    except Exception:
        rollback_quietly(con)
        raise
    return result


def write_archive(folder: Path, sha: str, name: str, data: bytes) -> str:
    """Store the bytes under their SHA-256 (atomic rename); return the path relative to folder."""
    # Only letters and digits of the extension: a name is the sender's, the path is ours.
    letters = re.sub(r"[^a-z0-9]", "", Path(name).suffix.lower())[:7]
    suffix = f".{letters}" if letters else ""
    relative = f"{sha[:2]}/{sha}{suffix}"
    target = folder / relative
    if target.exists() and target.stat().st_size == len(data):
        return relative  # same content address: a leftover from an interrupted ingest, or a copy
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    with open(partial, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, target)
    return relative


def _insert_sql(parsed: ParsedFile, file_id: int, good: str) -> list[str]:
    """Inserts of the good rows (`good`: the FROM clause that yields them) into raw.<kind>."""
    cols = set(parsed.frame.columns)

    def opt(column: str, sql: str | None = None) -> str:
        return (sql or column) if column in cols else "null"

    if parsed.kind == "schools":
        return [
            f"insert into raw.schools select {file_id}, row_number, code, f_school_name, "
            f"municipality5, {opt('f_municipality_name')}, {opt('f_hub_code')}, "
            f"{opt('f_hub_name')}, {opt('f_enrolment', 'cast(enrolment_n as integer)')} {good}"
        ]
    if parsed.kind == "returns":
        positions = sorted(parsed.header.benchmarks)
        long_scores = (
            f"select row_number, framework_version, unnest({positions}) as position, "
            f"unnest([{', '.join(f'score{p}' for p in positions)}]) as score {good}"
        )
        return [
            f"insert into raw.returns select {file_id}, row_number, code, year, term_n, "
            f"submitted, framework_version {good}",
            f"insert into raw.return_scores select {file_id}, s.row_number, fb.benchmark_id, "
            f"s.score from ({long_scores}) s join framework_benchmark fb "
            "on fb.version = s.framework_version and fb.position = s.position "
            "where s.score is not null order by s.row_number, s.position",
        ]
    if parsed.kind == "criteria":
        # Rows with the same school, year, term, submission date (and framework) form one
        # return, numbered by its last row: a later row of the same key comes after it.
        return_key = "code, year, term_n, submitted, framework_version"
        return [
            f"insert into raw.returns select {file_id}, max(row_number), code, year, term_n, "
            f"submitted, framework_version {good} group by {return_key} order by 2",
            f"insert into raw.criterion_answers select {file_id}, row_number, "
            f"max(row_number) over (partition by {return_key}), criterion_id, f_answer, "
            f"answer_score {good} order by row_number",
        ]
    if parsed.kind == "skills":
        return skill_insert_sql(parsed, file_id, good)
    if parsed.kind == "activities":
        return [
            f"insert into raw.activities select {file_id}, row_number, code, f_student_ref, "
            "grade_n, activity_code, activity_day, "
            "year(activity_day) - case when month(activity_day) < 4 then 1 else 0 end, "
            f"{opt('f_hours', 'hours_n')}, {opt('f_provider')}, "
            f"{opt('f_prepared', 'prepared_b')}, {opt('f_reflected', 'reflected_b')} {good}"
        ]
    if parsed.kind == "links":
        return [
            f"insert into raw.student_links select {file_id}, row_number, from_code, "
            f"f_from_student_ref, to_code, f_to_student_ref, linked_day {good}"
        ]
    return [
        f"insert into raw.roster select {file_id}, row_number, code, year, f_student_ref, "
        f"grade_n {good}"
    ]


def _load_rows(
    con: duckdb.DuckDBPyConnection,
    parsed: ParsedFile,
    typed: pl.DataFrame,
    file_id: int,
    scoped: bool,
) -> tuple[int, int, list[QuarantineRow]]:
    """Check and insert the typed rows; returns (rows quarantined, rows warned, first rows).

    A clean file (the usual case) costs one counting pass over the rows and the inserts; only a
    file with broken rows gets the per-rule lists and the reasons' (large) SQL.
    """
    rules = rules_for(parsed, allowed=scoped, today=today_in_japan())
    if parsed.kind == "links":  # a loop depends on the links already loaded: see links.py
        typed = with_loop_column(con, typed, rules)
    con.register("typed", typed)
    try:
        any_error = rule_any_sql(rules, warn=False)
        any_warning = rule_any_sql(rules, warn=True)
        quarantined, warned = con.execute(
            f"select count(*) filter (where {any_error}), "
            f"count(*) filter (where not {any_error} and {any_warning}) from typed"
        ).fetchall()[0]
        shown: list[tuple] = []
        good = "from typed"
        if quarantined or warned:
            shown = _quarantine(con, parsed, rules, file_id)
            good = "from norm where len(errors) = 0"
        for sql in _insert_sql(parsed, file_id, good):
            con.execute(sql)
    finally:
        con.unregister("typed")
    return quarantined, warned, [QuarantineRow(*r) for r in shown]


def _quarantine(
    con: duckdb.DuckDBPyConnection, parsed: ParsedFile, rules: list, file_id: int
) -> list[tuple]:
    """Write the broken rows' reasons (and loaded rows' warnings); return the first few."""
    con.execute(f"create or replace temp table norm as select *, {rule_hits_sql(rules)} from typed")
    q = quarantine_sql(rules, parsed.headers_as_written)
    con.execute(f"create or replace temp table q as {q}")
    con.execute(
        f"insert into raw.quarantine select {file_id}, row_number, column_name, value, "
        "rule, reason_ja, reason_en from q where not warn"
    )
    # A warning is only worth keeping on a row that was loaded.
    con.execute(
        f"insert into raw.row_warnings select {file_id}, row_number, column_name, value, "
        "rule, reason_ja, reason_en from q where warn and not row_rejected"
    )
    return con.execute(
        "select row_number, column_name, value, rule, reason_ja, reason_en from q "
        f"where not warn order by row_number, rule limit {QUARANTINE_ROWS_KEPT}"
    ).fetchall()


def ingest_one(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    source: IngestSource,
    *,
    kind: str | None,
    user: str,
    allowed_schools: set[str] | None,
    registry: SchoolRegistry,
    step: Callable[[str], None],
) -> FileResult:
    """Ingest one file; never raises for bad input (the file is rejected with a reason)."""
    started = _now()
    data = source.data
    sha = hashlib.sha256(data).hexdigest()
    shown_path = source.source_path or source.name
    step("read")
    earlier = con.execute(
        "select file_id, original_name, archive_path, kind from raw.ingest_log "
        "where sha256 = ? and status = 'loaded' order by file_id limit 1",
        [sha],
    ).fetchall()
    earlier = earlier[0] if earlier else None
    log_args = {"sha": sha, "source": source, "started": started, "user": user}
    if earlier:
        ja, en = both("ingest.duplicate", file_id=earlier[0], name=earlier[1])
        result = FileResult(shown_path, earlier[3], "duplicate", reason_ja=ja, reason_en=en)
        return _log_alone(con, result, archive_path=earlier[2], **log_args)
    try:
        parsed = parse_file(source.name, data, kind)
        step("check")
        typed = typed_frame(
            parsed,
            known_schools=None if parsed.kind == "schools" else registry.codes(),
            scope=allowed_schools,
        )
    except FileRejected as exc:
        ja, en = _rejection_reason(exc)
        result = FileResult(shown_path, kind, "rejected", reason_ja=ja, reason_en=en)
        return _log_alone(con, result, archive_path=None, **log_args)
    except Exception as exc:  # a damaged file the readers choke on: reject, never a traceback
        ja, en = both("ingest.reject_unreadable", detail=type(exc).__name__)
        result = FileResult(shown_path, kind, "rejected", reason_ja=ja, reason_en=en)
        return _log_alone(con, result, archive_path=None, **log_args)

    con.begin()
    try:
        file_id = con.execute("select nextval('raw.file_seq')").fetchall()[0][0]
        step("load")
        scoped = allowed_schools is not None
        quarantined, warned, shown = _load_rows(con, parsed, typed, file_id, scoped)
        relative = write_archive(archive_dir(db_path), sha, source.name, data)
        result = FileResult(
            shown_path,
            parsed.kind,
            "loaded",
            rows_read=parsed.rows_read,
            rows_loaded=parsed.rows_read - quarantined,
            rows_quarantined=quarantined,
            file_id=file_id,
            rows_warned=warned,
            quarantine=shown,
        )
        _log(con, result, archive_path=relative, **log_args)
        step("commit")
        con.commit()
        if parsed.kind == "schools":
            registry.changed()
        return result
    except Exception as exc:
        rollback_quietly(con)
        ja, en = both("ingest.reject_load_failed", detail=f"{type(exc).__name__}: {exc}"[:300])
        result = FileResult(
            shown_path,
            parsed.kind,
            "rejected",
            rows_read=parsed.rows_read,
            reason_ja=ja,
            reason_en=en,
        )
        result.rows_read = 0  # nothing of it was kept
        return _log_alone(con, result, archive_path=None, **log_args)
