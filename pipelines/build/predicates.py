"""SQL conditions selecting the rows of some years, schools or areas: what an incremental build
deletes and rebuilds (pipelines/build/incremental.py) and what a model's `-- narrow input:` lines
read (pipelines/build/narrow_inputs.py)."""

from __future__ import annotations


def ints_sql(values: frozenset[int]) -> str:
    return ", ".join(str(int(v)) for v in sorted(values)) or "null"


def strs_sql(values: frozenset[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values)) or "null"


def schools_sql(schools: frozenset[str]) -> str:
    """SQL selecting these schools' rows. The redundant range is what DuckDB carries across a
    model's left joins to every input it reads the school from (an `in` list it does not), so
    a narrowed model scans its schools' rows, not every school's: an equality for one school."""
    if len(schools) == 1:
        return f"school_code = {strs_sql(schools)}"
    low, high = strs_sql(frozenset([min(schools)])), strs_sql(frozenset([max(schools)]))
    return f"school_code between {low} and {high} and school_code in ({strs_sql(schools)})"


def areas_sql(areas: frozenset[tuple[str, str]]) -> str:
    """SQL selecting these (area_level, area_code) rows: one `in` list per level."""
    by_level: dict[str, set[str]] = {}
    for level, code in areas:
        by_level.setdefault(level, set()).add(code)
    parts = [
        f"(area_level = {strs_sql(frozenset([level]))} "
        f"and area_code in ({strs_sql(frozenset(codes))}))"
        for level, codes in sorted(by_level.items())
    ]
    return " or ".join(parts) or "false"
