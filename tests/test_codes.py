"""School and municipality code validators, checked on the real codes in docs/domain.md."""

import pytest

from pipelines.codes import (
    make_school_code,
    municipality_code_with_check,
    normalise_municipality_code,
    parse_school_code,
    school_code_check_digit,
    school_code_check_ok,
    school_code_format_ok,
)

REAL_SCHOOL_CODES = ["B108254200026", "B113211700337", "F112310102342", "H113310400202"]


@pytest.mark.parametrize("code", REAL_SCHOOL_CODES)
def test_real_school_codes_pass_the_check_digit(code):
    assert school_code_check_ok(code)
    assert school_code_check_digit(code[:12]) == int(code[12])


@pytest.mark.parametrize("code", REAL_SCHOOL_CODES)
def test_changing_any_digit_of_a_real_code_breaks_the_check(code):
    for position in range(1, 13):
        if not code[position].isdigit():
            continue
        altered = code[:position] + str((int(code[position]) + 1) % 10) + code[position + 1 :]
        if school_code_format_ok(altered):
            assert not school_code_check_ok(altered), altered


@pytest.mark.parametrize(
    "code",
    [
        "B10825420002",  # 12 characters
        "B1082542000266",  # 14 characters
        "Z108254200026",  # unknown type letter
        "B908254200026",  # unknown type B9
        "B148254200026",  # prefecture 48
        "B100254200026",  # prefecture 00
        "B108454200026",  # establishment 4
        "b108254200026",  # lower case (normalisation happens before validation)
        "B1O8254200026",  # letter O for zero
    ],
)
def test_malformed_school_codes_fail_the_format(code):
    assert not school_code_format_ok(code)
    assert not school_code_check_ok(code)


def test_parse_school_code_splits_type_prefecture_and_establishment():
    parsed = parse_school_code("B113211700337")
    assert (parsed.type_code, parsed.prefecture_code, parsed.establishment_code) == (
        "B1",
        "13",
        "2",
    )


def test_make_school_code_builds_a_code_that_passes():
    code = make_school_code("C1", "23", "2", 1234567)
    assert code.startswith("C12321234567") and school_code_check_ok(code)


@pytest.mark.parametrize(
    "given, expected",
    [("13101", "13101"), ("131016", "13101"), ("01100", "01100"), ("011002", "01100")],
)
def test_real_municipality_codes_with_and_without_check_digit(given, expected):
    assert normalise_municipality_code(given) == expected


def test_municipality_check_digit_matches_domain_examples():
    assert municipality_code_with_check("13101") == "131016"
    assert municipality_code_with_check("01100") == "011002"


@pytest.mark.parametrize("code", ["131017", "011003", "1310", "1310166", "48101", "00101", "13a01"])
def test_broken_municipality_codes_are_rejected(code):
    assert normalise_municipality_code(code) is None
