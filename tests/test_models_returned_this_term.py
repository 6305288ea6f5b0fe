"""Returned this term: one definition (marts.return_status.is_due) for every view and flag.

The due term of a school in a year is the year's latest term in the data, or its own last term
when its calendar has fewer (a school on 前期/後期 is due term 2 when the year is at term 3).
"""

from datetime import date

import pytest
from build_rows import RawRows, build_and_open, code, rows

THREE = code("C1", "13", 1)  # three terms, returned all three
MISSED = code("C1", "13", 2)  # three terms (a term 3 last year), returned 1 and 2, not 3
SEMESTER = code("C1", "13", 3)  # 前期/後期: returned 1 and 2
SILENT = code("C1", "13", 4)  # no return this year
BUILD_DATE = date(2026, 3, 20)


@pytest.fixture
def snap(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    schools = (THREE, MISSED, SEMESTER, SILENT)
    raw.schools([(s, f"学校{n}", "13101", "H1", "ハブ1") for n, s in enumerate(schools, 1)])
    raw.returns(
        [
            (THREE, 2025, 1, date(2025, 7, 1), {"B1": 100}),
            (THREE, 2025, 2, date(2025, 12, 1), {"B1": 100}),
            (THREE, 2025, 3, date(2026, 3, 10), {"B1": 100}),
            (MISSED, 2024, 3, date(2025, 3, 10), {"B1": 100}),  # so it runs three terms
            (MISSED, 2025, 1, date(2025, 7, 1), {"B1": 100}),
            (MISSED, 2025, 2, date(2025, 12, 1), {"B1": 100}),
            (SEMESTER, 2025, 1, date(2025, 9, 30), {"B1": 100}),
            (SEMESTER, 2025, 2, date(2026, 3, 10), {"B1": 100}),
            (SILENT, 2024, 1, date(2024, 7, 1), {"B1": 100}),
        ]
    )
    return build_and_open(raw, build_date=BUILD_DATE)


def test_each_school_is_due_its_own_latest_term_and_returned_only_if_it_sent_that(snap):
    assert rows(
        snap,
        "select school_code, term, latest_term, calendar_terms, due_term, has_return "
        "from marts.return_status where academic_year = 2025 and is_due order by 1",
    ) == [
        (THREE, 3, 3, 3, 3, True),
        (MISSED, 3, 3, 3, 3, False),  # term 3 not returned, although it has a 2025 return
        (SEMESTER, 2, 3, 2, 2, True),  # its last term is 2: returned this term
        (SILENT, 3, 3, 3, 3, False),
    ]


def test_a_school_that_missed_this_term_is_flagged_even_with_an_earlier_return(snap):
    flagged = rows(
        snap,
        "select school_code, severity, detail_en from marts.support_flags "
        "where flag = 'no_return' and academic_year = 2025 order by 1",
    )
    assert flagged == [
        (
            MISSED,
            "high",
            "No self-assessment return for term 3 of 2025 (earlier terms were returned).",
        ),
        (SILENT, "high", "No self-assessment return for academic year 2025."),
    ]
    on_list = rows(
        snap,
        "select school_code from marts.school_flag_summary where academic_year = 2025 "
        "and list_contains(flag_kinds, 'no_return') order by 1",
    )
    assert on_list == [(MISSED,), (SILENT,)]
