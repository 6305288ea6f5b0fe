"""The skills page (エッセンシャルスキル) and the school profile's skills block, through AppTest
on a warehouse the real build made from skills rows written here, and the page's queries per
role: a coordinator reads the nation suppressed, a school only its own school."""

from __future__ import annotations

import json
from datetime import date

import pytest
from app_pages import open_page, page_app
from build_rows import RawRows, build_snapshot, code

from dashboard.queries import skills as q_skills
from dashboard.scope import Scope
from dashboard.skills_insight import weakest_skill
from pipelines.i18n import t
from pipelines.warehouse import open_snapshot

SKILLS = ("listening", "speaking", "problem_solving", "creativity")
SKILLS += ("staying_positive", "aiming_high", "leadership", "teamwork")
LAGGING = [code("C1", "13", n) for n in (1, 2)]  # hub H1: teamwork 4, the rest 6
OTHERS = [code("C1", "27", n) for n in (3, 4)]  # hub H2: teamwork 8, the rest 6
JUNE, FEB = date(2025, 6, 15), date(2026, 2, 10)
STUDENTS = 6  # per school: 12 per hub, 24 in the nation (min_students is 10)


def steps(teamwork: int, gain: int = 0) -> dict[str, int]:
    return {s: (teamwork if s == "teamwork" else 6) + gain for s in SKILLS}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    raw = RawRows(tmp_path_factory.mktemp("skills_page") / "shirube.duckdb")
    raw.schools(
        [(c, f"ラグ中{i}", "13101", "H1", "湾岸ハブ") for i, c in enumerate(LAGGING)]
        + [(c, f"なにわ中{i}", "27100", "H2", "なにわハブ") for i, c in enumerate(OTHERS)]
    )
    # Returns give the sidebar its academic year.
    raw.returns([(c, 2025, 2, date(2025, 11, 1), {"B1": 50}) for c in LAGGING + OTHERS])
    rows = []
    for school in LAGGING + OTHERS:
        teamwork = 4 if school in LAGGING else 8
        for n in range(STUDENTS):
            rows.append((school, f"s{n}", 2, JUNE, "teacher", steps(teamwork)))
            rows.append((school, f"s{n}", 2, FEB, "teacher", steps(teamwork, 1)))
            rows.append((school, f"s{n}", 2, JUNE, "self", steps(teamwork + 1)))
    raw.skills(rows)
    build_snapshot(raw)
    return raw.db_path


def rows_for(db, scope, **params):
    from pipelines.warehouse import current_snapshot

    with open_snapshot(current_snapshot(db)[1]) as snap:
        return q_skills.area_skills(snap.cursor(), scope, **params)


def test_the_weakest_skill_of_a_hub_is_found_against_the_nation_by_year_of_schooling(db):
    found = weakest_skill(rows_for(db, Scope.everything(), level="hub", code="H1", year=2025))
    assert found.skill_id == "teamwork" and found.year_of_schooling == 8
    assert found.gap == pytest.approx((5 - 7) / 1)  # latest 5 against the nation's (5 + 9) / 2


def test_a_coordinator_reads_the_nation_from_the_suppressed_public_view(db):
    hub = rows_for(db, Scope.areas("hub", ("H1",)), level="hub", code="H1", year=2025)
    mine = hub.filter(hub["which"] == "area")
    nation = hub.filter(hub["which"] == "compare")
    assert not mine["suppressed"].any() and mine["mean_step"].null_count() == 0
    # The nation's 24 students pass min_students; its figures are the public ones, unsuppressed.
    assert not nation["suppressed"].any()
    # A school's own login sees its school whole, and the nation suppressed below 10 students.
    own = rows_for(db, Scope.school(LAGGING[0]), level="school", code=LAGGING[0], year=2025)
    assert not own.filter(own["which"] == "area")["suppressed"].any()
    other = rows_for(db, Scope.school(LAGGING[0]), level="school", code=OTHERS[0], year=2025)
    assert other.filter(other["which"] == "area")["suppressed"].all()  # 6 students < 10


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_page_names_the_hubs_weakest_skill_first(db, monkeypatch, lang):
    app = open_page(page_app(db, monkeypatch), "views/skills.py", hub="H1", year="2025", lang=lang)
    assert not app.exception
    statement = [
        w.value
        for w in app.warning
        if "teamwork" in w.value.casefold() or "チームワーク" in w.value
    ]
    assert statement, [w.value for w in app.warning]
    assert "-2.0" in statement[0]
    captions = " ".join(c.value for c in app.caption)
    provisional = "provisional" if lang == "en" else "仮訳"
    assert provisional in captions


def test_the_school_profile_shows_the_school_beside_its_hub_and_the_nation(db, monkeypatch):
    app = open_page(
        page_app(db, monkeypatch), "views/school.py", school=LAGGING[0], year="2025", lang="en"
    )
    assert not app.exception
    assert any(m.value.endswith("Essential skills") for m in app.markdown)
    assert any("Teamwork" in w.value for w in app.warning)


def test_the_page_asks_for_an_area_when_narrowed_by_school_type(db, monkeypatch):
    app = open_page(page_app(db, monkeypatch), "views/skills.py", type="C1", year="2025")
    assert [i.value for i in app.info] == [t("dashboard.skills_pick_area", "ja")]


def test_at_the_national_level_the_nation_is_not_drawn_beside_itself(db, monkeypatch):
    figures = []
    for view in ("growth", "progress", "self_teacher"):
        app = open_page(
            page_app(db, monkeypatch), "views/skills.py", year="2025", lang="en", skills_view=view
        )
        assert not app.exception
        figures += [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    views = app.get("segmented_control")[0]
    shown = ("growth", "progress", "self_teacher", "table")  # no gap of the nation to itself
    assert views.options == [t(f"dashboard.skills_view_{v}", "en") for v in shown]
    series = {f["layout"]["title"]["text"]: [d.get("name") for d in f["data"]] for f in figures}
    growth = [names for title, names in series.items() if "by year of schooling" in title]
    assert growth == [["Japan (teacher)", "Japan (self)"]]
    assert len(series) == 4  # growth, distribution, progress, self against teacher
    assert not [title for title in series if "the nation" in title]


@pytest.mark.parametrize(
    ("view", "charts", "tables"),
    [
        (None, ["skills_gap"], 0),  # the first view when none is chosen
        ("growth", ["skills_growth", "skills_distribution"], 0),
        ("progress", ["skills_progress"], 0),
        ("self_teacher", ["skills_self_teacher"], 0),
        ("table", [], 1),
    ],
)
def test_a_hub_sees_one_view_at_a_time_under_its_weakest_skill(
    db, monkeypatch, view, charts, tables
):
    query = {"hub": "H1", "year": "2025"} | ({"skills_view": view} if view else {})
    app = open_page(page_app(db, monkeypatch), "views/skills.py", **query)
    assert not app.exception
    drawn = [c.proto.id for c in app.get("plotly_chart")]
    assert [next(k for k in charts if k in i) for i in drawn] == charts
    assert len(app.dataframe) == tables
    assert any("チームワーク" in w.value for w in app.warning)  # the weakest skill, every view
