"""Year of schooling (通算学年): grades that mean the same children in every kind of school.

Grades restart at 1 in each kind of school, so "grade 1" of a junior high and of a high school
are different children. Anything aggregated across schools uses the year of schooling instead
(data contract, second edition): grade + an offset by school type. The offsets below are the
only copy; the build loads them into `ref.schooling_offsets` for the SQL models, and the
dashboard and the reports label a year with `label()`, so both say it the way people do
(中2, 高1; in English "Year 8 (JHS 2)").
"""

from __future__ import annotations

from pipelines.i18n import t

# School type (first two characters of the school code) -> years of schooling before its grade 1.
OFFSETS: dict[str, int] = {
    "B1": 0,  # 小学校
    "C1": 6,  # 中学校
    "D1": 9,  # 高等学校
    "C2": 0,  # 義務教育学校 (grades 1-9)
    "D2": 6,  # 中等教育学校 (grades 1-6 = 中1-高3)
    "E1": 0,  # 特別支援学校 (grades already given 1-12)
}

# Years of schooling with a label of their own (schooling.year_N: 小1 … 高3).
LABELLED_YEARS = range(1, 13)


def year_of_schooling(school_type: str, grade: int | None) -> int | None:
    """grade + the offset of `school_type`; None for a type without one or no grade."""
    offset = OFFSETS.get(school_type)
    if offset is None or grade is None:
        return None
    return grade + offset


def label(year: int | None, lang: str) -> str:
    """中2 / "Year 8 (JHS 2)"; None means all years together (全学年 / All years)."""
    if year is None:
        return t("schooling.all_years", lang)
    if year in LABELLED_YEARS:
        return t(f"schooling.year_{year}", lang)
    return t("schooling.other", lang, year=year)
