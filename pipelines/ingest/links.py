"""Student links (生徒の引継ぎ): typed columns, row rules and loop detection.

A link joins a student at one school (from) to the same child at the next school (to). Both
ends' school codes are checked like any school code; the two ends must be different schools
(and so never the same student); the date must be a date, not in the future.

Replacement (a link replaces every earlier link with the same from- or to-student) is resolved
by the SQL models over the whole history (intermediate.int_student_links). A link that would
close a loop cannot be resolved there without guessing which link is wrong, so it is caught
here, at ingest, against the links in effect (after replacement) plus the earlier good rows of
the same file, and quarantined with a reason like any broken rule.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import polars as pl

from pipelines.ingest.reading import ParsedFile
from pipelines.ingest.rule_sql import Rule, rule_any_sql

ENDS = ("from", "to")
_CODE_COLUMNS = re.compile(r"\b(code|code_ok|check_expected|check_ok|code_known|in_scope)\b")
LOOP_STEPS_MAX = 10_000  # a journey is a handful of schools; this only bounds a damaged history


def typed_links(
    parsed: ParsedFile, *, known_schools: pl.Series | None, scope: set[str] | None
) -> pl.DataFrame:
    """The reader's columns plus, per end, the school code's details prefixed `from_`/`to_`
    (from_code, from_code_ok, from_code_known, ...) and linked_day."""
    from pipelines.ingest import staging as s

    frame = parsed.frame
    parts = [frame]
    for end in ENDS:
        details = s._mapped(frame[f"f_{end}_school_code"], s._school_code_details, s._CODE_FIELDS)
        membership = {
            name: codes
            for name, codes in (("code_known", known_schools), ("in_scope", scope))
            if codes is not None
        }
        if membership:
            details = pl.concat(
                [details, s._membership(details["code"], membership)], how="horizontal"
            )
        parts.append(details.rename({c: f"{end}_{c}" for c in details.columns}))
    parts.append(s._mapped(frame["f_linked_on"], s._cached_date, {"linked_day": pl.Date}))
    return pl.concat(parts, how="horizontal")


def _end_rules(end: str, rules: list) -> list:
    """The school-code rules written for `code`, `f_school_code`..., rewritten for one end."""

    def swap(sql: str) -> str:
        return _CODE_COLUMNS.sub(lambda m: f"{end}_{m.group(1)}", sql).replace(
            "f_school_code", f"f_{end}_school_code"
        )

    return [
        Rule(
            r.name,
            swap(r.column) if r.column else None,
            swap(r.bad),
            tuple((p[0], *(swap(x) for x in p[1:])) for p in r.params),
            r.warn,
        )
        for r in rules
        if r.name != "school_out_of_scope"
    ]


def link_rules(present: set[str], *, allowed: bool, today: dt.date) -> list:
    from pipelines.ingest.validate import _date_rules, _required, _school_code_rules

    fields = [f"f_{end}_{what}" for end in ENDS for what in ("school_code", "student_ref")]
    rules = _required([*fields, "f_linked_on"], present)
    for end in ENDS:
        rules += _end_rules(end, _school_code_rules("links", allowed=False))
    if allowed:  # a school may send links of students coming to it or leaving it
        rules.append(
            Rule(
                "link_out_of_scope",
                "f_to_school_code",
                "from_code_ok and to_code_ok and not from_in_scope and not to_in_scope",
                (("from", "from_code"),),
            )
        )
    rules += [
        Rule(
            "link_same_school",
            "f_to_school_code",
            "from_code = to_code and f_from_student_ref is distinct from f_to_student_ref",
        ),
        Rule(
            "link_same_student",
            "f_to_student_ref",
            "from_code = to_code and f_from_student_ref = f_to_student_ref",
        ),
    ]
    rules += _date_rules("f_linked_on", "linked_day", today)
    rules.append(
        Rule(
            "link_closes_loop",
            None,
            "closes_loop",
            (("to", "to_code || ' ' || f_to_student_ref"),),
        )
    )
    return rules


def effective_links(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """The links in effect now: those no later link (file, then row) has replaced."""
    return con.execute(
        """
        select from_school_code, from_student_ref, to_school_code, to_student_ref
        from (
            select *,
                row_number() over (partition by from_school_code, from_student_ref
                                   order by file_id desc, row_number desc) as from_rank,
                row_number() over (partition by to_school_code, to_student_ref
                                   order by file_id desc, row_number desc) as to_rank,
            from raw.student_links
        )
        where from_rank = 1 and to_rank = 1
        """
    ).fetchall()


class LoopState:
    """The links in effect, as successor and predecessor of each student end: read once per
    file, then each good row of the file is linked in, chunk after chunk."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.successor: dict[tuple[str, str], tuple[str, str]] = {}
        self.predecessor: dict[tuple[str, str], tuple[str, str]] = {}
        for fs, fr, ts, tr in effective_links(con):
            self.link((fs, fr), (ts, tr))

    def link(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        old = self.successor.pop(a, None)
        if old is not None:
            self.predecessor.pop(old, None)
        old = self.predecessor.pop(b, None)
        if old is not None:
            self.successor.pop(old, None)
        self.successor[a] = b
        self.predecessor[b] = a

    def closes_loop(self, start: tuple[str, str], end: tuple[str, str]) -> bool:
        node, steps = end, 0
        while node in self.successor and steps < LOOP_STEPS_MAX:
            node, steps = self.successor[node], steps + 1
            if node == start:
                return True
        return False


def with_loop_column(
    con: duckdb.DuckDBPyConnection, typed: pl.DataFrame, rules: list, state: LoopState
) -> pl.DataFrame:
    """`typed` plus `closes_loop`: the row breaks no other rule and, taken after the links in
    effect and the file's earlier good rows (in `state`), its to-student already leads to its
    from-student."""

    other = [r for r in rules if r.name != "link_closes_loop"]
    typed_links = typed  # noqa: F841 - read by DuckDB's replacement scan (see rows.FileLoad)
    rows = con.execute(
        f"select row_number, not {rule_any_sql(other, warn=False)}, from_code, "
        "f_from_student_ref, to_code, f_to_student_ref from typed_links order by row_number"
    ).fetchall()
    loops: set[int] = set()
    for row_number, ok, fs, fr, ts, tr in rows:
        if not ok:
            continue
        if state.closes_loop((fs, fr), (ts, tr)):
            loops.add(row_number)
        else:
            state.link((fs, fr), (ts, tr))
    flags = pl.Series(
        "closes_loop", [r in loops for r in typed["row_number"].to_list()], pl.Boolean
    )
    return typed.with_columns(flags)
