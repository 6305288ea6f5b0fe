"""The staged file as typed columns: the frame every rule and insert reads (`norm` in SQL).

Values in school files repeat a lot (a few school codes, 365 dates, a handful of grades and
activity types per file), so each column is parsed once per DISTINCT value by the parsers in
`normalise` (school codes by polars, `school_codes`; all remembered across the files of a
batch) and joined back onto the rows by polars, one hash join per column in Rust. Free text
(names, student numbers, providers) is never parsed. A 100,000-row file thus costs a few
vectorised passes, and the SQL that checks the rules stays small and quick to plan.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache

import duckdb
import polars as pl
import pyarrow as pa

from pipelines.framework import normalise_criterion_id
from pipelines.ingest import normalise as n
from pipelines.ingest import skills
from pipelines.ingest.reading import ParsedFile
from pipelines.ingest.school_codes import school_code_frame
from pipelines.reference import prefecture_by_code, school_types
from pipelines.settings import default_framework, frameworks


class SchoolRegistry:
    """What a batch reads from the warehouse once rather than once per file: the school codes
    in raw.schools (re-read after a schools file loads) and the student links in effect
    (`loops`, a links.LoopState kept up to date by each links file that commits; dropped when a
    file is rolled back, and then read again)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._codes: pl.Series | None = None
        self.loops = None  # links.LoopState once a links file needs it

    def codes(self) -> pl.Series:
        """The registry's school codes, as one polars Series (read through Arrow: a Python set
        of the national registry's 35,000 codes took 20 ms to make for a one-row file)."""
        if self._codes is None:
            found = self.con.sql("select distinct school_code from raw.schools").pl()
            self._codes = found.get_column("school_code")
        return self._codes

    def changed(self) -> None:
        self._codes = None


_CODE_FIELDS: dict[str, pl.DataType] = {
    "code": pl.String,
    "code_ok": pl.Boolean,
    "check_expected": pl.String,
    "check_ok": pl.Boolean,
    "code_prefecture": pl.String,
    "code_type": pl.String,
    "grade_min": pl.Int64,
    "grade_max": pl.Int64,
    "prefecture_ja": pl.String,
    "prefecture_en": pl.String,
    "type_ja": pl.String,
    "type_en": pl.String,
}


# The school code's fields the rules' conditions read: a registry's rules also compare its
# prefecture and type with the code's. The others (the check digit expected, the type's and
# prefecture's names) only fill a broken row's reason, and the quarantine joins them then
# (with_code_names): five more columns on every row of a clean file of 3.2 million rows cost its
# typing and its hand-over to DuckDB (Arrow) about 0.2 s of CPU.
_CODE_CHECKED = {
    name: _CODE_FIELDS[name] for name in ("code", "code_ok", "check_ok", "grade_min", "grade_max")
}
_CODE_CHECKED_SCHOOLS = {
    **_CODE_CHECKED,
    **{name: _CODE_FIELDS[name] for name in ("code_prefecture", "code_type")},
}


def with_code_names(typed: pl.DataFrame | pa.Table) -> pl.DataFrame | pa.Table:
    """Typed rows (typed_frame's, or their Arrow) with every field of the school code, for the
    quarantine's SQL (reasons show some that typing leaves out); as they are if they have them."""
    names = typed.columns if isinstance(typed, pl.DataFrame) else typed.column_names
    missing = {name: dtype for name, dtype in _CODE_FIELDS.items() if name not in names}
    if "f_school_code" not in names or not missing:
        return typed
    frame = typed if isinstance(typed, pl.DataFrame) else pl.from_arrow(typed)
    return pl.concat(
        [frame, _mapped(frame["f_school_code"], _school_code_details, missing)], how="horizontal"
    )


@lru_cache(maxsize=100_000)  # every school in Japan (~35,000), with room
def _school_code_details(value: str) -> dict[str, object]:
    # Cached across files (the same codes come back in every file of a batch); never mutated.
    details = n.school_code(value)
    if details["code_ok"]:
        prefecture = prefecture_by_code()[str(details["code_prefecture"])]
        school_type = school_types()[str(details["code_type"])]
        details.update(
            prefecture_ja=prefecture.name_ja,
            prefecture_en=prefecture.name_en,
            type_ja=school_type.name_ja,
            type_en=school_type.name_en,
        )
    return details


