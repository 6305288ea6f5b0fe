"""Find the SQL models under sql/ and put them in dependency order.

A model is one `.sql` file: its name is the file stem, its schema the folder it sits in (staging,
intermediate or marts). A model depends on every `<schema>.<name>` it mentions that is another
model, plus any listed in a `-- depends: schema.name, ...` header line. `ref.*` and `raw.*` are
inputs, not models, so they never take part in the ordering.

A model may declare how an incremental build may rebuild it (pipelines/build/incremental.py) with a
header line `-- Incremental: academic_year` (its rows of a year depend only on its inputs' rows of
that year), `-- Incremental: academic_year >= touched` (also on earlier years, e.g. a change on
last year) or `-- Incremental: file_id` (rows of a file depend only on that file's rows). A model
without the line is rebuilt in full by every build. A partitioned model may add
`-- Narrow: school_code` (a school's rows depend only on that school's input rows in the same
partition): an incremental build then rebuilds, within the changed years, only the schools whose
rows changed. `-- Narrow: area` (an area's rows, by area_level and area_code, depend only on its
own schools' rows): only the areas of the changed schools (every level) are rebuilt. Either may
add `-- narrow guard: <SQL>` lines: when that query is not true the model is rebuilt for the
changed years whole (the narrowing is dropped, not the partition). A model narrowed to schools
that reads area marts may add `-- narrow through: hub` (the levels, comma-separated): the area
rows it reads reach a school's rows only through the school's own area at those levels, so a
changed area changes the rows of its schools (a hub's means: the flags of the hub's schools).
`-- narrow input: <model> where <SQL>` lines say which rows of an input a partial rebuild can
depend on (pipelines/build/narrow_inputs.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pipelines

SQL_DIR = Path(pipelines.__file__).resolve().parent.parent / "sql"
MODEL_SCHEMAS = ("staging", "intermediate", "marts")

_REFERENCE = re.compile(r"\b(staging|intermediate|marts)\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
_INPUT = re.compile(r"\b(raw|ref)\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
_DEPENDS = re.compile(r"^\s*--\s*depends:\s*(.+)$", re.MULTILINE | re.IGNORECASE)
_INCREMENTAL = re.compile(
    r"^\s*--\s*incremental:\s*(academic_year\s*>=\s*touched|academic_year|file_id)\s*$",
    re.MULTILINE | re.IGNORECASE,
)
# `-- guard: <SQL>` lines (joined in order): a query that must return true for the declared
# partial rebuild to be right (pipelines/build/guards.py).
_NARROW = re.compile(r"^\s*--\s*narrow:\s*(school_code|area)\s*$", re.MULTILINE | re.IGNORECASE)
_GUARD = re.compile(r"^\s*--\s*guard:\s*(.*)$", re.MULTILINE | re.IGNORECASE)
_NARROW_GUARD = re.compile(r"^\s*--\s*narrow guard:\s*(.*)$", re.MULTILINE | re.IGNORECASE)
_NARROW_THROUGH = re.compile(r"^\s*--\s*narrow through:\s*(.+)$", re.MULTILINE | re.IGNORECASE)
# `-- narrow input: <model> where <SQL>` lines (pipelines/build/narrow_inputs.py).
_NARROW_INPUT = re.compile(
    r"^\s*--\s*narrow input:\s*((?:staging|intermediate|marts)\.[a-z_][a-z0-9_]*)\s+where\s+(.+)$",
    re.MULTILINE | re.IGNORECASE,
)
_MATERIALIZED = re.compile(r"^\s*--\s*materiali[sz]ed:\s*(table|view)\b", re.MULTILINE)


class ModelGraphError(ValueError):
    """The models cannot be ordered: a reference to a missing model, or a cycle."""


@dataclass(frozen=True)
class Model:
    schema: str
    name: str
    path: Path
    body: str
    materialized: str  # "table" (default) or "view" (`-- materialized: view` header)
    depends_on: frozenset[str]  # qualified names, "schema.name"
    # "academic_year", "academic_year >= touched", "file_id", or None (always rebuilt in full)
    incremental: str | None = None
    inputs: frozenset[str] = frozenset()  # raw.* and ref.* tables it reads
    guard: str | None = None  # SQL that must hold for a partial rebuild (else rebuilt in full)
    # "school_code": rebuilt only for the changed schools; "area": only for their areas
    narrow: str | None = None
    narrow_guard: str | None = None  # SQL that must hold for the narrowing (else the years whole)
    # Area levels through which a changed area reaches a school-narrowed model's rows ("hub").
    narrow_through: frozenset[str] = frozenset()
    # (input, condition template) of each `-- narrow input:` line, in the header's order.
    narrow_inputs: tuple[tuple[str, str], ...] = ()

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    def create_statement(self) -> str:
        body = self.body.strip().rstrip(";")
        return f"create or replace {self.materialized} {self.qualified_name} as\n{body}"


def strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _incremental_kind(declared: str) -> str:
    return "academic_year >= touched" if ">=" in declared else declared.lower()


def declared_incremental(text: str) -> str | None:
    """The `-- Incremental:` declaration of a model's or an audit's SQL, or None."""
    found = _INCREMENTAL.search(text)
    return _incremental_kind(found.group(1)) if found else None


def declared_narrow(text: str) -> str | None:
    """The `-- Narrow:` declaration of a model's or an audit's SQL (school_code, area), or None."""
    found = _NARROW.search(text)
    return found.group(1).lower() if found else None


def parse_model(path: Path, schema: str) -> Model:
    text = path.read_text(encoding="utf-8")
    referenced = {f"{s.lower()}.{n.lower()}" for s, n in _REFERENCE.findall(strip_comments(text))}
    for line in _DEPENDS.findall(text):
        referenced |= {item.strip().lower() for item in line.split(",") if item.strip()}
    materialized = _MATERIALIZED.search(text)
    incremental = _INCREMENTAL.search(text)
    inputs = {f"{s.lower()}.{n.lower()}" for s, n in _INPUT.findall(strip_comments(text))}
    name = path.stem
    referenced.discard(f"{schema}.{name}")
    return Model(
        schema=schema,
        name=name,
        path=path,
        body=text,
        materialized=materialized.group(1) if materialized else "table",
        depends_on=frozenset(referenced),
        incremental=_incremental_kind(incremental.group(1)) if incremental else None,
        inputs=frozenset(inputs),
        guard=" ".join(part.strip() for part in _GUARD.findall(text)) or None,
        narrow=declared_narrow(text),
        narrow_guard=" ".join(part.strip() for part in _NARROW_GUARD.findall(text)) or None,
        narrow_through=frozenset(
            level.strip().lower()
            for line in _NARROW_THROUGH.findall(text)
            for level in line.split(",")
            if level.strip()
        ),
        narrow_inputs=tuple(
            (name.lower(), where.strip()) for name, where in _NARROW_INPUT.findall(text)
        ),
    )


def discover_models(sql_dir: Path = SQL_DIR) -> list[Model]:
    """Every model file under sql/staging, sql/intermediate and sql/marts, by name."""
    models = []
    for schema in MODEL_SCHEMAS:
        for path in sorted((sql_dir / schema).glob("*.sql")):
            models.append(parse_model(path, schema))
    return models


def order_models(models: list[Model]) -> list[Model]:
    """The models in an order where each comes after everything it depends on.

    Ties keep a stable order (layer, then name) so that builds are repeatable.
    """
    by_name = {m.qualified_name: m for m in models}
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for model in models:
        missing = sorted(d for d in model.depends_on if d not in by_name)
        if missing:
            raise ModelGraphError(f"{model.qualified_name} refers to unknown {', '.join(missing)}")
        sorter.add(model.qualified_name, *sorted(model.depends_on))
    layer_rank = {schema: i for i, schema in enumerate(MODEL_SCHEMAS)}
    try:
        sorter.prepare()
    except CycleError as exc:
        raise ModelGraphError(f"models depend on each other in a cycle: {exc.args[1]}") from exc
    ordered: list[Model] = []
    while sorter.is_active():
        ready = sorted(
            sorter.get_ready(), key=lambda q: (layer_rank[by_name[q].schema], by_name[q].name)
        )
        for qualified in ready:
            ordered.append(by_name[qualified])
            sorter.done(qualified)
    return ordered
