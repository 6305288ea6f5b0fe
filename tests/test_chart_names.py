"""Names in charts are text, not Plotly's HTML: a hub, area or benchmark named with <a href>,
<b> or <br> shows as written in titles, axis labels, legends and hover (no Streamlit needed)."""

from __future__ import annotations

import polars as pl

from dashboard import charts, charts_trends

HOSTILE = '<a href="http://evil.example/x">click</a> <b>bold</b><br>'
ESCAPED = '&lt;a href="http://evil.example/x"&gt;click&lt;/a&gt; &lt;b&gt;bold&lt;/b&gt;&lt;br&gt;'


def _benchmarks(name_en: str = "A stable careers programme") -> pl.DataFrame:
    return pl.DataFrame(
        {"benchmark_id": ["B1"], "position": [1], "name_ja": ["安定"], "name_en": [name_en]}
    )


def _no_markup(figure) -> None:
    """No string anywhere in the figure carries a live tag of the name."""
    text = figure.to_json()
    assert "<a href" not in text and "<b>bold" not in text


def test_area_names_in_a_heatmap_are_escaped():
    frame = pl.DataFrame(
        {
            "area_code": ["H01"],
            "area_name_ja": [HOSTILE],
            "area_name_en": [HOSTILE],
            "benchmark_id": ["B1"],
            "pct_fully_achieved": [50.0],
        }
    )
    fig = charts.area_heatmap(
        frame, _benchmarks(), "en", value_column="pct_fully_achieved", title=HOSTILE
    )
    assert list(fig.data[0].y) == [ESCAPED]
    assert fig.layout.title.text == ESCAPED
    _no_markup(fig)


def test_labels_of_ranked_bars_are_escaped():
    frame = pl.DataFrame({"name": [HOSTILE], "value": [1.0]})
    fig = charts.ranked_bars(
        frame,
        label_column="name",
        value_column="value",
        title="t",
        value_text=["1"],
        axis_title="a",
    )
    assert list(fig.data[0].y) == [ESCAPED]
    _no_markup(fig)


def test_area_names_in_lines_and_bars_legends_and_hover_are_escaped():
    lines = charts_trends.area_lines(
        pl.DataFrame(
            {
                "area_code": ["H01"],
                "area_name_ja": [HOSTILE],
                "area_name_en": [HOSTILE],
                "academic_year": [2025],
                "value": [1.0],
            }
        ),
        "en",
        (charts_trends.Panel("value", HOSTILE, "a", percent=False),),
    )
    assert lines.data[0].name == ESCAPED
    assert lines.layout.annotations[0].text == ESCAPED  # the panel's title
    _no_markup(lines)
    nation = pl.DataFrame({"benchmark_id": ["B1"], "pct_fully_achieved": [50.0]})
    bars = charts.benchmark_bars(
        nation, nation, _benchmarks(), "en", nation_label="Japan", area_label=HOSTILE, title="t"
    )
    assert bars.data[1].name == ESCAPED
    _no_markup(bars)


def test_a_benchmark_name_from_a_framework_file_is_escaped_on_the_axis():
    label = charts.benchmark_label(_benchmarks(HOSTILE), "B1", "en", wrap=True)
    assert "<a" not in label and "<b>" not in label
    assert label.startswith("B1<br>")
