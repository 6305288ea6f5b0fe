"""School codes' details for many codes at once: the fields `normalise.school_code` gives one
code (form, check digit, type, prefecture, grade range), plus the type's and prefecture's names,
computed by polars over a column of distinct codes.

A batch's first file meets every school in Japan (a registry of 34,700 codes): one Python call
per code took 0.2 s of a 0.4 s registry file. Codes in plain ASCII (every real one) are worked
out here in a few vectorised passes; any other code goes through `normalise.school_code`, so a
code written with another script's digits is judged exactly as before. Both give the same fields
(tests/test_school_codes_frame.py compares them code by code).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import polars as pl

from pipelines.reference import prefecture_by_code, school_types

# The form of a MEXT school code: a type letter and digit, the prefecture, the establishment
# (1-3), a 7-digit number and the check digit (pipelines.codes, on ASCII text).
_FORM = r"^[A-H][0-9][0-9]{2}[1-3][0-9]{7}[0-9]$"
_LETTERS = {letter: value for value, letter in enumerate("ABCDEFGH", start=1)}


def _digit(position: int) -> pl.Expr:
    return pl.col("code").str.slice(position, 1).cast(pl.Int32, strict=False)


def _check_digit() -> pl.Expr:
    """pipelines.codes.school_code_check_digit as an expression: the letter (A=1 … H=8) and the
    digits at even positions count as the digit sum of their double, the others once."""
    letter = pl.col("code").str.head(1)
    doubled_letter = 2 * letter.replace_strict(_LETTERS, default=None, return_dtype=pl.Int32)
    total = doubled_letter // 10 + doubled_letter % 10
    for position in range(1, 12, 2):
        total = total + _digit(position)
    for position in range(2, 12, 2):
        doubled = 2 * _digit(position)
        total = total + doubled // 10 + doubled % 10
    return (10 - total % 10) % 10


@cache  # the reference files do not change while the process runs
def _reference() -> tuple[pl.DataFrame, pl.DataFrame]:
    types = pl.DataFrame(
        [(t.code, t.min_grade, t.max_grade, t.name_ja, t.name_en) for t in school_types().values()],
        schema={
            "code_type": pl.String,
            "grade_min": pl.Int64,
            "grade_max": pl.Int64,
            "type_ja": pl.String,
            "type_en": pl.String,
        },
        orient="row",
    )
    prefectures = pl.DataFrame(
        [(p.code, p.name_ja, p.name_en) for p in prefecture_by_code().values()],
        schema=dict.fromkeys(("code_prefecture", "prefecture_ja", "prefecture_en"), pl.String),
        orient="row",
    )
    return types, prefectures


def school_code_frame(
    values: list[str],
    fields: dict[str, pl.DataType],
    one: Callable[[str], dict[str, object]],
    key: str,
) -> pl.DataFrame:
    """One row per value: the value as `key` and `fields` (as `one` gives them for
    one code). `one` judges the values that are not plain ASCII."""
    ascii_values = [v for v in values if v.isascii()]
    other = [v for v in values if not v.isascii()]
    types, prefectures = _reference()
    frame = (
        pl.DataFrame({key: pl.Series(ascii_values, dtype=pl.String)})
        .lazy()
        .with_columns(code=pl.col(key).str.to_uppercase())
        .with_columns(
            code_type=pl.col("code").str.head(2),
            code_prefecture=pl.col("code").str.slice(2, 2),
            formed=pl.col("code").str.contains(_FORM),
        )
        .join(types.lazy(), on="code_type", how="left", maintain_order="left")
        .join(prefectures.lazy(), on="code_prefecture", how="left", maintain_order="left")
        .with_columns(
            code_ok=pl.col("formed")
            & pl.col("type_ja").is_not_null()
            & pl.col("prefecture_ja").is_not_null()
        )
        .with_columns(
            check_expected=pl.when(pl.col("code_ok")).then(_check_digit().cast(pl.String)),
        )
        .with_columns(
            check_ok=pl.when(pl.col("code_ok")).then(
                pl.col("code").str.slice(12, 1) == pl.col("check_expected")
            ),
            **{
                name: pl.when(pl.col("code_ok")).then(pl.col(name))
                for name in (
                    "code_type",
                    "code_prefecture",
                    "grade_min",
                    "grade_max",
                    "type_ja",
                    "type_en",
                    "prefecture_ja",
                    "prefecture_en",
                )
            },
        )
        .select(key, *(pl.col(name).cast(dtype) for name, dtype in fields.items()))
        .collect()
    )
    if other:
        results = [one(v) for v in other]
        frame = pl.concat(
            [
                frame,
                pl.DataFrame(
                    [pl.Series(key, other, dtype=pl.String)]
                    + [
                        pl.Series(name, [r.get(name) for r in results], dtype=dtype)
                        for name, dtype in fields.items()
                    ]
                ),
            ]
        )
    return frame
