"""Year of schooling (通算学年): grades aggregated across school types mean the same children."""

from datetime import date

import pytest
from build_rows import RawRows, build_and_open, code, rows

from pipelines import schooling

JUNIOR = code("C1", "13", 1)  # 中学校: grade 1 is year 7
HIGH = code("D1", "13", 2)  # 高等学校: grade 1 is year 10
SECONDARY = code("D2", "13", 3)  # 中等教育学校: grade 4 is year 10
PRIMARY = code("B1", "13", 4)  # 小学校: grade 1 is year 1


def test_year_of_schooling_adds_the_contracts_offset_per_school_type():
    assert schooling.year_of_schooling("B1", 6) == 6
    assert schooling.year_of_schooling("C1", 2) == 8  # 中学2年
    assert schooling.year_of_schooling("D1", 1) == 10  # 高校1年
    assert schooling.year_of_schooling("C2", 9) == 9
    assert schooling.year_of_schooling("D2", 4) == 10
    assert schooling.year_of_schooling("E1", 12) == 12
    assert schooling.year_of_schooling("F1", 1) is None  # a university has no year of schooling


@pytest.mark.parametrize(
    ("year", "ja", "en"),
    [
        (1, "小1", "Year 1 (ES 1)"),
        (8, "中2", "Year 8 (JHS 2)"),
        (10, "高1", "Year 10 (HS 1)"),
        (12, "高3", "Year 12 (HS 3)"),
        (None, "全学年", "All years"),
    ],
)
def test_a_year_of_schooling_is_labelled_the_way_people_say_it(year, ja, en):
    assert schooling.label(year, "ja") == ja
    assert schooling.label(year, "en") == en


def test_area_coverage_never_adds_junior_high_first_years_to_high_school_first_years(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools(
        [
            (JUNIOR, "一中", "13101", None, None),
            (HIGH, "一高", "13101", None, None),
            (SECONDARY, "中等", "13101", None, None),
            (PRIMARY, "一小", "13101", None, None),
        ]
    )
    raw.roster(
        [
            (JUNIOR, 2025, "j1", 1),
            (JUNIOR, 2025, "j2", 1),
            (HIGH, 2025, "h1", 1),
            (SECONDARY, 2025, "d1", 4),
            (PRIMARY, 2025, "p1", 1),
        ]
    )
    raw.activities(
        [
            (JUNIOR, "j1", 1, "employer_encounter", date(2025, 6, 1)),
            (HIGH, "h1", 1, "employer_encounter", date(2025, 6, 1)),
        ]
    )
    snap = build_and_open(raw)

    assert rows(
        snap,
        "select school_code, grade, year_of_schooling from marts.coverage "
        "where benchmark_id = 'B5' order by 3",
        [],
    ) == [(PRIMARY, 1, 1), (JUNIOR, 1, 7), (HIGH, 1, 10), (SECONDARY, 4, 10)]
    by_year = rows(
        snap,
        "select year_of_schooling, schools, students_on_roll, students_reached "
        "from marts.area_coverage where area_level = 'municipality' and area_code = '13101' "
        "and benchmark_id = 'B5' order by year_of_schooling nulls last",
    )
    assert by_year == [
        (1, 1, 1, 0),  # 小1
        (7, 1, 2, 1),  # 中1: the junior high's grade 1 only
        (10, 2, 2, 1),  # 高1: the high school's grade 1 and the secondary school's grade 4
        (None, 4, 5, 2),  # all years together
    ]
    assert rows(
        snap,
        "select count(*) from information_schema.columns "
        "where table_name in ('area_coverage', 'public_area_coverage') and column_name = 'grade'",
    ) == [(0,)]
