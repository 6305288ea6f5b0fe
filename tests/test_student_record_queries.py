"""The student's record in the query layer: a school's own users only, students on its current
roll only, every activity of the journey in time order; the handover sheets built from it."""

import re
from datetime import date
from html import escape
from io import BytesIO

import openpyxl
import pytest
from build_rows import RawRows, build_snapshot, code

from dashboard.queries import students as q
from dashboard.scope import Scope
from pipelines.reports.handover import handover_from_rows, handover_html
from pipelines.reports.handover_xlsx import render_handover_xlsx
from pipelines.skills_framework import skills_framework
from pipelines.warehouse import open_snapshot

ES, JHS, HS = code("B1", "13", 1), code("C1", "13", 2), code("D1", "13", 3)


@pytest.fixture(scope="module")
def snap(tmp_path_factory):
    raw = RawRows(tmp_path_factory.mktemp("record") / "w.duckdb")
    raw.schools(
        [
            (ES, "みなみ小学校", "13101", "H1", "ハブ"),
            (JHS, "みなみ中学校", "13101", "H1", "ハブ"),
            (HS, "みなみ高等学校", "13101", "H1", "ハブ"),
        ]
    )
    raw.links([(ES, "e1", JHS, "j1", date(2022, 4, 1)), (JHS, "j1", HS, "h1", date(2025, 4, 1))])
    raw.roster([(JHS, 2024, "j1", 3), (JHS, 2024, "j2", 3)])
    raw.roster([(HS, 2024, "old", 3), (HS, 2025, "h1", 1), (HS, 2025, "h2", 3)])
    raw.activities(
        [
            (HS, "h1", 1, "employer_encounter", date(2025, 6, 3), 2, None, None),
            (ES, "e1", 6, "career_information", date(2021, 10, 1), 1, False, True),
            (JHS, "j1", 2, "workplace_experience", date(2023, 11, 7), 18, True, True),
            (JHS, "j2", 2, "workplace_experience", date(2023, 11, 7), 18, True, True),
        ]
    )
    raw.skills(  # at the junior high as j1 (two dates: the later one is the year's step) ...
        [
            (JHS, "j1", 3, date(2024, 6, 10), "teacher", {"listening": 5, "teamwork": 4}),
            (JHS, "j1", 3, date(2025, 2, 10), "teacher", {"listening": 7}),
            (JHS, "j1", 3, date(2025, 2, 12), "self", {"listening": 8}),
            (JHS, "j2", 3, date(2025, 2, 10), "teacher", {"listening": 3}),
        ]
    )
    raw.skills([(HS, "h1", 1, date(2025, 6, 20), "teacher", {"listening": 8})])  # ... then as h1
    with open_snapshot(build_snapshot(raw)) as con:
        yield con


@pytest.mark.parametrize(
    "scope",
    [
        Scope.areas("hub", ("H1",)),  # coordinator
        Scope.areas("municipality", ("13101",)),  # superintendent
        Scope.everything(),  # ASKNET staff, open servers
        Scope.school(JHS),  # another school's login
    ],
)
def test_anyone_but_the_schools_own_users_is_refused_before_any_row(snap, scope):
    for call in (
        lambda: q.current_roll(snap, scope, school=HS),
        lambda: q.student_record(snap, scope, school=HS, student="h1"),
        lambda: q.leaving_cohort_records(snap, scope, school=HS),
        lambda: q.student_skills(snap, scope, school=HS, student="h1"),
        lambda: q.leaving_cohort_skills(snap, scope, school=HS),
    ):
        with pytest.raises(q.StudentRecordDenied):
            call()


def test_the_record_follows_the_student_across_three_schools_in_time_order(snap):
    rows = q.student_record(snap, Scope.school(HS), school=HS, student="h1")
    assert rows.select("activity_date", "school_name", "activity_type", "prepared").rows() == [
        (date(2021, 10, 1), "みなみ小学校", "career_information", False),
        (date(2023, 11, 7), "みなみ中学校", "workplace_experience", True),
        (date(2025, 6, 3), "みなみ高等学校", "employer_encounter", None),
    ]
    assert rows["meaningful"].to_list() == [False, True, False]


def test_only_students_on_the_current_roll(snap):
    roll = q.current_roll(snap, Scope.school(HS), school=HS)
    assert roll.select("student_ref", "grade", "final_year").rows() == [
        ("h1", 1, False),
        ("h2", 3, True),
    ]
    assert q.student_record(snap, Scope.school(HS), school=HS, student="old").is_empty()
    # j1 left the junior high: its school no longer sees the record through j1's later school.
    assert q.current_roll(snap, Scope.school(JHS), school=JHS).height == 2  # 2024 is its latest


def test_handover_sheets_carry_the_ref_and_every_activity_of_the_journey(snap):
    rows = q.student_record(snap, Scope.school(HS), school=HS, student="h1")
    for lang, words in (("ja", ("職場体験", "あり")), ("en", ("Workplace", "Yes"))):
        handover = handover_from_rows(
            rows, school_code=HS, school_name="みなみ高等学校", lang=lang, made_on=date(2026, 3, 1)
        )
        html = handover_html(handover)
        assert "h1" in html and all(w in html for w in words)
        book = openpyxl.load_workbook(BytesIO(render_handover_xlsx(handover)))
        cells = [str(c) for r in book.active.iter_rows(values_only=True) for c in r if c]
        assert any("h1" in c for c in cells)
        dates = [c for c in cells if re.fullmatch(r"\d{4}-\d{2}-\d{2}", c)]
        assert dates == ["2021-10-01", "2023-11-07", "2025-06-03"]
    cohort = q.leaving_cohort_records(snap, Scope.school(JHS), school=JHS)
    assert sorted(set(cohort["student_ref"])) == ["j1", "j2"]


def test_skill_steps_follow_the_student_year_by_year_teacher_and_self_apart(snap):
    skills = q.student_skills(snap, Scope.school(HS), school=HS, student="h1")
    assert skills.select(
        "academic_year", "school_name", "skill_id", "teacher_step", "self_step"
    ).rows() == [
        (2024, "みなみ中学校", "listening", 7, 8),
        (2024, "みなみ中学校", "teamwork", 4, None),
        (2025, "みなみ高等学校", "listening", 8, None),
    ]
    assert set(skills["student_ref"]) == {"h1"}  # shown under the school's own ref
    assert q.student_skills(snap, Scope.school(HS), school=HS, student="old").is_empty()


def test_handover_sheets_carry_the_skill_steps_with_the_provisional_note(snap):
    rows = q.student_record(snap, Scope.school(HS), school=HS, student="h1")
    skills = q.student_skills(snap, Scope.school(HS), school=HS, student="h1")
    for lang, skill in (("ja", "聴く力"), ("en", "Listening")):
        handover = handover_from_rows(
            rows,
            school_code=HS,
            school_name="みなみ高等学校",
            lang=lang,
            made_on=date(2026, 3, 1),
            skills=skills,
        )
        html = handover_html(handover)
        assert html.count(f'<td class="text">{skill}</td>') == 2
        note = skills_framework().note_en if lang == "en" else skills_framework().note_ja
        assert escape(note) in html
        book = openpyxl.load_workbook(BytesIO(render_handover_xlsx(handover)))
        grid = [list(r) for r in book.active.iter_rows(values_only=True)]
        listening = [r[:6] for r in grid if r[3] == skill]
        assert [(r[0], r[4], r[5]) for r in listening] == [(2024, 7, 8), (2025, 8, None)]
