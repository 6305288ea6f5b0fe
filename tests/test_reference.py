"""Reference data: prefectures, regions, the tile grid, school types, activity types."""

from collections import Counter

from pipelines.reference import (
    activity_types,
    establishments,
    prefecture_by_code,
    prefecture_lookup,
    prefectures,
    regions,
    school_types,
)


def test_there_are_47_prefectures_coded_01_to_47():
    assert [p.code for p in prefectures()] == [f"{i:02d}" for i in range(1, 48)]


def test_eight_regions_in_domain_order_cover_their_prefecture_ranges():
    assert [r.code for r in regions()] == [f"R{i}" for i in range(1, 9)]
    expected_ranges = {
        "R1": (1, 1),
        "R2": (2, 7),
        "R3": (8, 14),
        "R4": (15, 23),
        "R5": (24, 30),
        "R6": (31, 35),
        "R7": (36, 39),
        "R8": (40, 47),
    }
    for p in prefectures():
        low, high = expected_ranges[p.region_code]
        assert low <= int(p.code) <= high, p


def test_region_names_are_the_usual_eight():
    assert [r.name_ja for r in regions()] == [
        "北海道",
        "東北",
        "関東",
        "中部",
        "近畿",
        "中国",
        "四国",
        "九州・沖縄",
    ]


def test_tile_grid_has_no_two_prefectures_in_one_cell():
    cells = Counter((p.grid_row, p.grid_col) for p in prefectures())
    assert max(cells.values()) == 1
    assert all(1 <= r <= 7 and 1 <= c <= 7 for r, c in cells)


def test_tile_grid_places_corners_as_in_domain_notes():
    by_code = prefecture_by_code()
    assert (by_code["01"].grid_row, by_code["01"].grid_col) == (7, 7)  # 北海道 top right
    assert (by_code["47"].grid_row, by_code["47"].grid_col) == (1, 1)  # 沖縄 bottom left
    assert (by_code["13"].grid_row, by_code["13"].grid_col) == (2, 6)  # 東京


def test_prefecture_lookup_accepts_code_full_short_and_english_names():
    lookup = prefecture_lookup()
    assert lookup["東京都"] == lookup["東京"] == lookup["13"] == lookup["tokyo"] == "13"
    assert lookup["北海道"] == lookup["1"] == "01"


def test_school_types_and_establishments_follow_the_school_code_letters():
    types = school_types()
    assert types["C1"].name_ja == "中学校" and types["C1"].max_grade == 3
    assert types["C2"].max_grade == 9 and types["E1"].max_grade == 12
    assert sum(t.national_count_2025 or 0 for t in types.values()) == 34709
    assert {e.code: e.name_ja for e in establishments().values()} == {
        "1": "国立",
        "2": "公立",
        "3": "私立",
    }


def test_activity_types_are_the_six_of_the_data_contract():
    assert list(activity_types()) == [
        "career_information",
        "curriculum_link",
        "employer_encounter",
        "workplace_experience",
        "education_encounter",
        "guidance_interview",
    ]
