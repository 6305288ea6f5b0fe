"""A small, readable warehouse for the dashboard's tests and page benchmark, made by the real build.

Twelve schools in three prefectures (two regions), three municipalities and two hubs, two
academic years. Each school's record says how many benchmarks it fully achieved each year; the
raw rows below follow from it, and `pipelines.build` makes every mart (areas, comparisons, support
flags, coverage, the public views) from those rows, so the numbers on a page can be checked by hand
from the table below and always follow the SQL models.

Returns: two a year per school, term 1 (15 July) achieving one benchmark fewer than the effective
term 2 (15 November); a benchmark not achieved scores 35 + 5 x position + the school's index.
Coverage: the first two schools roster STUDENTS_PER_GRADE students in each of grades 1-3, and
REACHED says how many of them had each kind of activity.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from build_rows import RawRows, build_snapshot

from pipelines.codes import make_school_code
from pipelines.settings import default_framework

YEARS = (2024, 2025)
MUNICIPALITIES = {"13101": "千代田区", "14100": "横浜市", "27100": "大阪市"}
HUBS = {"H01": "東京湾岸ハブ", "H02": "なにわハブ"}
BUILD_DATE = date(2026, 3, 1)

# (type, establishment, number, name, municipality, hub, enrolment,
#  benchmarks achieved in 2024, in 2025; None = no return that year)
SCHOOLS = (
    ("C1", "2", 1, "千代田中学校", "13101", "H01", 300, 3, 5),
    ("B1", "2", 2, "千代田小学校", "13101", "H01", 420, 2, 2),
    ("D1", "3", 3, "=東京私立高等学校", "13101", None, 600, 6, 8),
    ("C1", "1", 4, "お茶の水附属中学校", "13101", "H01", 360, 8, 8),
    ("C1", "2", 5, "横浜中学校", "14100", "H01", 280, 4, 1),
    ("B1", "2", 6, "横浜小学校", "14100", "H01", 500, 1, None),
    ("D1", "2", 7, "横浜高等学校", "14100", None, 700, 5, 6),
    ("B1", "3", 8, "山手小学校", "14100", None, 200, None, 3),
    ("C1", "2", 9, "大阪中学校", "27100", "H02", 320, 2, 4),
    ("B1", "2", 10, "大阪小学校", "27100", "H02", 450, 0, 1),
    ("D1", "2", 11, "大阪高等学校", "27100", "H02", 650, 7, 7),
    ("E1", "2", 12, "大阪特別支援学校", "27100", None, 90, 3, 3),
)

# Student records for the two secondary schools of 千代田区 (a junior high and a high school).
COVERAGE_SCHOOLS = (SCHOOLS[0], SCHOOLS[2])
STUDENTS_PER_GRADE = 10
# Students reached per activity type and grade, out of STUDENTS_PER_GRADE each year: workplace
# experience is a grade 2 event, so grades 1 and 3 fall under the low-coverage threshold.
REACHED = {
    "employer_encounter": {1: 8, 2: 8, 3: 8},
    "workplace_experience": {1: 3, 2: 9, 3: 3},
    "education_encounter": {1: 6, 2: 6, 3: 6},
    "guidance_interview": {1: 5, 2: 5, 3: 10},
}


def school_code(record: tuple) -> str:
    kind, establishment, number, _, municipality, *_ = record
    return make_school_code(kind, municipality[:2], establishment, number)


def score(index: int, position: int, achieved: int) -> float:
    """A benchmark's score: 100 up to the number achieved, below 100 after it."""
    return 100.0 if position <= achieved else 35.0 + 5 * position + index


def return_rows() -> list[tuple]:
    """(school_code, year, term, submitted_on, scores) for every return the schools sent."""
    benchmarks = default_framework().benchmarks
    rows = []
    for index, record in enumerate(SCHOOLS):
        for year, achieved in zip(YEARS, record[7:9], strict=True):
            if achieved is None:
                continue
            for term, reached in ((1, max(achieved - 1, 0)), (2, achieved)):
                scores = {b.id: score(index, b.position, reached) for b in benchmarks}
                submitted_on = date(year, 3 + 4 * term, 15)
                rows.append((school_code(record), year, term, submitted_on, scores))
    return rows


def roster_rows() -> list[tuple]:
    return [
        (school_code(record), year, f"S{grade}{n:02d}", grade)
        for record in COVERAGE_SCHOOLS
        for year in YEARS
        for grade in (1, 2, 3)
        for n in range(1, STUDENTS_PER_GRADE + 1)
    ]


def activity_rows() -> list[tuple]:
    return [
        (school_code(record), f"S{grade}{n:02d}", grade, kind, date(year, 10, 1))
        for record in COVERAGE_SCHOOLS
        for year in YEARS
        for kind, by_grade in REACHED.items()
        for grade, reached in by_grade.items()
        for n in range(1, reached + 1)
    ]


def write_fixture_rows(raw: RawRows) -> None:
    """The fixture's raw rows: the registry, returns, student records and two problem files."""
    raw.schools(
        [
            (school_code(r), r[3], r[4], r[5], HUBS.get(r[5]), r[6], MUNICIPALITIES[r[4]])
            for r in SCHOOLS
        ]
    )
    raw.returns(return_rows())
    raw.roster(roster_rows())
    raw.activities(activity_rows())
    raw.quarantined(
        "自己評価_2025.xlsx",
        "returns",
        24,
        [
            (7, "学校コード", "C113299999990", "school_code_unknown",
             "学校一覧にない学校コードです。", "The school code is not in the schools list."),
            (15, "B3", "120", "score_range",
             "得点は0から100の範囲で入力してください。", "A score must be between 0 and 100."),
        ],
    )  # fmt: skip
    raw.rejected("メモ.csv", "見出しが見つかりません。", "No header found.")


def make_fixture_warehouse(db_path: Path) -> Path:
    """Write the fixture's raw rows into a writer DuckDB at `db_path`, build and publish;
    the published snapshot's path."""
    raw = RawRows(db_path)
    write_fixture_rows(raw)
    return build_snapshot(raw, BUILD_DATE)
