"""The criteria the pages read: a school's next steps (unmet criteria, how many peers meet them,
change since its previous return) and an area's gaps against the nation, suppressed below
min_schools, on files ingested and built by the real pipeline."""

from __future__ import annotations

import io

import openpyxl
import polars as pl
import pytest
from criteria_support import all_met, build_and_read, criteria_rows, send_criteria
from test_ingest_support import TOKYO_WARD, load, write_csv

from dashboard.queries import criteria as q
from dashboard.scope import Scope
from pipelines.codes import make_school_code
from pipelines.i18n import t

BIG_HUB = [make_school_code("C1", "13", "2", 700 + i) for i in range(6)]  # 6 >= min_schools
SMALL_HUB = [make_school_code("C1", "13", "2", 800 + i) for i in range(2)]
SCHOOL = BIG_HUB[0]


def b1(yes: list[bool]) -> list[tuple[str, str]]:
    """B1's four criteria: three yes/no, then progress."""
    words = ["はい" if y else "いいえ" for y in yes[:3]] + ["達成" if yes[3] else "取組中"]
    return list(zip(["B1-1", "B1-2", "B1-3", "B1-4"], words, strict=True))


@pytest.fixture(scope="module")
def cursor(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("criteria")
    db = tmp / "w.duckdb"
    header = ["学校コード", "学校名", "市区町村コード", "ハブコード", "ハブ名"]
    rows = [[c, f"中学校{i}", TOKYO_WARD, "BIG", "大ハブ"] for i, c in enumerate(BIG_HUB)]
    rows += [[c, f"小中学校{i}", TOKYO_WARD, "SMALL", "小ハブ"] for i, c in enumerate(SMALL_HUB)]
    load(db, write_csv(tmp / "schools.csv", [header, *rows]))
    # Term 1: the school met only B1-1.
    earlier = criteria_rows(SCHOOL, "2025", "1", "2025-07-01", b1([True, False, False, False]))
    send_criteria(db, tmp / "t1.csv", earlier)
    # Term 2: B1-2 now met; B1-3 and B1-4 still not. Peers: B1-3 met by 4 of the 5 others,
    # B1-4 by 1; B5 fully met by everyone else.
    answers = criteria_rows(SCHOOL, "2025", "2", "2025-12-01", b1([True, True, False, False]))
    for i, school in enumerate(BIG_HUB[1:] + SMALL_HUB):
        answers += criteria_rows(
            school, "2025", "2", "2025-12-01", b1([True, True, i < 4, i == 0]) + all_met("B5")
        )
    send_criteria(db, tmp / "t2.csv", answers)
    con = build_and_read(db)
    yield con.cursor()
    con.close()


def test_next_steps_list_unmet_criteria_most_met_by_peers_first(cursor):
    steps = q.school_next_steps(cursor, Scope.school(SCHOOL), school=SCHOOL, year=2025)
    assert steps["criterion_id"].to_list() == ["B1-3", "B1-4"]
    b13 = steps.row(0, named=True)
    # Hub BIG: 6 schools answered; met by 4 of the other 5 (0-3). Nation adds SMALL's 2 schools.
    assert (b13["hub_schools_met"], b13["hub_schools_answering"]) == (4, 6)
    assert (b13["national_schools_met"], b13["national_schools_answering"]) == (4, 8)
    assert b13["hub_suppressed"] is False


def test_next_steps_show_the_change_since_the_previous_return(cursor):
    steps = q.school_next_steps(cursor, Scope.school(SCHOOL), school=SCHOOL, year=2025)
    b14 = steps.filter(criterion_id="B1-4").row(0, named=True)
    assert (b14["previous_score"], b14["criterion_score"], b14["change"]) == (50.0, 50.0, 0.0)


def test_next_steps_of_a_school_in_a_small_hub_hide_the_hub_figures(cursor):
    school = SMALL_HUB[1]  # i = 6: B1-3 and B1-4 unmet
    steps = q.school_next_steps(cursor, Scope.school(school), school=school, year=2025)
    assert not steps.is_empty()
    assert steps["hub_schools_met"].null_count() == steps.height
    assert steps["hub_suppressed"].all() and not steps["national_suppressed"].any()


def test_a_school_user_gets_no_next_steps_of_another_school(cursor):
    steps = q.school_next_steps(cursor, Scope.school(SCHOOL), school=BIG_HUB[1], year=2025)
    assert steps.is_empty()


def test_area_gaps_against_the_nation_sorted_by_gap(cursor):
    gaps = q.area_criteria_gaps(
        cursor, Scope.areas("hub", ("SMALL",)), level="hub", code="SMALL", year=2025
    )
    # SMALL's own coordinator sees its figures even below min_schools.
    b13 = gaps.filter(criterion_id="B1-3").row(0, named=True)
    assert b13["pct_met"] == 0.0 and b13["national_pct_met"] == pytest.approx(50.0)
    assert gaps["gap"].to_list() == sorted(gaps["gap"].drop_nulls().to_list())
    assert gaps["criterion_id"][0] == "B1-3"


def test_area_gaps_outside_the_viewers_scope_are_suppressed_below_min_schools(cursor):
    gaps = q.area_criteria_gaps(
        cursor, Scope.areas("hub", ("BIG",)), level="hub", code="SMALL", year=2025
    )
    assert gaps["pct_met"].null_count() == gaps.height and gaps["suppressed"].all()


def test_gap_chart_draws_the_areas_shares_against_the_nation(cursor):
    from dashboard.charts_criteria import criteria_gaps

    gaps = q.area_criteria_gaps(
        cursor, Scope.areas("hub", ("BIG",)), level="hub", code="BIG", year=2025
    )
    fig = criteria_gaps(gaps, "大<b>ハブ</b>", "ja", "観点", {"B1": 1, "B5": 5})
    bars, nation = fig.data
    assert list(bars.y) == gaps["criterion_id"].to_list()
    assert list(bars.x) == gaps["pct_met"].to_list()
    assert list(nation.x) == gaps["national_pct_met"].to_list()
    assert bars.name == "大&lt;b&gt;ハブ&lt;/b&gt;"  # names are data, never markup


def test_gap_chart_writes_each_share_and_puts_a_zero_beside_its_empty_bar():
    from dashboard.charts_criteria import SHORT_BAR_PCT, criteria_gaps

    gaps = pl.DataFrame(
        {
            "criterion_id": ["B6-2", "B1-1", "B1-2"],
            "benchmark_id": ["B6", "B1", "B1"],
            "text_en": ["a", "b", "c"],
            "pct_met": [0.0, 100.0, None],  # B1-2 suppressed: not drawn
            "national_pct_met": [71.4, 92.9, 50.0],
        }
    )
    bars, _ = criteria_gaps(gaps, "Hub", "en", "Criteria", {"B1": 1, "B6": 6}).data
    assert list(bars.text) == ["0%", "100%"]
    assert list(bars.textposition) == ["outside", "inside"]  # 0 % has no bar to write in
    assert SHORT_BAR_PCT > 0 and bars.insidetextanchor == "start"


def test_funder_report_lists_the_criteria_furthest_from_being_met_nationally(cursor):
    from pipelines.reports.content import gather_report
    from pipelines.reports.document import build_document

    content = gather_report(cursor, year=2025, area="national", lang="en")
    # Eight schools answered B1: B1-4 met by 1, B1-3 by 4, B1-1 and B1-2 by all; B5 by seven,
    # all met. Ties keep the framework's order.
    assert [c.criterion_id for c in content.criteria] == ["B1-4", "B1-3", "B1-1", "B1-2", "B5-1"]
    assert content.criteria[0].pct_met.value == pytest.approx(100 / 8)
    html = build_document(content, {})
    assert "Criteria furthest from being met nationally" in html
    assert html.index("B1-4") < html.index("B1-3")


def test_excel_report_has_the_same_criteria_rows_as_the_pdf_section(cursor):
    from pipelines.reports.content import gather_report
    from pipelines.reports.xlsx import render_xlsx

    content = gather_report(cursor, year=2025, area="national", lang="en")
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(content)))
    ws = book[t("report.sheet_criteria", "en")]
    rows = [tuple(c.value for c in row[:4]) for row in ws.iter_rows(min_row=2, max_row=6)]
    assert [r[0] for r in rows] == ["B1-4", "B1-3", "B1-1", "B1-2", "B5-1"]
    assert rows[0][2] == 8 and rows[0][3] == pytest.approx(100 / 8)  # numbers, not text
    assert [r[1] for r in rows] == [c.text for c in content.criteria]