# Per file: each column's lookup (distinct value -> parsed fields) so far, and the set of its
# values, so a value met in an earlier chunk is not parsed again (see typed_frame's `lookups`).
_LOOKUPS: ContextVar[dict | None] = ContextVar("ingest_lookups", default=None)
_LOOKUP_ROWS_MAX = 500_000  # past this a column's lookup is not kept (values hardly repeat)


# School codes: every file of a batch (and every upload to a running server) meets the same
# 35,000 or so, and their details (11 fields) are a pure function of the code. Their lookup is
# kept for the process, not per file: a file of every school joins its rows to it instead of
# building the details of 34,700 codes into a frame again (0.3 s a file). Bounded, and locked:
# the next chunk is typed in a thread (ahead.read_ahead), and a server may ingest two uploads.
_SHARED: dict = {}
_SHARED_LOCK = threading.Lock()
_SHARED_ROWS_MAX = 100_000


def _mapped(
    series: pl.Series,
    parse: Callable[[str], object],
    fields: dict[str, pl.DataType],
    key: object = None,
) -> pl.DataFrame:
    """Parse each distinct value once per file (values in the file's lookups are not parsed
    again; school codes once per process); join the parsed fields back onto the rows (one hash
    join per column, whatever the number of fields), keeping the rows' order. `key` names the
    lookup when `parse` is made anew for each chunk."""
    if parse is _school_code_details:
        with _SHARED_LOCK:
            return _joined(_SHARED, _SHARED_ROWS_MAX, series, parse, fields, key)
    return _joined(_LOOKUPS.get(), _LOOKUP_ROWS_MAX, series, parse, fields, key)


def _joined(
    lookups: dict | None,
    rows_max: int,
    series: pl.Series,
    parse: Callable[[str], object],
    fields: dict[str, pl.DataType],
    key: object,
) -> pl.DataFrame:
    """_mapped with the lookups to read and grow (None: none kept), up to `rows_max` values."""
    # Few polars calls: each costs a query (~0.1-0.3 ms), tens of them a file, while a file's
    # distinct values are few; so nulls and the values already known are left out in Python.
    name = (key or parse, tuple(fields))
    known, seen = lookups.get(name, (None, None)) if lookups is not None else (None, None)
    if known is None and lookups is not None:
        known, seen = _narrowed(lookups, name)
    rows = series.alias(_KEY).to_frame()
    if known is not None:
        # A later chunk's values are nearly always known already: join first, and look for
        # new values only when some row found none (its _HIT is null but its value is not).
        joined = rows.join(known, on=_KEY, how="left", maintain_order="left")
        if joined[_HIT].null_count() == series.null_count():
            joined.drop_in_place(_KEY)  # in place: no query
            joined.drop_in_place(_HIT)
            return joined
    values = [v for v in series.unique().to_list() if v is not None and (not seen or v not in seen)]
    if parse is _school_code_details:  # a registry's 34,700 codes: worked out by polars
        lookup = school_code_frame(values, fields, parse, _KEY)
        lookup = lookup.with_columns(pl.lit(True).alias(_HIT))
    else:
        results = [parse(v) for v in values]
        lookup = pl.DataFrame(
            [pl.Series(_KEY, values, dtype=series.dtype)]
            + [
                pl.Series(
                    name,
                    [r.get(name) if isinstance(r, dict) else r for r in results],
                    dtype=dtype,
                )
                for name, dtype in fields.items()
            ]
            + [pl.Series(_HIT, [True] * len(values), dtype=pl.Boolean)]
        )
    if known is not None:
        lookup = pl.concat([known, lookup]) if lookup.height else known
    # One chunk per column: a join probes a lookup in several chunks three times slower (it is
    # rebuilt only when a value is new, and joined onto every later chunk of rows).
    lookup = lookup.rechunk()
    if lookups is not None and lookup.height <= rows_max:
        # The file's set of known values grows in place: copying it each chunk cost a pass
        # over every value seen so far. Only here, where the lookup holding them is kept.
        seen = set() if seen is None else seen
        seen.update(values)
        lookups[name] = (lookup, seen)
    joined = rows.join(lookup, on=_KEY, how="left", maintain_order="left")
    joined.drop_in_place(_KEY)  # in place: no query
    joined.drop_in_place(_HIT)
    return joined


