"""Parsers for one text value each (already NFKC-normalised and trimmed by the reader).

They run once per DISTINCT value of a column (see `staging`), never once per row: school files
repeat a few codes, dates, grades and labels thousands of times. Each returns None when the value
cannot be read; the rules then say why.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

from pipelines.codes import (
    normalise_municipality_code,
    parse_school_code,
    school_code_check_digit,
)
from pipelines.reference import activity_types, prefecture_lookup, school_types
from pipelines.warehouse import sql_str  # noqa: F401 - staging and validate use n.sql_str

# 令和 began 2019 (令和元年 = 2019); 平成 began 1989. "R7" and "H30" are the usual abbreviations.
_ERA_OFFSET = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
_YEAR = re.compile(r"^(?:FY)?(令和|平成|R|H)?([0-9]{1,4}|元)(?:年度|年)?$")
_DATE = re.compile(
    r"^(令和|平成|R|H)?([0-9]{1,4}|元)[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?$"
)
_SERIAL = re.compile(r"^[0-9]{5}(?:\.0+)?$")
_TERM = re.compile(r"^第?([0-9]+)(?:学期|期|TERM)?$")
_SCORE = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?%?$")
_GRADE = re.compile(r"^(?:小|中|高)?([0-9]{1,2})(?:年生|年)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, given its 1900 leap-year bug

# Values that mean "this benchmark was not assessed".
NOT_ASSESSED = frozenset({"-", "ー", "―", "−", "‐", "–", "—", "未回答", "未評価"})


def _era_year(era: str | None, number: str) -> int | None:
    if era:
        n = 1 if number == "元" else int(number)
        return _ERA_OFFSET[era] + n
    return int(number) if len(number) == 4 else None


def academic_year(value: str) -> int | None:
    """`2025`, `2025年度`, `令和7年度`, `R7`, `令和元年度`, `FY2025` -> 2025."""
    m = _YEAR.match(value.upper())
    return _era_year(m.group(1), m.group(2)) if m else None


def date(value: str) -> dt.date | None:
    """ISO, slashes, dots, `2025年7月15日`, era forms (`令和7年7月15日`, `R7.7.15`), Excel serials.

    An impossible date (2025-02-30) gives None; a trailing time of day is ignored.
    """
    m = _DATE.match(value.upper())
    if m:
        year = _era_year(m.group(1), m.group(2))
        try:
            return dt.date(year, int(m.group(3)), int(m.group(4))) if year else None
        except ValueError:
            return None
    if _SERIAL.match(value):
        return _EXCEL_EPOCH + dt.timedelta(days=int(float(value)))
    return None


def term(value: str) -> int | None:
    """`1`-`3`, `1学期`, `第2学期`, `前期` (=1), `後期` (=2); other numbers give None."""
    if value == "前期":
        return 1
    if value == "後期":
        return 2
    m = _TERM.match(value.upper())
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 3 else None


def not_assessed(value: str | None) -> bool:
    return value is None or value in NOT_ASSESSED


def score(value: str) -> float | None:
    """`85`, `85%`, `85.0` (full-width forms are already half-width) -> 85.0; else None."""
    return float(value.rstrip("%")) if _SCORE.match(value) else None


def grade(value: str) -> int | None:
    """`2`, `2年`, `2年生`, `中2` -> 2."""
    m = _GRADE.match(value)
    return int(m.group(1)) if m else None


def number(value: str) -> float | None:
    """A plain decimal number (thousands separators allowed), else None."""
    try:
        return float(value.replace(",", ""))
    except ValueError:
        return None


def school_code(value: str) -> dict[str, object]:
    """The code upper-cased, whether its form is right, the check digit it should have and
    whether it has it (found once per distinct code here, not once per row in the rules' SQL)."""
    code = value.upper()
    parts = parse_school_code(code)
    if parts is None:
        return {"code": code, "code_ok": False}
    school_type = school_types()[parts.type_code]
    expected = str(school_code_check_digit(code[:12]))
    return {
        "code": code,
        "code_ok": True,
        "check_expected": expected,
        "check_ok": code[12] == expected,
        "code_prefecture": parts.prefecture_code,
        "code_type": parts.type_code,
        "grade_min": school_type.min_grade,
        "grade_max": school_type.max_grade,
    }


def municipality_code(value: str) -> str | None:
    """The 5-digit code; a 4-digit value lost its leading zero in Excel, so pad it back."""
    digits = "0" + value if len(value) == 4 and value.isdigit() else value
    return normalise_municipality_code(digits)


def labelled_value(value: str) -> str:
    """MEXT lists write `13(東京都)` or `2(公)`: keep the part before the label; case-folded."""
    return re.sub(r"\(.*\)$", "", value).strip().casefold()


def prefecture_code(value: str) -> str | None:
    key = labelled_value(value)
    lookup = {k.casefold(): v for k, v in prefecture_lookup().items()}
    return lookup.get(key)


@cache
def _type_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for code, t in school_types().items():
        for spelling in (code, t.name_ja, t.name_en):
            aliases.setdefault(spelling.casefold(), code)
    return aliases


def school_type_code(value: str) -> str | None:
    return _type_aliases().get(labelled_value(value))


def header_free(text: str) -> str:
    """Comparable form of a label: NFKC, case-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@cache
def _activity_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for code, a in activity_types().items():
        for spelling in (code, a.name_ja, a.name_en):
            aliases.setdefault(header_free(spelling), code)
    return aliases


def activity_code(value: str) -> str | None:
    """An activity type code from its code, Japanese label or English label."""
    return _activity_aliases().get(header_free(value))


# Answers to criteria (data-contract, "Second edition"), compared NFKC-normalised, case-folded,
# without spaces, underscores or hyphens: "Not Started", "not_started" and full-width forms agree.
_YES_NO = {
    **dict.fromkeys(("はい", "yes", "y", "○", "〇", "◯", "1", "true"), 100.0),
    **dict.fromkeys(("いいえ", "no", "n", "×", "✕", "0", "false"), 0.0),
}
_PROGRESS = {
    **dict.fromkeys(("未着手", "notstarted"), 0.0),
    **dict.fromkeys(("取組中", "取り組み中", "取組み中", "inprogress"), 50.0),
    **dict.fromkeys(("達成", "achieved"), 100.0),
}


def _answer_key(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value).strip().casefold()
    return re.sub(r"[\s_\-]+", "", folded)


def criterion_answer(kind: str, value: str) -> float | None:
    """The score 0-100 an answer gives a criterion of `kind`, or None when it does not fit.

    yes_no: はい/いいえ, yes/no, ○/×, 1/0, true/false -> 100/0; progress: 未着手/取組中/達成 (not
    started/in progress/achieved) -> 0/50/100; share: `85`, `85%`, `８５％`, and a value in 0-1
    given as an Excel percentage (the reader has already multiplied it by 100) -> 85.
    Out of 0-100 -> None.
    """
    key = _answer_key(value)
    if kind == "yes_no":
        return _YES_NO.get(key.removesuffix(".0") if key in ("1.0", "0.0") else key)
    if kind == "progress":
        return _PROGRESS.get(key)
    if kind == "share":
        share = score(key)
        return share if share is not None and 0 <= share <= 100 else None
    return None
