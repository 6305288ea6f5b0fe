"""A file's rows, chunk by chunk, inside the file's one transaction: rules, quarantine, inserts.

`FileLoad` carries what the chunks of one file share, so a file cut into chunks loads exactly
what it loads whole: the counts, the first quarantined rows shown, the loop check of student
links (the links in effect plus the file's earlier good rows, see `links`), and a criteria
file's good rows, which are grouped into returns only once every chunk is in (rows of one
return may lie in different chunks). Every other rule looks at one row at a time.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pyarrow as pa

from pipelines.ingest.links import LoopState, with_loop_column
from pipelines.ingest.normalise import sql_str
from pipelines.ingest.reading import ParsedFile
from pipelines.ingest.rule_screen import broken_rows
from pipelines.ingest.rule_sql import quarantine_sql, rule_any_sql, rule_hits_sql
from pipelines.ingest.skills import insert_sql as skill_insert_sql
from pipelines.ingest.staging import with_code_names
from pipelines.ingest.validate import rules_for, today_in_japan
from pipelines.settings import frameworks

QUARANTINE_ROWS_KEPT = 1000  # per file, for display; raw.quarantine holds them all

# A criteria file's good rows, kept until its last chunk (see FileLoad.finish).
_CRITERIA_COLUMNS = (
    "row_number, code, year, term_n, submitted, framework_version, criterion_id, f_answer, "
    "answer_score"
)


def insert_sql(parsed: ParsedFile, file_id: int, good: str) -> list[str]:
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
        return [
            f"insert into raw.returns select {file_id}, row_number, code, year, term_n, "
            f"submitted, framework_version {good}",
            _return_scores_sql(sorted(parsed.header.benchmarks), file_id, good),
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


def _return_scores_sql(positions: list[int], file_id: int, good: str) -> str:
    """raw.return_scores: one row per score given, its benchmark found by the row's framework
    version and the column's position (none past the version's benchmarks). One select per
    score column, put together by UNION ALL: a sixth quicker than unnesting a list of the
    row's scores (no list is built), and the order rows are stored in is not kept anyway
    (api._bound_memory)."""
    parts = []
    for p in positions:
        benchmark = " ".join(
            f"when {sql_str(f.version)} then {sql_str(ids[p]) if p in ids else 'null'}"
            for f in frameworks()
            for ids in [{b.position: b.id for b in f.benchmarks}]
        )
        parts.append(
            f"select row_number, case framework_version {benchmark} end as benchmark_id, score "
            f"from (select row_number, framework_version, score{p} as score {good}) "
            "where score is not null"
        )
    return (
        f"insert into raw.return_scores select {file_id}, row_number, benchmark_id, score "
        f"from ({' union all '.join(parts)}) where benchmark_id is not null"
    )


def _screened(
    con: duckdb.DuckDBPyConnection,
    parsed: ParsedFile,
    rules: list,
    frame: pl.DataFrame,
    rows: pa.Table,
) -> int | None:
    """0 when no row of a chunk breaks an error rule (rule_screen.broken_rows: polars, and
    DuckDB on `con` for the rules polars does not read), else a positive number; None for a
    chunk `add` checks itself: links (their loop check reads the links loaded so far),
    criteria, and kinds with a rule that only warns. `frame` and `rows`: the chunk's typed
    rows, in polars and as Arrow."""
    if parsed.kind == "links" or not _checked_in_insert(parsed, rules):
        return None

    def count_in_duckdb(condition: str, rows: pa.Table = rows) -> int:
        # `rows` is read by name (replacement scan): a local of this frame.
        return con.execute(f"select count(*) from rows where {condition}").fetchall()[0][0]

    return broken_rows(frame, rules, count_in_duckdb)


def _checked_in_insert(parsed: ParsedFile, rules: list) -> bool:
    """A kind with no warning rules and one raw row per good row (not criteria, whose rows
    are grouped into returns): its rules are checked inside its first insert, or counted
    beforehand, never both (FileLoad._insert_checked, FileLoad.prechecked)."""
    return parsed.kind != "criteria" and not any(r.warn for r in rules)


class FileLoad:
    """One file's chunks, loaded in order inside its transaction (see the module's docstring)."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, file_id: int, scoped: bool, batch=None
    ) -> None:
        """`batch`: the batch's staging.SchoolRegistry, whose `loops` (the links in effect) is
        read once per batch and carried from file to file; None: read for this file."""
        self.con = con
        self.batch = batch
        self.file_id = file_id
        self.scoped = scoped
        self.rows_read = 0
        self.quarantined = 0
        self.warned = 0
        self.shown: list[tuple] = []
        self.loops: LoopState | None = None
        self.last: ParsedFile | None = None  # the latest chunk with rows (its kind, header)
        self.today = today_in_japan()  # one day for the whole file, even across midnight

    def rules(self, parsed: ParsedFile) -> list:
        return rules_for(parsed, allowed=self.scoped, today=self.today)

    def prechecked(
        self, cursor: duckdb.DuckDBPyConnection, parsed: ParsedFile, typed: pl.DataFrame
    ) -> tuple[ParsedFile, pl.DataFrame | pa.Table, int | None]:
        """What `add` takes, made in the reader thread beside the load (ahead.read_ahead):
        the chunk's typed rows as Arrow, and whether any of them breaks an error rule (0: none;
        see rule_screen.broken_rows: polars, and `cursor`, the reader thread's own connection,
        for the rules polars does not read; nothing of the warehouse is read). `add` then
        inserts a clean chunk without checking its rows again on the load's thread. The count
        is None where `add` counts for itself: links (their loop check reads the links loaded
        so far), criteria, and kinds with a rule that only warns."""
        if parsed.kind == "links" or typed.height == 0:
            return parsed, typed, None
        rows = typed.to_arrow(compat_level=pl.CompatLevel.newest())
        return parsed, rows, _screened(cursor, parsed, self.rules(parsed), typed, rows)

    def add(
        self, parsed: ParsedFile, typed: pl.DataFrame | pa.Table, broken: int | None = None
    ) -> None:
        """Check and insert one chunk's typed rows. A clean chunk (the usual case) costs the
        inserts once it is told clean (`broken` 0: by `prechecked` beside the load, or here by
        _screened for a file's first chunk) or, for criteria or when a rule only warns, one
        counting pass and the inserts; only one with broken rows gets the per-rule lists and
        the reasons' (large) SQL."""
        height = typed.height if isinstance(typed, pl.DataFrame) else typed.num_rows
        if height == 0:
            return
        con = self.con
        self.rows_read += height
        self.last = parsed
        rules = self.rules(parsed)
        if parsed.kind == "links":  # a loop depends on the links already loaded: see links.py
            if self.loops is None:
                if self.batch is None:
                    self.loops = LoopState(con)
                else:
                    if self.batch.loops is None:
                        self.batch.loops = LoopState(con)
                    self.loops = self.batch.loops
            typed = with_loop_column(con, typed, rules, self.loops)
        # `typed` is read by DuckDB's replacement scan of this frame's local variable, never
        # registered: a view registered (and dropped) inside the file's transaction would keep
        # every chunk's frame alive until the commit. Arrow once, not once per statement.
        if isinstance(typed, pl.DataFrame):
            frame, typed = typed, typed.to_arrow(compat_level=pl.CompatLevel.newest())
            if broken is None:  # a file's first chunk (or only one), told as the later ones are
                broken = _screened(con, parsed, rules, frame, typed)
            del frame
        if broken == 0:  # counted clean beside the load: every row goes in, unchecked again
            for sql in insert_sql(parsed, self.file_id, "from typed"):
                con.execute(sql)
            return
        any_error = rule_any_sql(rules, warn=False)
        if _checked_in_insert(parsed, rules):
            self._insert_checked(parsed, rules, typed, height, any_error)
            return
        any_warning = rule_any_sql(rules, warn=True)
        quarantined, warned = con.execute(
            f"select count(*) filter (where {any_error}), "
            f"count(*) filter (where not {any_error} and {any_warning}) from typed"
        ).fetchall()[0]
        good = "from typed"
        if quarantined or warned:
            shown = _quarantine(con, parsed, rules, self.file_id, typed)
            self.shown += shown[: QUARANTINE_ROWS_KEPT - len(self.shown)]
            good = "from norm where len(errors) = 0"
        if parsed.kind == "criteria":
            first = self.rows_read == height
            verb = (
                "create or replace temp table criteria_good as"
                if first
                else ("insert into criteria_good")
            )
            con.execute(f"{verb} select {_CRITERIA_COLUMNS} {good}")
        else:
            for sql in insert_sql(parsed, self.file_id, good):
                con.execute(sql)
        self.quarantined += quarantined
        self.warned += warned

    def _insert_checked(
        self, parsed: ParsedFile, rules: list, typed: object, height: int, any_error: str
    ) -> None:
        """A kind with no warning rules and one row of raw.<kind> per good row, for a chunk
        with broken rows (or of student links, whose loop column the screen does not read):
        the rules are checked inside the first insert (its WHERE keeps the rows breaking
        none), whose row count tells how many broke one; only if some did does the chunk get
        the per-rule lists and the reasons' SQL."""
        # `typed` is read by name (replacement scan) in the SQL below and in _quarantine.
        statements = insert_sql(parsed, self.file_id, f"from typed where not {any_error}")
        inserted = self.con.execute(statements[0]).fetchall()[0][0]
        quarantined = height - inserted
        if not quarantined:
            # Every row passed (the usual chunk): the other tables' inserts (a return's scores,
            # an assessment's steps) take every row without checking the rules a second time.
            statements = insert_sql(parsed, self.file_id, "from typed")
        for sql in statements[1:]:
            self.con.execute(sql)
        if quarantined:
            shown = _quarantine(self.con, parsed, rules, self.file_id, typed)
            self.shown += shown[: QUARANTINE_ROWS_KEPT - len(self.shown)]
        self.quarantined += quarantined

    def finish(self) -> None:
        """What waits for the last chunk: a criteria file's returns and answers."""
        if self.last is not None and self.last.kind == "criteria":
            for sql in insert_sql(self.last, self.file_id, "from criteria_good"):
                self.con.execute(sql)
            self.con.execute("drop table criteria_good")


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    parsed: ParsedFile,
    rules: list,
    file_id: int,
    typed: object,  # read by name (replacement scan) in the SQL below
) -> list[tuple]:
    """Write the broken rows' reasons (and loaded rows' warnings); return the first few."""
    typed = with_code_names(typed)  # what the reasons show of a school code; read by name
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
