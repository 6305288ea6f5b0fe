"""The registry: latest values per school, its areas, and the area dimension."""

from build_rows import RawRows, build_and_open, code, rows

A = code("C1", "13", 1)
B = code("D1", "27", 2)
C = code("C1", "14", 3)


def test_a_later_schools_file_updates_what_it_names_and_keeps_the_rest(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools(
        [(A, "旧名中学校", "13101", "H1", "ハブ1", 300), (B, "大阪高校", "27100", None, None)]
    )
    raw.schools([(A, "新名中学校", "13102", None, None, None)])  # hub and enrolment not given
    snap = build_and_open(raw)

    assert rows(
        snap,
        "select school_code, school_name, municipality_code, hub_code, hub_name, enrolment "
        "from marts.dim_school order by 1",
    ) == [
        (A, "新名中学校", "13102", "H1", "ハブ1", 300),
        (B, "大阪高校", "27100", None, None, None),
    ]


def test_school_type_prefecture_and_region_come_from_the_school_code(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools([(A, "第一中学校", "13101", None, None), (B, "大阪高校", "27100", None, None)])
    snap = build_and_open(raw)

    assert rows(
        snap,
        "select school_type, school_type_ja, establishment_ja, prefecture_code, prefecture_ja, "
        "region_code, region_ja, secondary from marts.dim_school order by school_code",
    ) == [
        ("C1", "中学校", "公立", "13", "東京都", "R3", "関東", True),
        ("D1", "高等学校", "公立", "27", "大阪府", "R5", "近畿", True),
    ]


def test_every_school_belongs_to_each_level_it_has_and_no_hub_row_without_a_hub(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools([(A, "第一中学校", "13101", "H1", "ハブ1"), (B, "大阪高校", "27100", None, None)])
    snap = build_and_open(raw)

    assert rows(
        snap, "select school_code, area_level, area_code from marts.school_area order by 1, 2"
    ) == [
        (A, "hub", "H1"),
        (A, "municipality", "13101"),
        (A, "national", "JP"),
        (A, "prefecture", "13"),
        (A, "region", "R3"),
        (B, "municipality", "27100"),
        (B, "national", "JP"),
        (B, "prefecture", "27"),
        (B, "region", "R5"),
    ]


def test_area_dimension_has_every_prefecture_and_the_municipalities_and_hubs_in_use(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools(
        [
            (A, "第一中学校", "13101", "H1", "東京ハブ"),
            (C, "横浜中学校", "14100", "H2", "広域ハブ"),
            (B, "大阪高校", "27100", "H2", "広域ハブ"),
        ]
    )
    snap = build_and_open(raw)

    counts = dict(rows(snap, "select area_level, count(*) from marts.dim_area group by 1"))
    assert counts == {"national": 1, "region": 8, "prefecture": 47, "municipality": 3, "hub": 2}
    assert rows(
        snap,
        "select area_code, area_name_ja, parent_level, parent_code from marts.dim_area "
        "where area_level in ('hub', 'municipality') order by area_level, area_code",
    ) == [
        ("H1", "東京ハブ", "prefecture", "13"),  # within one prefecture
        ("H2", "広域ハブ", "national", "JP"),  # across prefectures
        ("13101", "13101", "prefecture", "13"),  # no name given: the code stands in
        ("14100", "14100", "prefecture", "14"),
        ("27100", "27100", "prefecture", "27"),
    ]
    assert rows(
        snap,
        "select grid_row, grid_col, parent_code from marts.dim_area "
        "where area_level = 'prefecture' and area_code = '13'",
    ) == [(2, 6, "R3")]