def _narrowed(lookups: dict, name: tuple) -> tuple[pl.DataFrame | None, set | None]:
    """A lookup for `name`'s fields made from one kept for more fields of the same parse (a
    registry's school codes, parsed with the fields its rules read, serve the returns and
    activities after it, which read fewer): kept under `name`, with its own set of values (the
    two grow apart from here). (None, None) when there is none."""
    parse, fields = name
    for (other_parse, other_fields), (lookup, seen) in list(lookups.items()):
        if other_parse is parse and set(fields) < set(other_fields):
            narrowed = lookup.select(_KEY, *fields, _HIT), set(seen)
            lookups[name] = narrowed
            return narrowed
    return None, None


_KEY = "__value"
_HIT = "__known"  # True in every lookup row: null after the join where a value was not known


def _cached(parse: Callable[[str], object]) -> Callable[[str], object]:
    # Dates, years, grades and labels repeat across the files of a batch: parse each once.
    return lru_cache(maxsize=20_000)(parse)  # bounded: a long-running server keeps it


_SCORE = _cached(n.score)
_cached_date = _cached(n.date)


def _yes_no(value: str) -> bool | None:
    """prepared / reflected: yes/no in every spelling a yes_no criterion accepts."""
    answer = n.criterion_answer("yes_no", value)
    return None if answer is None else answer == 100.0


_SIMPLE: dict[str, tuple[str, Callable[[str], object], pl.DataType]] = {
    "f_municipality_code": ("municipality5", _cached(n.municipality_code), pl.String),
    "f_prefecture": ("prefecture_code", _cached(n.prefecture_code), pl.String),
    "f_school_type": ("school_type_code", _cached(n.school_type_code), pl.String),
    "f_academic_year": ("year", _cached(n.academic_year), pl.Int64),
    "f_term": ("term_n", _cached(n.term), pl.Int64),
    "f_submitted_on": ("submitted", _cached(n.date), pl.Date),
    "f_grade": ("grade_n", _cached(n.grade), pl.Int64),
    "f_activity_type": ("activity_code", _cached(n.activity_code), pl.String),
    "f_activity_date": ("activity_day", _cached(n.date), pl.Date),
    "f_hours": ("hours_n", _cached(n.number), pl.Float64),
    "f_enrolment": ("enrolment_n", _cached(n.number), pl.Float64),
    "f_prepared": ("prepared_b", _cached(_yes_no), pl.Boolean),
    "f_reflected": ("reflected_b", _cached(_yes_no), pl.Boolean),
}


def typed_frame(
    parsed: ParsedFile,
    *,
    known_schools: pl.Series | None,
    scope: set[str] | None,
    lookups: dict | None = None,
) -> pl.DataFrame:
    """The reader's text columns plus the typed columns the rules and inserts read. `lookups`:
    one dict per file, kept across its chunks (values parsed in one chunk are not again)."""
    token = _LOOKUPS.set(lookups)
    try:
        return _typed(parsed, known_schools=known_schools, scope=scope)
    finally:
        _LOOKUPS.reset(token)


