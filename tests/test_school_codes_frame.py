"""The school codes' details worked out by polars for many codes at once (ingest's lookup of a
registry) are exactly those normalise.school_code gives one code at a time."""

from __future__ import annotations

import polars as pl

from pipelines.codes import make_school_code
from pipelines.ingest.school_codes import school_code_frame
from pipelines.ingest.staging import _CODE_FIELDS, _school_code_details
from pipelines.reference import prefecture_by_code, school_types


def _codes() -> list[str]:
    valid = [
        make_school_code(type_code, prefecture, establishment, number)
        for type_code in school_types()
        for prefecture in prefecture_by_code()
        for establishment in ("1", "2", "3")
        for number in (1, 4_321, 9_999_999)
    ]
    broken = []
    for code in valid[::7]:
        broken += [
            code.lower(),  # upper-cased, then valid
            code[:12] + str((int(code[12]) + 1) % 10),  # wrong check digit
            code[:12],  # too short
            code + "0",  # too long
            "Z" + code[1:],  # no such type letter
            code[:2] + "48" + code[4:],  # no such prefecture
            code[:2] + "00" + code[4:],
            code[:4] + "4" + code[5:],  # no such establishment
            code[:6] + "X" + code[7:],  # a letter among the digits
            code[:6] + "\uff11" + code[7:],  # a full-width digit (not ASCII)
            code[:6] + "\u0663" + code[7:],  # an Arabic-Indic digit (Python's \d takes it)
        ]
    return list(dict.fromkeys(valid + broken + ["", "A", "a1", "B1", " C1132174000590"]))


def test_polars_details_equal_the_one_code_parser_for_every_code():
    codes = _codes()
    frame = school_code_frame(codes, _CODE_FIELDS, _school_code_details, "value")

    assert frame.height == len(codes)
    assert frame.schema == pl.Schema({"value": pl.String, **_CODE_FIELDS})
    got = {row.pop("value"): row for row in frame.iter_rows(named=True)}
    for code in codes:
        expected = _school_code_details(code)
        assert got[code] == {name: expected.get(name) for name in _CODE_FIELDS}, code
    # The cases above are not all refused: valid codes, lower-cased ones and wrong check digits
    # are well formed, and the Arabic-Indic digit is a digit to Python's parser.
    assert 0 < sum(row["code_ok"] for row in got.values()) < len(codes)
    assert any(row["code_ok"] and not row["check_ok"] for row in got.values())


def test_a_lookup_for_fewer_fields_is_made_from_one_kept_for_more_and_grows_apart_from_it():
    """A registry's codes are parsed with the fields the schools' rules read; the files after
    it read fewer, and take their lookup from the registry's. Each then learns its own new
    codes: a code met by one is parsed again, not taken as known, by the other."""
    from pipelines.ingest.staging import _CODE_CHECKED, _CODE_CHECKED_SCHOOLS, _joined

    codes = _codes()
    registry, later, third = codes[:40], codes[20:60], codes[50:70]
    lookups: dict = {}

    def typed(values: list[str], fields: dict) -> pl.DataFrame:
        series = pl.Series(values, dtype=pl.String)
        return _joined(lookups, 10**6, series, _school_code_details, fields, None)

    def expected(values: list[str], fields: dict) -> pl.DataFrame:
        rows = [_school_code_details(v) for v in values]
        return pl.DataFrame(
            [pl.Series(n, [r.get(n) for r in rows], dtype=t) for n, t in fields.items()]
        )

    assert typed(registry, _CODE_CHECKED_SCHOOLS).equals(expected(registry, _CODE_CHECKED_SCHOOLS))
    assert typed(later, _CODE_CHECKED).equals(expected(later, _CODE_CHECKED))
    assert len(lookups) == 2  # the narrower lookup is kept under its own fields
    # Codes 50-59 were met only by the narrower lookup: the wider one still parses them.
    assert typed(third, _CODE_CHECKED_SCHOOLS).equals(expected(third, _CODE_CHECKED_SCHOOLS))
    assert typed(third, _CODE_CHECKED).equals(expected(third, _CODE_CHECKED))
