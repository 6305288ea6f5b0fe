"""Journeys, cumulative and meaningful coverage, from raw rows written here and the real build."""

from datetime import date

from build_rows import RawRows, build_and_open, code, rows

ES, JHS, HS = code("B1", "13", 1), code("C1", "13", 2), code("D1", "13", 3)
OTHER_JHS = code("C1", "13", 4)


def schools(raw: RawRows) -> None:
    raw.schools(
        [
            (ES, "E小", "13101", None, None),
            (JHS, "J中", "13101", None, None),
            (HS, "H高", "13101", None, None),
            (OTHER_JHS, "O中", "13101", None, None),
        ]
    )


def test_a_journey_over_three_schools_has_the_earliest_member_as_its_id(tmp_path):
    raw = RawRows(tmp_path / "w.duckdb")
    schools(raw)
    raw.links([(ES, "e1", JHS, "j1", date(2022, 4, 1))])
    raw.links([(JHS, "j1", HS, "h1", date(2025, 4, 1))])
    raw.roster([(HS, 2025, "h1", 1)])
    snap = build_and_open(raw)
    got = rows(
        snap,
        "select school_code, student_ref, journey_id, journey_step, journey_length "
        "from marts.journey_members order by journey_step",
    )
    journey = f"{ES}:e1"
    assert got == [
        (ES, "e1", journey, 0, 3),
        (JHS, "j1", journey, 1, 3),
        (HS, "h1", journey, 2, 3),
    ]


def test_a_later_link_replaces_an_earlier_one_with_the_same_to_student(tmp_path):
    raw = RawRows(tmp_path / "w.duckdb")
    schools(raw)
    raw.links([(ES, "e1", JHS, "j1", date(2022, 4, 1))])  # wrong child
    raw.links([(ES, "e2", JHS, "j1", date(2022, 4, 2))])  # the correction
    snap = build_and_open(raw)
    got = rows(
        snap,
        "select school_code, student_ref, journey_id from marts.journey_members order by 1, 2",
    )
    # e1 is in no link now, so it is in no journey (and not a member: not rostered either).
    assert got == [(ES, "e2", f"{ES}:e2"), (JHS, "j1", f"{ES}:e2")]


def test_cumulative_coverage_counts_earlier_schools_and_years_never_later_ones(tmp_path):
    raw = RawRows(tmp_path / "w.duckdb")
    schools(raw)
    raw.links(
        [
            (JHS, "j1", HS, "h1", date(2025, 4, 1)),
            (JHS, "j2", HS, "h2", date(2025, 4, 1)),
            (OTHER_JHS, "o3", HS, "h3", date(2025, 4, 1)),
        ]
    )
    raw.roster([(HS, 2025, s, 1) for s in ("h1", "h2", "h3", "h4")])
    raw.roster([(HS, 2026, s, 2) for s in ("h1", "h2", "h3", "h4")])
    raw.activities(
        [
            (JHS, "j1", 2, "workplace_experience", date(2024, 11, 5)),  # before: counts
            (OTHER_JHS, "o3", 3, "workplace_experience", date(2025, 1, 20)),  # before: counts
            (HS, "h4", 2, "workplace_experience", date(2026, 7, 1)),  # a later year: not in 2025
            (JHS, "j2", 3, "employer_encounter", date(2024, 6, 1)),  # another benchmark
        ]
    )
    snap = build_and_open(raw)
    query = (
        "select academic_year, students_on_roll, students_reached_ever, coverage_ever_pct "
        "from marts.cumulative_coverage where school_code = ? and benchmark_id = 'B6' "
        "order by 1"
    )
    assert rows(snap, query, [HS]) == [(2025, 4, 2, 50.0), (2026, 4, 3, 75.0)]
    before = rows(
        snap,
        "select academic_year, students_reached_before from marts.cumulative_coverage "
        "where school_code = ? and benchmark_id = 'B6' order by 1",
        [HS],
    )
    assert before == [(2025, 2), (2026, 2)]  # h4 was reached here, not before arriving
    this_year = rows(
        snap,
        "select students_reached from marts.coverage where school_code = ? "
        "and academic_year = 2025 and benchmark_id = 'B6'",
        [HS],
    )
    assert this_year == [(0,)]  # this year's coverage at the high school: nobody yet
    by_year = rows(
        snap,
        "select year_of_schooling, students_on_roll, students_reached_ever "
        "from marts.area_cumulative_coverage where area_level = 'national' "
        "and academic_year = 2025 and benchmark_id = 'B6'",
    )
    assert by_year == [(10, 4, 2)]  # 高1 = year 10


