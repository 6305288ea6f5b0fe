"""ui.figure builds a chart once per server for the same data and draws exactly what the chart
builder makes: on the compare page of the fixture snapshot, the heatmap sent to the browser is
the builder's own figure for that page's data, follows the page's choices, and is reused."""

from __future__ import annotations

import json

import plotly.io as pio
import pytest
from app_pages import open_page, page_app
from dashboard_fixture import make_fixture_warehouse

from dashboard import charts, data, ui
from dashboard.queries import areas as q_areas
from dashboard.queries import options as q_options
from dashboard.scope import Scope
from pipelines.i18n import t


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("marts") / "shirube.duckdb"
    make_fixture_warehouse(db)
    return db


def _heatmap_spec(app) -> dict:
    shown = [e.proto for e in app.get("plotly_chart") if "heatmap" in e.proto.id]
    assert len(shown) == 1
    return json.loads(shown[0].spec)


def _built(year: int, measure: str) -> dict:
    """The builder's figure for the page's data, built here, as the browser receives it."""
    everyone = Scope.everything()
    by_benchmark = data.query(q_areas.area_benchmarks, everyone, level="prefecture", year=year)
    figure = charts.area_heatmap(
        by_benchmark,
        data.query(q_options.benchmarks, everyone),
        "ja",
        value_column=measure,
        title=t(
            "dashboard.heatmap_title",
            "ja",
            level=t("dashboard.level_prefecture", "ja"),
            measure=t(f"dashboard.heat_{measure}", "ja"),
            year=year,
        ),
    )
    return json.loads(pio.to_json(figure, validate=False))


def test_the_compare_heatmap_is_the_builders_figure_and_follows_the_measure(
    fixture_db, monkeypatch
):
    app = open_page(page_app(fixture_db, monkeypatch), "views/compare.py")
    year = app.session_state["filters"].year
    first = _heatmap_spec(app)
    assert first == _built(year, "pct_fully_achieved")

    app.selectbox(key="filter_heat").set_value("mean_score").run()
    by_score = _heatmap_spec(app)
    assert by_score != first
    assert by_score == _built(year, "mean_score")

    app.selectbox(key="filter_heat").set_value("pct_fully_achieved").run()
    assert _heatmap_spec(app) == first


def test_one_figure_serves_every_session_drawing_the_same_chart(fixture_db, monkeypatch):
    calls = []
    original = charts.area_heatmap

    def counted(*args, **kwargs):
        calls.append(kwargs.get("value_column"))
        return original(*args, **kwargs)

    counted.__module__, counted.__qualname__ = "tests.counted", "area_heatmap_once"
    monkeypatch.setattr(charts, "area_heatmap", counted)
    ui._built_figure.clear()
    specs = [
        _heatmap_spec(open_page(page_app(fixture_db, monkeypatch), "views/compare.py"))
        for _ in range(2)
    ]
    assert specs[0] == specs[1]
    assert calls == ["pct_fully_achieved"]  # built for the first session, reused by the second