def _typed(
    parsed: ParsedFile, *, known_schools: pl.Series | None, scope: set[str] | None
) -> pl.DataFrame:
    if parsed.kind == "links":
        from pipelines.ingest.links import typed_links

        return typed_links(parsed, known_schools=known_schools, scope=scope)
    frame = parsed.frame
    checked = _CODE_CHECKED_SCHOOLS if parsed.kind == "schools" else _CODE_CHECKED
    parts = [frame, _mapped(frame["f_school_code"], _school_code_details, checked)]
    membership = {
        name: codes
        for name, codes in (("code_known", known_schools), ("in_scope", scope))
        if codes is not None
    }
    if membership:
        parts.append(_membership(parts[1]["code"], membership))
    for source, (name, parse, dtype) in _SIMPLE.items():
        if source in frame.columns:
            parts.append(_mapped(frame[source], parse, {name: dtype}))
    if parsed.kind == "skills":
        parts += skills.typed_columns(parsed, _mapped)
    if parsed.kind in ("returns", "criteria"):
        default = default_framework().version
        version = (
            frame["f_framework"].fill_null(default)
            if "f_framework" in frame.columns
            else pl.repeat(default, frame.height, eager=True, dtype=pl.String)
        ).alias("framework_version")
        sizes = {f.version: len(f.benchmarks) for f in frameworks()}
        parts.append(version.to_frame())
        parts.append(_mapped(version, sizes.get, {"framework_benchmarks": pl.Int64}))
        if parsed.kind == "criteria":
            parts.append(_criteria_columns(frame, version))
        for p in parsed.header.benchmarks:
            raw = frame[f"b{p}"]
            assessed = (raw.is_not_null() & ~raw.is_in(list(n.NOT_ASSESSED))).alias(f"assessed{p}")
            parts.append(assessed.to_frame())
            parts.append(_mapped(raw, _SCORE, {f"score{p}": pl.Float64}))
    return pl.concat(parts, how="horizontal")


_SEP = "\x1f"  # joins two values into one lookup key; never in a cell after NFKC and trimming


@lru_cache(maxsize=20_000)
def _criterion_details(key: str) -> dict[str, object]:
    version, written = key.split(_SEP, 1)
    criterion_id = normalise_criterion_id(written)
    for framework in frameworks():
        if framework.version == version:
            found = framework.criterion(criterion_id)
            if found:
                return {
                    "criterion_id": criterion_id,
                    "criterion_kind": found.kind,
                    "criterion_benchmark": found.benchmark_id,
                }
    return {"criterion_id": criterion_id}


@lru_cache(maxsize=20_000)
def _answer_score(key: str) -> float | None:
    kind, answer = key.split(_SEP, 1)
    return n.criterion_answer(kind, answer)


def _criteria_columns(frame: pl.DataFrame, version: pl.Series) -> pl.DataFrame:
    """criterion_id (normalised), criterion_kind and criterion_benchmark (null when the id is
    not a criterion of the row's framework version) and answer_score (null when the answer
    does not fit the criterion's kind)."""
    criterion_key = pl.concat_str([version, pl.lit(_SEP), frame["f_criterion"]]).alias("k")
    criterion = _mapped(
        frame.select(criterion_key)["k"],
        _criterion_details,
        {
            "criterion_id": pl.String,
            "criterion_kind": pl.String,
            "criterion_benchmark": pl.String,
        },
    )
    answer_key = frame.select(
        pl.concat_str([criterion["criterion_kind"], pl.lit(_SEP), frame["f_answer"]]).alias("k")
    )["k"]
    answer = _mapped(answer_key, _answer_score, {"answer_score": pl.Float64})
    return pl.concat([criterion, answer], how="horizontal")


def _membership(codes: pl.Series, sets: dict[str, set[str] | pl.Series]) -> pl.DataFrame:
    """code_known / in_scope: whether each row's code is in the set (a Python set, or a Series
    such as SchoolRegistry.codes) (null where it has none), by polars' hash lookup; each set is
    made a Series once per file (the file's lookups)."""
    lookups = _LOOKUPS.get()
    columns = []
    for name, members in sets.items():
        key = ("membership", name)
        found = lookups.get(key) if lookups is not None else None
        if found is None or found[0] is not members:
            series = members if isinstance(members, pl.Series) else pl.Series(list(members))
            found = (members, series.cast(pl.String).implode())
            if lookups is not None:
                lookups[key] = found
        columns.append(codes.is_in(found[1]).alias(name))
    return pl.DataFrame(columns)