def test_a_student_at_a_later_school_does_not_carry_back_to_the_earlier_one(tmp_path):
    raw = RawRows(tmp_path / "w.duckdb")
    schools(raw)
    raw.links([(JHS, "j1", HS, "h1", date(2025, 4, 1))])
    raw.roster([(JHS, 2024, "j1", 3)])
    raw.activities([(HS, "h1", 1, "workplace_experience", date(2024, 8, 1))])  # odd but later step
    snap = build_and_open(raw)
    got = rows(
        snap,
        "select students_reached_ever from marts.cumulative_coverage "
        "where school_code = ? and benchmark_id = 'B6'",
        [JHS],
    )
    assert got == [(0,)]


def test_meaningful_counts_only_prepared_and_reflected_activities(tmp_path):
    raw = RawRows(tmp_path / "w.duckdb")
    schools(raw)
    raw.roster([(JHS, 2025, s, 2) for s in ("a", "b", "c", "d")])
    raw.activities(
        [
            (JHS, "a", 2, "workplace_experience", date(2025, 7, 1), None, True, True),
            (JHS, "b", 2, "workplace_experience", date(2025, 7, 1), None, True, False),
            (JHS, "c", 2, "workplace_experience", date(2025, 7, 1), None, None, True),
        ]
    )
    snap = build_and_open(raw)
    got = rows(
        snap,
        "select students_reached, meaningful_reached, meaningful_coverage_pct, "
        "activities_counted, activities_prep_unknown, round(prep_unknown_pct, 4) "
        "from marts.coverage where school_code = ? and benchmark_id = 'B6'",
        [JHS],
    )
    assert got == [(3, 1, 25.0, 3, 1, round(100 / 3, 4))]


def test_final_year_students_without_a_workplace_experience_so_far_are_flagged(tmp_path):
    raw = RawRows(tmp_path / "w.duckdb")
    schools(raw)
    raw.roster([(JHS, 2025, s, 3) for s in ("a", "b")] + [(JHS, 2025, "c", 2)])
    raw.activities([(JHS, "a", 2, "workplace_experience", date(2024, 7, 1))])
    snap = build_and_open(raw)
    got = rows(
        snap,
        "select grade, benchmark_id, detail_en from marts.support_flags "
        "where school_code = ? and flag = 'no_workplace_so_far'",
        [JHS],
    )
    assert len(got) == 1 and got[0][:2] == (3, "B6")
    assert "1 of 2 students" in got[0][2]


def test_area_cumulative_coverage_is_suppressed_when_it_leaves_the_building(tmp_path):
    """min_students = 10 by default: a municipality's 4 first-years are never published."""
    raw = RawRows(tmp_path / "w.duckdb")
    schools(raw)
    raw.links([(JHS, "j1", HS, "h1", date(2025, 4, 1))])
    raw.roster([(HS, 2025, s, 1) for s in ("h1", "h2", "h3", "h4")])
    raw.activities([(JHS, "j1", 2, "workplace_experience", date(2024, 11, 5))])
    snap = build_and_open(raw)
    query = (
        "select students_reached_ever, coverage_ever_pct, suppressed from marts.{table} "
        "where area_level = 'municipality' and area_code = '13101' and academic_year = 2025 "
        "and year_of_schooling = 10 and benchmark_id = 'B6'"
    )
    assert rows(
        snap, query.format(table="area_cumulative_coverage").replace(", suppressed", "")
    ) == [(1, 25.0)]
    assert rows(snap, query.format(table="public_area_cumulative_coverage")) == [(None, None, True)]
    public = rows(
        snap,
        "select meaningful_reached, meaningful_coverage_pct, prep_unknown_pct, suppressed "
        "from marts.public_area_coverage where area_level = 'municipality' "
        "and academic_year = 2025 and year_of_schooling = 10 and benchmark_id = 'B6'",
    )
    assert public == [(None, None, None, True)]
