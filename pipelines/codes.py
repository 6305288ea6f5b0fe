"""Validators for the MEXT school code and the JIS X 0402 municipality code.

The school-code check digit rule is inferred from real codes (docs/domain.md), not published, so
callers decide whether a mismatch rejects the row or only warns (see settings
`school_code_check_digit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.reference import establishments, prefecture_by_code, school_types

_SCHOOL_CODE = re.compile(r"^([A-H])(\d)(\d{2})([1-3])(\d{7})(\d)$")
_MUNICIPALITY_CODE = re.compile(r"^\d{5}\d?$")


@dataclass(frozen=True)
class SchoolCode:
    code: str
    type_code: str  # e.g. "C1"
    prefecture_code: str  # "01".."47"
    establishment_code: str  # "1".."3"


# The digit sum of twice each digit: 0, 2, 4, 6, 8, 1 (10), 3 (12), 5 (14), 7 (16), 9 (18).
_DOUBLED_DIGIT_SUM = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def school_code_check_digit(first12: str) -> int:
    """Check digit for the first 12 characters of a school code (letter counts as A=1 … H=8).

    Each value at an even position (the letter's first) counts twice, as the sum of the digits
    of its double; those at odd positions once; the check digit brings the total to a ten."""
    letter = 2 * (ord(first12[0]) - ord("A") + 1)
    total = letter // 10 + letter % 10
    total += sum(map(int, first12[1:12:2]))
    total += sum(_DOUBLED_DIGIT_SUM[int(c)] for c in first12[2:12:2])
    return (10 - total % 10) % 10


def school_code_format_ok(code: str) -> bool:
    """True when `code` has the shape of a MEXT school code with a known type and prefecture."""
    m = _SCHOOL_CODE.match(code)
    if not m:
        return False
    letter, digit, pref, _est, _num, _check = m.groups()
    return (letter + digit) in school_types() and pref in prefecture_by_code()


def school_code_check_ok(code: str) -> bool:
    return school_code_format_ok(code) and school_code_check_digit(code[:12]) == int(code[12])


def parse_school_code(code: str) -> SchoolCode | None:
    """Split a well-formed school code into its parts (None when the format is wrong)."""
    if not school_code_format_ok(code):
        return None
    return SchoolCode(
        code=code, type_code=code[:2], prefecture_code=code[2:4], establishment_code=code[4]
    )


def make_school_code(
    type_code: str, prefecture_code: str, establishment_code: str, number: int
) -> str:
    """Build a school code with a valid check digit (used by the sample generator and tests)."""
    if establishment_code not in establishments():
        raise ValueError(f"unknown establishment {establishment_code!r}")
    first12 = f"{type_code}{prefecture_code}{establishment_code}{number:07d}"
    return first12 + str(school_code_check_digit(first12))


def municipality_check_digit(first5: str) -> int:
    total = sum(int(d) * w for d, w in zip(first5, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def normalise_municipality_code(code: str) -> str | None:
    """The 5-digit municipality code for a 5- or 6-digit input, or None when it is invalid.

    A 6-digit code must carry the right check digit; the prefecture part must be 01-47.
    """
    if not _MUNICIPALITY_CODE.match(code):
        return None
    first5 = code[:5]
    if first5[:2] not in prefecture_by_code():
        return None
    if len(code) == 6 and int(code[5]) != municipality_check_digit(first5):
        return None
    return first5


def municipality_code_with_check(first5: str) -> str:
    return first5 + str(municipality_check_digit(first5))
