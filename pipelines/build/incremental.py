"""Incremental builds: rebuild only the academic years (or files) that new files touched.

The writer DB remembers its last build in `build_state.last` (version, the newest file_id it
covered: the watermark, a fingerprint of everything but the raw rows, and the build date). The
next build plans from it:

- Full rebuild when asked (`shirube build --full`), on the first build, when the fingerprint
  differs (a model, an audit, the settings, a framework, the reference data, the message
  catalogue or the raw schema changed), when a model table is missing, or when new rows reached
  the registry (raw.schools).
- A new build date (the stale-data flag counts to it, capped at the newest return) changes
  ref.build_date from the latest academic year on: its readers rebuild that year, not everything.
- Otherwise, the raw tables with rows from files newer than the watermark are what changed: a
  table with `academic_year` changed those years; raw.return_scores and raw.criterion_answers
  (rows of the returns of the same file) changed the years of those files' returns, and
  raw.skill_steps those of the files' assessments (CHILD_OF); any other
  raw table (ingest_log, quarantine, audit_log, a new kind's table) changed in full, and so
  did ref.build_version (this build's version and time); the other ref.* tables are in the
  fingerprint, and the build date is compared.
- Changes flow down the model graph. A model declaring `-- Incremental: academic_year` rebuilds
  only the changed years of its inputs (delete them, insert them again from its SQL);
  `academic_year >= touched` rebuilds every year from the earliest changed one on;
  `file_id` rebuilds only the new files' rows. A model without a declaration, or whose input
  changed in full, is rebuilt in full, and everything below it sees a full change.

Publishing follows the same plan (pipelines.warehouse.publish_snapshot_changes): the previous
snapshot is copied and only the changed marts (or their changed years) are written into the copy.

This module plans; `build_state` keeps what the plan starts from, `incremental_run` carries the
plan out and says what the publish replaces, `incremental_audits` audits only what changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import duckdb

from pipelines.build.build_state import read_state
from pipelines.build.guards import guard_holds
from pipelines.build.models import Model
from pipelines.build.predicates import areas_sql, ints_sql, schools_sql, strs_sql

# Raw tables without academic_year whose rows belong to a parent table's rows of their file
# (the returns of a return file, the assessments of a skills file): they change the parent's years.
CHILD_OF = {
    "return_scores": "returns",
    "criterion_answers": "returns",
    "skill_steps": "skill_assessments",
}
# New rows here change the registry every area mart hangs on: rebuild everything.
REGISTRY_TABLES = ("raw.schools",)
# Raw tables whose new rows name the schools they change (narrowed models rebuild only those).
SCHOOL_TABLES = ("returns",)
# More changed schools than this: a narrowed model rebuilds the changed years whole.
MAX_NARROWED_SCHOOLS = 500
# Every school's areas, one row per level (a model narrowed to areas rebuilds its schools').
SCHOOL_AREAS = "marts.school_area"
# Inputs that differ in every build (this build's version and time): their readers are rebuilt.
VOLATILE = ("ref.build_version",)
# The build date (the "now" of the stale-data flag), which changes once a day. Its readers may let
# it move only rows of the latest academic year in the data (reference_tables.py), so a new day
# rebuilds that year of them, not the whole warehouse: the first file of a day shows in seconds.
NEW_DAY = "ref.build_date"
# Where the latest academic year is read (the last build's, as the support flags read it).
LATEST_YEAR_SQL = "select max(academic_year) from marts.school_year_summary"


@dataclass(frozen=True)
class Change:
    """What changed in one table: everything (`whole`), or some years and/or files."""

    whole: bool = False
    years: frozenset[int] = frozenset()
    from_year: int | None = None  # and every year from this one on
    files: frozenset[int] = frozenset()
    # Within those years, only these schools' rows (None: every school's).
    schools: frozenset[str] | None = None
    # Within those years, only these areas' rows, (area_level, area_code) (None: every area's).
    areas: frozenset[tuple[str, str]] | None = None

    def merge(self, other: Change) -> Change:
        if self.whole or other.whole:
            return WHOLE
        starts = [y for y in (self.from_year, other.from_year) if y is not None]
        return Change(
            years=self.years | other.years,
            from_year=min(starts) if starts else None,
            files=self.files | other.files,
            schools=_union(self.schools, other.schools),
            areas=_union(self.areas, other.areas),
        )

    def predicate(self, partition: str, narrow: str | None = None) -> str:
        """SQL that selects the rows this change may touch in a model partitioned so (and, for
        a model declaring `-- Narrow: school_code` or `area`, only the changed schools' or
        areas' rows)."""
        if partition == "file_id":
            return f"file_id in ({ints_sql(self.files)})"
        years = self._years(partition)
        if narrow == "school_code" and self.schools is not None:
            return f"({years}) and {schools_sql(self.schools)}"
        if narrow == "area" and self.areas is not None:
            return f"({years}) and ({areas_sql(self.areas)})"
        return years

    def _years(self, partition: str) -> str:
        start = self.from_year
        if partition == "academic_year >= touched":
            start = min([*self.years, *([start] if start is not None else [])], default=None)
        parts = [f"academic_year in ({ints_sql(self.years)})"] if self.years else []
        if start is not None:
            parts.append(f"academic_year >= {int(start)}")
        return " or ".join(parts) or "false"

    def describe(self) -> str:
        if self.whole:
            return "all"
        years = sorted(self.years)
        text = ",".join(map(str, years))
        if self.from_year is not None:
            text += f"{',' if text else ''}>={self.from_year}"
        if self.schools is not None:
            text += f"; {len(self.schools)} school{'s' if len(self.schools) != 1 else ''}"
        if self.areas is not None:
            text += f"; {len(self.areas)} area{'s' if len(self.areas) != 1 else ''}"
        return text or "-"


WHOLE = Change(whole=True)


def _union(a: frozenset | None, b: frozenset | None) -> frozenset | None:
    """Both narrowed: the union; either one not (every school or area): not narrowed."""
    return None if a is None or b is None else a | b


@dataclass(frozen=True)
class Plan:
    full: bool
    reason: str  # why full, or "incremental"
    watermark: int  # newest raw.ingest_log file_id this build covers
    changes: dict[str, Change] = field(default_factory=dict)  # changed models (and raw tables)
    previous_version: str = ""  # the last build's snapshot, which an incremental publish copies
    partitions: dict[str, str] = field(default_factory=dict)  # model -> declared partition
    narrows: dict[str, str] = field(default_factory=dict)  # model -> declared narrowing
    # A published view's changed rows, computed once into a temp table by run_plan (view ->
    # temp relation): its key audit and publishing read them there, not the view twice over.
    staged: dict[str, str] = field(default_factory=dict)
    # A published table's rebuilt rows, kept in a temp table by run_plan (table -> temp
    # relation): publishing writes them as the table's layer without scanning the table again.
    rebuilt: dict[str, str] = field(default_factory=dict)

    def change(self, qualified_name: str) -> Change | None:
        return WHOLE if self.full else self.changes.get(qualified_name)


def _raw_tables(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = 'raw'"
    ).fetchall()
    tables: dict[str, set[str]] = {}
    for table, column in rows:
        tables.setdefault(table, set()).add(column)
    return tables


def raw_changes(con: duckdb.DuckDBPyConnection, watermark: int) -> dict[str, Change]:
    """What each raw table gained from files newer than the watermark (absent: nothing)."""
    changes: dict[str, Change] = {}
    new_files = frozenset(
        r[0]
        for r in con.execute(
            "select file_id from raw.ingest_log where file_id > ?", [watermark]
        ).fetchall()
    )
    tables = _raw_tables(con)
    parent_years = {
        parent: frozenset(
            r[0]
            for r in con.execute(
                f'select distinct academic_year from raw."{parent}" where file_id > ?', [watermark]
            ).fetchall()
        )
        for parent in set(CHILD_OF.values())
        if parent in tables
    }
    parent_schools = {
        parent: _new_schools(con, parent, watermark)
        for parent in set(CHILD_OF.values())
        if parent in tables
    }
    for table, columns in tables.items():
        name = f"raw.{table}"
        if "file_id" not in columns:
            changes[name] = WHOLE  # e.g. audit_log: imported by every build
            continue
        if not con.execute(
            f'select exists (select 1 from raw."{table}" where file_id > ?)', [watermark]
        ).fetchone()[0]:
            continue
        if "academic_year" in columns:
            years = frozenset(
                r[0]
                for r in con.execute(
                    f'select distinct academic_year from raw."{table}" where file_id > ?',
                    [watermark],
                ).fetchall()
            )
            schools = _new_schools(con, table, watermark)
            changes[name] = Change(years=years, files=new_files, schools=schools)
        elif CHILD_OF.get(table) in parent_years:
            parent = CHILD_OF[table]
            changes[name] = Change(
                years=parent_years[parent], files=new_files, schools=parent_schools[parent]
            )
        else:
            changes[name] = WHOLE
    return changes


def _new_schools(
    con: duckdb.DuckDBPyConnection, table: str, watermark: int
) -> frozenset[str] | None:
    """The schools whose rows of `table` came in files newer than the watermark; None (every
    school) for a table not in SCHOOL_TABLES or when there are too many to narrow to."""
    if table not in SCHOOL_TABLES:
        return None
    found = con.execute(
        f'select distinct school_code from raw."{table}" where file_id > ? limit ?',
        [watermark, MAX_NARROWED_SCHOOLS + 1],
    ).fetchall()
    return frozenset(r[0] for r in found) if len(found) <= MAX_NARROWED_SCHOOLS else None


def propagate(
    models: list[Model],
    changes: dict[str, Change],
    guard: Callable[[Model, Change], bool] | None = None,
    *,
    narrow_guard: Callable[[Model, Change], bool] | None = None,
    areas_of: Callable[[frozenset[str]], frozenset[tuple[str, str]]] | None = None,
    schools_of: Callable[[frozenset[tuple[str, str]]], frozenset[str]] | None = None,
) -> dict[str, Change]:
    """Each changed model's change, from its inputs' (models in dependency order). `guard`
    says whether a model's partial change may stand (pipelines/build/guards.py); if not, the
    model changes whole. `narrow_guard` says whether its narrowing may (if not, its changed
    years change whole); `areas_of` gives the areas of some schools, every level (without it no
    model is narrowed to areas), and `schools_of` the schools of some areas (for a model
    narrowed to schools `-- narrow through:` those areas' levels)."""
    result = dict(changes)
    for model in models:
        found = [result[name] for name in (*model.inputs, *model.depends_on) if name in result]
        if not found:
            continue
        merged = found[0]
        for other in found[1:]:
            merged = merged.merge(other)
        kind = model.incremental
        if merged.whole or kind is None:
            result[model.qualified_name] = WHOLE
        elif kind == "file_id":
            # Only new files' rows; a change by year alone cannot be matched to files.
            if merged.from_year is not None or not merged.files:
                result[model.qualified_name] = WHOLE
            else:
                result[model.qualified_name] = merged
        elif kind == "academic_year >= touched":
            starts = [*merged.years, *([merged.from_year] if merged.from_year is not None else [])]
            result[model.qualified_name] = (
                Change(from_year=min(starts), files=merged.files, schools=merged.schools)
                if starts
                else WHOLE
            )
        else:
            result[model.qualified_name] = merged
        partial = result[model.qualified_name]
        if not partial.whole and kind != "file_id":
            partial = result[model.qualified_name] = _narrowed(
                model, partial, found, areas_of, schools_of
            )
        if guard is not None and not partial.whole and not guard(model, partial):
            result[model.qualified_name] = WHOLE
        elif (
            narrow_guard is not None
            and (partial.schools is not None or partial.areas is not None)
            and not narrow_guard(model, partial)
        ):
            result[model.qualified_name] = replace(partial, schools=None, areas=None)
    return result


def _narrowed(
    model: Model,
    change: Change,
    inputs: list[Change],
    areas_of: Callable[[frozenset[str]], frozenset[tuple[str, str]]] | None,
    schools_of: Callable[[frozenset[tuple[str, str]]], frozenset[str]] | None,
) -> Change:
    """The change as the model's `-- Narrow:` line allows: its inputs' changed schools (with
    the schools of their changed areas at the levels it is narrowed through), the areas of
    those schools (or of its inputs' changed areas), or every school and area of the changed
    years (no narrower change below)."""
    if model.narrow == "school_code":
        schools: frozenset[str] = frozenset()
        for found in inputs:
            if found.schools is not None:
                schools |= found.schools
            elif found.areas is not None and model.narrow_through and schools_of is not None:
                through = frozenset(a for a in found.areas if a[0] in model.narrow_through)
                schools |= schools_of(through) if through else frozenset()
            else:
                return replace(change, schools=None, areas=None)
        if len(schools) > MAX_NARROWED_SCHOOLS:
            return replace(change, schools=None, areas=None)
        return replace(change, schools=schools, areas=None)
    if model.narrow == "area" and areas_of is not None:
        areas: frozenset[tuple[str, str]] = frozenset()
        for found in inputs:
            if found.areas is not None:
                areas |= found.areas
            elif found.schools is not None:
                areas |= areas_of(found.schools)
            else:
                return replace(change, schools=None, areas=None)
        return replace(change, schools=None, areas=areas)
    return replace(change, schools=None, areas=None)


def _new_day_change(con: duckdb.DuckDBPyConnection) -> Change:
    """What a new build date changes: the latest academic year on (every year when none yet).
    A file of a newer year moves the latest year too, and its own change starts there."""
    latest = con.execute(LATEST_YEAR_SQL).fetchone()[0]
    return WHOLE if latest is None else Change(from_year=int(latest))


def earliest_year(change: Change) -> int | None:
    return min(
        [*change.years, *([change.from_year] if change.from_year is not None else [])], default=None
    )


def plan_build(
    con: duckdb.DuckDBPyConnection,
    models: list[Model],
    *,
    print_: str,
    build_date: date,
    full: bool = False,
) -> Plan:
    """Full or incremental, and for an incremental build what changed (see the module doc)."""
    watermark = con.execute("select coalesce(max(file_id), 0) from raw.ingest_log").fetchone()[0]

    def full_build(reason: str) -> Plan:
        return Plan(full=True, reason=reason, watermark=int(watermark))

    if full:
        return full_build("asked (--full)")
    state = read_state(con)
    if state is None:
        return full_build("first build")
    _version, last_watermark, last_print, last_date = state
    if last_print != print_:
        return full_build("models, settings or reference data changed")
    existing = {
        f"{s}.{n}"
        for s, n in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
    }
    if any(m.qualified_name not in existing for m in models):
        return full_build("a model is missing from the warehouse")
    changed = raw_changes(con, last_watermark)
    changed.update(dict.fromkeys(VOLATILE, WHOLE))
    if last_date != build_date:
        changed[NEW_DAY] = _new_day_change(con)
    if any(name in changed for name in REGISTRY_TABLES):
        return full_build("the school registry changed")
    new_files = frozenset(
        r[0]
        for r in con.execute(
            "select file_id from raw.ingest_log where file_id > ?", [last_watermark]
        ).fetchall()
    )

    def guard(model: Model, change: Change) -> bool:
        return guard_holds(con, model, earliest_year(change), new_files)

    def narrow_guard(model: Model, change: Change) -> bool:
        return guard_holds(con, model, earliest_year(change), new_files, narrowing=True)

    # Every model narrowed to areas asks for the same schools' areas: one query per set.
    @functools.cache
    def areas_of(schools: frozenset[str]) -> frozenset[tuple[str, str]]:
        # The registry did not change (that is a full build), so the last build's areas hold.
        return frozenset(
            (level, code)
            for level, code in con.execute(
                f"select area_level, area_code from {SCHOOL_AREAS} "
                f"where school_code in ({strs_sql(schools)})"
            ).fetchall()
        )

    @functools.cache
    def schools_of(areas: frozenset[tuple[str, str]]) -> frozenset[str]:
        return frozenset(
            r[0]
            for r in con.execute(
                f"select distinct school_code from {SCHOOL_AREAS} where {areas_sql(areas)}"
            ).fetchall()
        )

    return Plan(
        full=False,
        reason="incremental",
        watermark=int(watermark),
        changes=propagate(
            models,
            changed,
            guard,
            narrow_guard=narrow_guard,
            areas_of=areas_of,
            schools_of=schools_of,
        ),
        previous_version=_version,
        partitions={m.qualified_name: m.incremental for m in models if m.incremental},
        narrows={m.qualified_name: m.narrow for m in models if m.narrow},
    )
