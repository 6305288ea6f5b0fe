"""Key audits generated from each model's `-- Key:` header.

Every model states its grain in its header (style: what a row is, then its key):

    -- Key: (school_code, academic_year)     the columns that make a row unique
    -- Key: school_code                       one column
    -- Key: none unique; <why, and what identifies a row in practice>

For each model with a key the build runs an audit that returns the key values found on more than
one row; a duplicate fails the build like any other audit. A model without a `-- Key:` line in its
header, or with one that cannot be read, stops the build before anything runs, so a new model has
to say what its rows are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.build.models import Model

KEY_AUDIT_PREFIX = "unique_key:"
NO_UNIQUE_KEY = "none unique"
_KEY_LINE = re.compile(r"^--\s*key:\s*(.*?)\s*$", re.IGNORECASE)
_COLUMN = re.compile(r"^[a-z_][a-z0-9_]*$")


class KeyHeaderError(ValueError):
    """A model's header has no readable `-- Key:` line."""


@dataclass(frozen=True)
class ModelKey:
    model: str  # schema.name
    columns: tuple[str, ...]  # empty: the header says the model has no unique key

    @property
    def audit_name(self) -> str:
        return f"{KEY_AUDIT_PREFIX}{self.model}"

    def audit_sql(self) -> str:
        """The key values held by more than one row (null equals null here, as in a key)."""
        columns = ", ".join(self.columns)
        return (
            f"select {columns}, count(*) as rows_with_this_key from {self.model} "
            f"group by {columns} having count(*) > 1"
        )


def header_lines(text: str) -> list[str]:
    """The comment lines a model file opens with."""
    lines = []
    for line in text.splitlines():
        if not line.strip().startswith("--"):
            break
        lines.append(line.strip())
    return lines


def parse_key(model: Model) -> ModelKey:
    """The key its header declares; KeyHeaderError when there is none or it cannot be read."""
    declared = [m.group(1) for line in header_lines(model.body) if (m := _KEY_LINE.match(line))]
    if len(declared) != 1:
        raise KeyHeaderError(
            f"{model.qualified_name} ({model.path.name}) must open with one '-- Key:' line: "
            "the columns that make a row unique, or 'none unique; <why>'"
        )
    spec = declared[0]
    if spec.lower().startswith(NO_UNIQUE_KEY):
        return ModelKey(model.qualified_name, ())
    inner = spec[1 : spec.find(")")] if spec.startswith("(") else spec
    columns = tuple(part.strip().lower() for part in inner.split(","))
    if not spec.startswith("(") and len(columns) != 1 or not all(map(_COLUMN.match, columns)):
        raise KeyHeaderError(
            f"{model.qualified_name}: cannot read the key '{spec}'; write one column, "
            "(column, column, ...), or 'none unique; <why>'"
        )
    return ModelKey(model.qualified_name, columns)


def model_keys(models: list[Model]) -> list[ModelKey]:
    """Every model's key, in the models' order; raises KeyHeaderError naming each problem."""
    keys, problems = [], []
    for model in models:
        try:
            keys.append(parse_key(model))
        except KeyHeaderError as exc:
            problems.append(str(exc))
    if problems:
        raise KeyHeaderError("; ".join(problems))
    return keys
