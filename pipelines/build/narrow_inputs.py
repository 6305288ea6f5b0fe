"""Inputs a model reads only in part when an incremental build rebuilds part of it.

An incremental build rebuilds the changed rows of a model as `select * from (<its SQL>) where
<the change's predicate>` (pipelines/build/incremental.py). DuckDB pushes that predicate into
the model's inputs only where it can: not into a CTE read twice (which it materialises whole),
nor across a left join when it is a list of areas. A model narrowed to areas then aggregates
every area of every year to keep a few, and its rebuild grows with the warehouse, not with the
change (the whole national warehouse: 50 ms where 16 ms reads what the change needs).

A model may declare, in its header, which rows of an input the rows it rebuilds can depend on:

    -- narrow input: marts.school_area where {areas}
    -- narrow input: marts.school_year_summary where academic_year >= {start} - 1

and its incremental rebuild reads `marts.school_area` as `(select * from marts.school_area where
<the changed areas>)`. The placeholders are the change's own: `{areas}` its areas (area_level,
area_code), `{schools}` its schools, `{years}` its years as the model's partition selects them,
`{start}` its earliest year. A declaration whose placeholder the change does not have (areas, when
the narrowing was dropped) is not applied: the input is read whole, which is always right.
A full build never narrows. What the header states is the model author's to keep true; the tests
that compare incremental with full builds file after file check it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pipelines.build.models import Model, strip_comments

_PLACEHOLDER = re.compile(r"\{(areas|schools|years|start)\}")


class NarrowInputError(ValueError):
    """A `-- narrow input:` line names an input the model does not read in a from or a join."""


def narrowed_body(model: Model, values: Mapping[str, str | None]) -> str:
    """The model's SQL with each declared input read only where the change can reach it;
    `values`: the change's SQL for each placeholder, None where it has none."""
    body = model.body.strip().rstrip(";")
    for name, template in model.narrow_inputs:
        wanted = _PLACEHOLDER.findall(template)
        if any(values[key] is None for key in wanted):
            continue  # not narrowed this time: read whole
        condition = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
        body = _read_narrowed(model, body, name, condition)
    return body


def _read_narrowed(model: Model, body: str, name: str, condition: str) -> str:
    """`body` with each `from name` / `join name` read as `(select * from name where condition)`,
    under the alias it had (its own, or the table's name)."""
    reference = re.compile(
        rf"\b(from|join)\s+{re.escape(name)}\b(?!\.)(\s+as\s+([a-z_][a-z0-9_]*))?",
        re.IGNORECASE,
    )
    if not reference.search(strip_comments(body)):
        raise NarrowInputError(
            f"{model.qualified_name}: '-- narrow input: {name}' names an input it does not "
            "read in a from or a join"
        )
    alias = name.split(".", 1)[1]
    return reference.sub(
        lambda m: f"{m.group(1)} (select * from {name} where {condition}) as {m.group(3) or alias}",
        body,
    )
