"""Needs support and the school profile on a real build: every reason in full, a next step per
kind of concern, the profile opened in the same tab with the filters, ?school= validated."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from app_pages import open_page, page_app
from build_rows import RawRows, build_and_open, code
from streamlit.testing.v1 import AppTest

from pipelines.i18n import t
from pipelines.warehouse import current_snapshot, open_snapshot

A, B, C = (code("C1", "13", n) for n in (1, 2, 3))
E = code("D1", "27", 5)
BUILD_DATE = date(2026, 3, 1)
LATE = date(2026, 1, 15)
# A has four kinds of concern in 2025 (the support_flags rules' own example, test_models_flags):
# below the hub mean, fewer benchmarks achieved, a lower mean score, low coverage in year 2.
A_KINDS = ("below_hub_mean", "fall_in_achieved", "fall_in_mean_score", "low_coverage")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """The warehouse and, per school, its 2025 flag sentences in English as the build wrote them."""
    raw = RawRows(tmp_path_factory.mktemp("support") / "shirube.duckdb")
    raw.schools(
        [
            (A, "青葉中学校", "13101", "H1", "湾岸ハブ"),
            (B, "若葉中学校", "13101", "H1", "湾岸ハブ"),
            (C, "双葉中学校", "13101", "H1", "湾岸ハブ"),
            (E, "大阪高等学校", "27100", None, None),
        ]
    )
    raw.returns(
        [
            (A, 2024, 1, date(2024, 7, 1), {f"B{i}": 100 for i in range(1, 7)}),
            (B, 2024, 1, date(2024, 7, 1), {"B1": 80}),
            (C, 2024, 1, date(2024, 7, 1), {"B1": 100}),
            (E, 2024, 1, date(2024, 7, 1), {"B1": 100}),
        ]
    )
    raw.returns(
        [
            (A, 2025, 1, LATE, {"B1": 100, "B2": 100, "B3": 100, "B4": 70, "B5": 70, "B6": 70}),
            (B, 2025, 1, LATE, {"B1": 100, "B2": 100, "B3": 100, "B4": 100, "B5": 65}),
            (C, 2025, 1, BUILD_DATE, {f"B{i}": 100 for i in range(1, 9)}),
        ]
    )
    raw.roster([(A, 2025, f"s{n}", 2) for n in range(1, 5)] + [(A, 2025, "t1", 1)])
    raw.activities([(A, "s1", 2, "employer_encounter", date(2025, 6, 1))])
    snap = build_and_open(raw, build_date=BUILD_DATE)
    details: dict[str, list[str]] = {}
    for school, detail in snap.execute(
        "select school_code, detail_en from marts.support_flags where academic_year = 2025"
    ).fetchall():
        details.setdefault(school, []).append(detail)
    kinds = snap.execute(
        "select distinct flag from marts.support_flags where school_code = ? and academic_year = "
        "2025 order by flag",
        [A],
    ).fetchall()
    snap.close()
    assert tuple(kind for (kind,) in kinds) == A_KINDS  # the rows say what the test expects
    return raw.db_path, details


@pytest.fixture
def app(warehouse, monkeypatch):
    return page_app(warehouse[0], monkeypatch)


def _shown(app: AppTest) -> str:
    """Everything the page wrote as Markdown, alerts and captions (Markdown source)."""
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error", "success")
        for e in getattr(app, kind)
    ]
    return "\n".join(parts + [h.value for h in app.subheader])


def _unescaped(text: str) -> str:
    return text.replace("\\", "")


def _problems(app: AppTest) -> list[str]:
    polite = t("dashboard.page_error", "en")
    return [e.value for e in app.exception] + [e.value for e in app.error if e.value == polite]


def test_support_panel_shows_every_reason_of_the_most_severe_school_in_full(app, warehouse):
    _, details = warehouse
    open_page(app, "views/support.py", year="2025", lang="en")
    assert _problems(app) == []
    assert app.selectbox(key="support_school").value == A  # most severe, most kinds first
    shown = _unescaped(_shown(app))
    assert len(details[A]) == 11  # four kinds, low coverage in four benchmarks in years 1 and 2
    for sentence in details[A]:
        assert sentence in shown


def test_support_panel_lists_one_kind_of_concern_by_benchmark_then_year(app, warehouse):
    # Low coverage in years 1 and 2 of four benchmarks: the most severe first, then read as
    # "B4: year 1, year 2; B5: ..." (where a student was reached, a row can be less severe).
    snap = open_snapshot(current_snapshot(warehouse[0])[1])
    expected = snap.execute(
        "select detail_en from marts.support_flags where school_code = ? and academic_year = 2025 "
        "and flag = 'low_coverage' "
        "order by severity = 'high' desc, length(benchmark_id), benchmark_id, grade",
        [A],
    ).fetchall()
    snap.close()
    open_page(app, "views/support.py", year="2025", lang="en")
    shown = _unescaped(_shown(app))
    places = [shown.index(detail) for (detail,) in expected]
    assert len(places) == 8 and places == sorted(places)


def test_support_panel_gives_one_next_step_per_kind_of_concern(app):
    open_page(app, "views/support.py", year="2025", lang="en")
    shown = _unescaped(_shown(app))
    for kind in A_KINDS:
        assert shown.count(t(f"dashboard.next_step_{kind}", "en")) == 1, kind
    assert t("dashboard.next_step_no_return", "en") not in shown


def test_choosing_another_school_shows_its_own_reasons(app, warehouse):
    _, details = warehouse
    open_page(app, "views/support.py", year="2025", lang="en")
    app.selectbox(key="support_school").set_value(E).run()
    shown = _unescaped(_shown(app))
    assert details[E] and all(sentence in shown for sentence in details[E])
    assert not any(sentence in shown for sentence in details[A])
    assert t("dashboard.next_step_no_return", "en") in shown


def test_the_profile_link_stays_in_the_app_and_carries_the_language_and_filters(app):
    open_page(app, "views/support.py", year="2025", lang="en", hub="H1")
    (link,) = app.get("page_link")
    assert not link.proto.external  # an in-app page: same tab, same session
    assert link.proto.page == "school"  # the school profile's url path
    query = dict(pair.split("=", 1) for pair in link.proto.query_string.split("&"))
    assert query == {"lang": "en", "year": "2025", "hub": "H1", "school": A}


def test_kinds_of_concern_are_listed_with_commas_in_english(app):
    open_page(app, "views/support.py", year="2025", lang="en")
    table = next(df.value for df in app.dataframe)
    kinds = table[t("dashboard.col_flag_kinds", "en")].to_list()
    assert kinds[0] == ", ".join(t(f"dashboard.flag_{kind}", "en") for kind in A_KINDS)
    assert not any("、" in value for value in kinds)


def test_school_profile_turns_each_concern_into_a_next_step(app):
    open_page(app, "views/school.py", school=A, year="2025")
    assert _problems(app) == []
    shown = _unescaped(_shown(app))
    assert t("dashboard.next_steps_title", "ja") in shown
    for kind in A_KINDS:
        assert shown.count(t(f"dashboard.next_step_{kind}", "ja")) == 1, kind


def test_school_search_hint_names_an_example_that_finds_a_school(app):
    open_page(app, "views/school.py")
    placeholder = app.text_input(key="school_search").placeholder
    assert "千代田" not in placeholder
    app.text_input(key="school_search").input("中学校").run()
    assert len(app.selectbox(key="filter_school").options) == 4  # three schools + none chosen
    assert "中学校" in placeholder and "C113" in placeholder


@pytest.mark.parametrize(
    "value",
    ["[click here](http://evil.example/phish)", "C1132<img src=x>", "**C113200000016**"],
)
def test_a_school_parameter_that_is_not_a_school_code_is_not_repeated(app, value):
    open_page(app, "views/school.py", school=value)
    assert _problems(app) == []
    warnings = [w.value for w in app.warning]
    assert t("dashboard.school_link_invalid", "ja") in warnings
    assert "evil.example" not in _shown(app) and "img" not in _shown(app)
    assert t("dashboard.school_out_of_scope", "ja", code=value) not in warnings
    # A well-formed code of no school (or of another area) keeps the usual words.
    other = code("C1", "27", 99)
    app.query_params.clear()
    app.query_params.update(school=other)
    app.run()
    assert t("dashboard.school_out_of_scope", "ja", code=other) in [w.value for w in app.warning]


def test_sidebar_says_when_the_data_was_published_and_keeps_the_id_in_the_tooltip(app, warehouse):
    from pipelines.warehouse import current_snapshot

    version, _ = current_snapshot(warehouse[0])
    open_page(app, "views/support.py", lang="en")
    (footer,) = [md for md in app.sidebar.markdown if "Data published" in md.value]
    assert version not in footer.value
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", footer.value.replace("\\", ""))
    assert version in footer.proto.help


def test_one_flagged_school_is_one_school_in_english(app):
    open_page(app, "views/support.py", year="2025", lang="en", level="prefecture", area="27")
    label = t("dashboard.support_count", "en")
    assert [m.value for m in app.metric if m.label == label] == ["1 school"]
