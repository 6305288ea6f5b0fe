"""Names fall back to codes in the marts: a schools file may give hub and municipality codes."""

from build_rows import RawRows, build_and_open, code, rows

A, B, C = code("C1", "13", 1), code("C1", "13", 2), code("C1", "14", 3)


def test_a_hub_and_municipality_given_only_by_code_are_named_by_their_code(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    # build_rows writes no municipality names; hub H9 comes with codes only.
    raw.schools([(A, "第一中学校", "13101", "H9", None), (C, "横浜中学校", "14100", None, None)])
    snap = build_and_open(raw)

    assert rows(
        snap,
        "select school_code, municipality_name, hub_code, hub_name from marts.dim_school "
        "order by 1",
    ) == [(A, "13101", "H9", "H9"), (C, "14100", None, None)]  # no hub: no hub name
    assert rows(
        snap,
        "select area_level, area_code, area_name_ja, area_name_en from marts.dim_area "
        "where area_level in ('municipality', 'hub') order by 1, 2",
    ) == [
        ("hub", "H9", "H9", "H9"),
        ("municipality", "13101", "13101", "13101"),
        ("municipality", "14100", "14100", "14100"),
    ]


def test_a_school_without_the_hub_name_takes_the_name_other_schools_give(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools(
        [(A, "第一中学校", "13101", "H1", "湾岸ハブ"), (B, "第二中学校", "13101", "H1", None)]
    )
    snap = build_and_open(raw)

    assert rows(snap, "select school_code, hub_name from marts.dim_school order by 1") == [
        (A, "湾岸ハブ"),
        (B, "湾岸ハブ"),
    ]
