"""The dashboard's named queries on the fixture snapshot (tests/dashboard_fixture.py, built by the
real build from raw rows): selections, scope, the needs-support list and exports."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import polars as pl
import pytest
from build_rows import RawRows, build_snapshot, code
from dashboard_fixture import SCHOOLS, YEARS, make_fixture_warehouse, school_code

from dashboard import exports
from dashboard.queries import areas as q_areas
from dashboard.queries import quality as q_quality
from dashboard.queries import schools as q_schools
from dashboard.scope import Scope
from pipelines.settings import settings
from pipelines.warehouse import open_snapshot

EVERYTHING = Scope.everything()
HUB_H01 = Scope.areas("hub", ("H01",))


@pytest.fixture(scope="module")
def cursor(tmp_path_factory):
    con = open_snapshot(make_fixture_warehouse(tmp_path_factory.mktemp("marts") / "shirube.duckdb"))
    yield con.cursor()
    con.close()


@pytest.mark.parametrize(
    ("level", "code"),
    [("national", "JP"), ("prefecture", "14"), ("municipality", "27100"), ("hub", "H01")],
)
def test_selection_summary_of_an_area_equals_its_area_year_summary_mart(cursor, level, code):
    year = YEARS[-1]
    mart = cursor.sql(
        "select schools_registered, schools_reporting, avg_benchmarks_achieved, "
        "pct_all_achieved from marts.area_year_summary "
        "where area_level = ? and area_code = ? and academic_year = ?",
        params=[level, code, year],
    ).fetchall()[0]
    selection = dict(hub=code) if level == "hub" else dict(area_level=level, area_code=code)
    mine = q_areas.selection_summary(cursor, EVERYTHING, year=year, **selection).row(-1, named=True)
    assert (mine["schools_registered"], mine["schools_reporting"]) == mart[:2]
    assert mine["avg_benchmarks_achieved"] == pytest.approx(mart[2])
    assert mine["pct_all_achieved"] == pytest.approx(mart[3])


def test_selection_summary_filters_by_school_type_and_establishment(cursor):
    summary = q_areas.selection_summary(
        cursor, EVERYTHING, year=YEARS[-1], school_type="C1", establishment="2"
    ).row(-1, named=True)
    public_juniors = [s for s in SCHOOLS if s[0] == "C1" and s[1] == "2"]
    assert summary["schools_registered"] == len(public_juniors)
    achieved = [s[8] for s in public_juniors if s[8] is not None]
    assert summary["avg_benchmarks_achieved"] == pytest.approx(sum(achieved) / len(achieved))


def test_school_queries_return_nothing_outside_the_viewers_scope(cursor):
    osaka = next(s for s in SCHOOLS if s[5] == "H02")
    inside = next(s for s in SCHOOLS if s[5] == "H01")
    assert q_schools.school_info(cursor, HUB_H01, school=school_code(osaka)).is_empty()
    assert not q_schools.school_info(cursor, HUB_H01, school=school_code(inside)).is_empty()
    found = q_schools.find_schools(cursor, HUB_H01, text="学校")
    assert set(found["school_code"]) == {school_code(s) for s in SCHOOLS if s[5] == "H01"}
    flagged = q_schools.flagged_schools(cursor, HUB_H01, year=YEARS[-1])
    assert set(flagged["school_code"]) <= {school_code(s) for s in SCHOOLS if s[5] == "H01"}
    assert q_quality.quarantine(cursor, HUB_H01).is_empty()


def test_areas_outside_scope_come_only_from_the_suppressed_public_marts(cursor):
    prefectures = q_areas.area_summaries(cursor, HUB_H01, level="prefecture", year=YEARS[-1])
    # every fixture prefecture has fewer schools than the suppression threshold
    assert (prefectures["schools_registered"] < settings()["suppression"]["min_schools"]).all()
    assert prefectures["suppressed"].to_list() == [True] * 3
    assert prefectures["avg_benchmarks_achieved"].null_count() == 3
    hubs = q_areas.area_summaries(cursor, HUB_H01, level="hub", year=YEARS[-1])
    own = hubs.filter(area_code="H01").row(0, named=True)
    assert own["avg_benchmarks_achieved"] is not None and own["suppressed"] is False


def test_flagged_schools_are_ranked_most_severe_first_then_by_number_of_flags(cursor):
    flagged = q_schools.flagged_schools(cursor, EVERYTHING, year=YEARS[-1])
    keys = list(zip(flagged["severity_rank"], flagged["flags"], strict=True))
    assert keys == sorted(keys, reverse=True)
    no_return = {school_code(s) for s in SCHOOLS if s[8] is None}
    assert set(flagged.filter(severity_rank=3)["school_code"]) == no_return


def test_user_text_is_bound_as_a_parameter_not_spliced_into_sql(cursor):
    found = q_schools.find_schools(cursor, EVERYTHING, text="' or 1=1 --")
    assert found.is_empty()


def test_excel_export_keeps_a_name_starting_with_equals_as_text(tmp_path):
    frame = pl.DataFrame({"学校名": ["=東京私立高等学校", "+1", "普通"], "課題の数": [2, 1, 0]})
    path = tmp_path / "support.xlsx"
    path.write_bytes(exports.to_xlsx(frame, "支援が必要な学校"))
    sheet = openpyxl.load_workbook(path).active
    cell = sheet["A2"]
    assert cell.value == "=東京私立高等学校" and cell.data_type == "s"
    assert sheet["A3"].value == "+1" and sheet["B2"].value == 2


def test_csv_export_has_a_bom_and_the_japanese_header():
    data = exports.to_csv(pl.DataFrame({"学校名": ["千代田中学校"], "課題の数": [1]}))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["学校名", "課題の数"], ["千代田中学校", "1"]]


def _named(name: str) -> str:
    return school_code(next(s for s in SCHOOLS if s[3] == name))


def test_needs_support_list_follows_the_fixture_rows(cursor):
    """2025, by the default thresholds of pipelines/settings_default.toml."""
    flagged = q_schools.flagged_schools(cursor, EVERYTHING, year=2025)
    kinds = {row["school_code"]: row["flag_kinds"] for row in flagged.iter_rows(named=True)}
    assert kinds == {
        # no 2025 return; its latest (2024-11-15) is 365 days before the newest (over 120)
        _named("横浜小学校"): ["no_return", "stale_data"],
        # 4 -> 1 achieved (a fall of 2 or more); mean score 85.75 -> 68.5 (15 points or more);
        # hub H01's mean (5 + 2 + 8 + 1) / 4 = 4 is 2 or more above its 1
        _named("横浜中学校"): ["below_hub_mean", "fall_in_achieved", "fall_in_mean_score"],
        _named("千代田小学校"): ["below_hub_mean"],  # 2 against H01's 4
        _named("大阪小学校"): ["below_hub_mean"],  # 1 against H02's (4 + 1 + 7) / 3 = 4
        # workplace experience reached 3 of 10 students in grades 1 and 3 (under 50 %); grade 3
        # is the last of the school stage, so its students without one so far are flagged too
        _named("千代田中学校"): ["low_coverage", "no_workplace_so_far"],
        _named("=東京私立高等学校"): ["low_coverage", "no_workplace_so_far"],
    }
    severity = dict(zip(flagged["school_code"], flagged["severity_rank"], strict=True))
    assert severity[_named("横浜小学校")] == 3  # no return in the latest year is high
    assert {rank for school, rank in severity.items() if school != _named("横浜小学校")} == {2}


def test_low_coverage_in_many_grades_counts_as_one_kind_of_concern(tmp_path):
    raw = RawRows(tmp_path / "shirube.duckdb")
    school, other = code("C1", "13", 1), code("C1", "13", 2)
    raw.schools([(school, "一中", "13101", None, None), (other, "二中", "13101", None, None)])
    full = {f"B{n}": 100 for n in range(1, 9)}
    # Both returned this term (term 1, the latest in the data), but its return is 198 days older
    # than the newest one (over 120: stale).
    raw.returns(
        [(school, 2025, 1, date(2025, 5, 1), full), (other, 2025, 1, date(2025, 11, 15), full)]
    )
    # Five students in each of grades 1-3, none reached by any activity: low coverage in every
    # grade of every coverage benchmark.
    raw.roster([(school, 2025, f"S{g}{n}", g) for g in (1, 2, 3) for n in range(5)])
    with open_snapshot(build_snapshot(raw, date(2026, 3, 1))) as snap:
        flagged = q_schools.flagged_schools(snap.cursor(), EVERYTHING, year=2025)
    row = flagged.filter(school_code=school).row(0, named=True)
    # Grade 3 ends junior high: its students with no workplace experience so far are a kind of
    # concern of their own (one row), beside low coverage in every grade (one kind).
    assert row["flags"] == 3
    assert row["flag_kinds"] == ["low_coverage", "no_workplace_so_far", "stale_data"]
