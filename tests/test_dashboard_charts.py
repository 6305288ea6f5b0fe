"""Chart builders, without Streamlit: traces, labels, benchmark colours and Japanese text."""

from __future__ import annotations

import itertools

import polars as pl
import pytest

from dashboard import charts, charts_skills, charts_trends
from pipelines.reference import prefectures
from pipelines.settings import default_framework


@pytest.fixture
def benchmarks() -> pl.DataFrame:
    framework = default_framework()
    return pl.DataFrame(
        {
            "benchmark_id": [b.id for b in framework.benchmarks],
            "position": [b.position for b in framework.benchmarks],
            "name_ja": [b.name_ja for b in framework.benchmarks],
            "name_en": [b.name_en for b in framework.benchmarks],
        }
    )


def _per_benchmark(benchmarks: pl.DataFrame, values: list[float]) -> pl.DataFrame:
    return pl.DataFrame({"benchmark_id": benchmarks["benchmark_id"], "pct_fully_achieved": values})


def test_each_benchmark_keeps_one_colour_by_framework_position(benchmarks):
    colours = [charts.benchmark_colour(p) for p in benchmarks["position"]]
    assert len(set(colours)) == benchmarks.height
    assert charts.benchmark_colour(1) == charts.BENCHMARK_PALETTE[0]


def test_tile_map_draws_every_prefecture_labelled_and_greys_the_ones_without_data():
    areas = pl.DataFrame(
        {"area_code": ["13", "27"], "pct_all_achieved": [50.0, 12.5], "suppressed": [False, False]}
    )
    fig = charts.tile_map(areas, "pct_all_achieved", "ja", "都道府県別")
    background, values = fig.data
    tiles = [cell for row in values.text for cell in row if cell]
    assert len(tiles) == len(prefectures())
    assert "東京<br>50.0%" in tiles and "大阪<br>12.5%" in tiles
    assert "北海道<br>データなし" in tiles
    assert background.colorscale[0][1] == charts.NO_DATA_GREY
    tokyo = next(p for p in prefectures() if p.code == "13")
    assert values.z[tokyo.grid_row - 1][tokyo.grid_col - 1] == 50.0


def test_tile_map_says_suppressed_rather_than_no_data_for_a_suppressed_prefecture():
    areas = pl.DataFrame(
        {"area_code": ["01"], "pct_all_achieved": [None], "suppressed": [True]},
        schema_overrides={"pct_all_achieved": pl.Float64},
    )
    fig = charts.tile_map(areas, "pct_all_achieved", "en", "By prefecture")
    tiles = [cell for row in fig.data[1].text for cell in row if cell]
    hovers = [cell for row in fig.data[1].customdata for cell in row if cell]
    # The tile has room for a short word; the hover names it in full.
    assert "Hokkaido<br>hidden" in tiles and "Aomori<br>no data" in tiles
    assert "Hokkaido: suppressed" in hovers and "Aomori: no data" in hovers


def test_benchmark_bars_put_nation_hatched_and_area_solid_in_benchmark_colours(benchmarks):
    nation = _per_benchmark(benchmarks, [80.0, 70, 60, 50, 40, 30, 20, 10])
    area = _per_benchmark(benchmarks, [100.0, 75, 50, 25, 0, 25, 50, 75])
    fig = charts.benchmark_bars(
        nation, area, benchmarks, "ja", nation_label="全国", area_label="東京都", title="t"
    )
    assert [trace.name for trace in fig.data] == ["全国", "東京都"]
    assert fig.data[0].marker.pattern.shape == "/" and not fig.data[1].marker.pattern.shape
    assert list(fig.data[1].marker.color) == [
        charts.benchmark_colour(p) for p in benchmarks["position"]
    ]
    assert fig.data[1].text[0] == "100.0%"
    assert fig.data[0].orientation == "h"  # names beside the bars, never overlapping
    assert fig.data[0].y[4].replace("<br>", "") == "B5 企業・働く人との出会い"
    assert "Noto Sans CJK JP" in fig.layout.font.family


def test_overview_bars_in_english_give_each_benchmark_its_own_row_of_at_most_two_lines(benchmarks):
    english = benchmarks.with_columns(
        name_en=pl.lit("Learning from careers and labour market information")
    )
    nation = _per_benchmark(english, [50.0] * 8)
    fig = charts.benchmark_bars(
        nation, nation, english, "en", nation_label="Japan", area_label="Tokyo", title="t"
    )
    labels = list(fig.data[0].y)
    assert fig.data[0].orientation == "h" and len(set(labels)) == 8  # one row per benchmark
    assert all(label.count("<br>") <= 1 for label in labels)
    assert labels[0].replace("<br>", " ").startswith("B1 Learning from careers")


def test_heatmap_has_a_row_per_area_and_writes_each_value(benchmarks):
    frame = pl.DataFrame(
        {
            "area_code": ["13"] * 8 + ["27"] * 8,
            "area_name_ja": ["東京都"] * 8 + ["大阪府"] * 8,
            "area_name_en": ["Tokyo"] * 8 + ["Osaka"] * 8,
            "benchmark_id": benchmarks["benchmark_id"].to_list() * 2,
            "pct_fully_achieved": [float(i * 5) for i in range(16)],
        }
    )
    fig = charts.area_heatmap(frame, benchmarks, "en", value_column="pct_fully_achieved", title="t")
    heat = fig.data[-1]
    assert list(heat.y) == ["Tokyo", "Osaka"]
    assert heat.text[1][0] == "40.0%"  # Osaka, first benchmark: 8 * 5
    assert heat.texttemplate == "%{text}"  # 16 cells: each one's number is written in it
    assert len(heat.x) == benchmarks.height


def _areas_by_benchmark(benchmarks, areas: int, missing: tuple[int, int]) -> pl.DataFrame:
    """`areas` areas x every benchmark, value = area * 10 + benchmark; None at `missing`."""
    ids = benchmarks["benchmark_id"].to_list()
    rows = [
        (f"A{a:02d}", f"Area {a}", b, None if (a, i) == missing else float(a * 10 + i))
        for a in range(areas)
        for i, b in enumerate(ids)
    ]
    return pl.DataFrame(
        {
            "area_code": [r[0] for r in rows],
            "area_name_ja": [r[1] for r in rows],
            "area_name_en": [r[1] for r in rows],
            "benchmark_id": [r[2] for r in rows],
            "pct_fully_achieved": [r[3] for r in rows],
        },
        schema_overrides={"pct_fully_achieved": pl.Float64},
    )


@pytest.mark.parametrize(("areas", "written"), [(25, True), (26, False)])
def test_heatmap_writes_numbers_only_while_there_are_few_enough_cells(benchmarks, areas, written):
    assert benchmarks.height == 8  # 25 x 8 = 200 cells is the most still written
    frame = _areas_by_benchmark(benchmarks, areas, missing=(3, 1))
    fig = charts.area_heatmap(frame, benchmarks, "en", value_column="pct_fully_achieved", title="t")
    heat = fig.data[-1]
    assert (heat.texttemplate == "%{text}") is written
    assert charts.heatmap_labelled(areas, benchmarks.height) is written
    assert heat.z[3][2] == 32.0 and heat.text[3][2] == "32.0%"  # on hover either way
    assert heat.z[3][1] is None and heat.text[3][1] == "suppressed"


def test_heatmap_greys_exactly_the_cells_without_a_value(benchmarks):
    frame = _areas_by_benchmark(benchmarks, 30, missing=(3, 1))
    grey, heat = charts.area_heatmap(
        frame, benchmarks, "en", value_column="pct_fully_achieved", title="t"
    ).data
    greyed = [(r, c) for r, row in enumerate(grey.z) for c, v in enumerate(row) if v is not None]
    assert greyed == [(3, 1)]
    assert list(grey.y) == list(heat.y) and list(grey.x) == list(heat.x)
    assert "suppressed" in grey.hovertemplate and not grey.showscale


def test_ranked_bars_keep_the_given_order_and_labels():
    frame = pl.DataFrame({"name": ["A", "B"], "value": [5.5, 3.25]})
    fig = charts.ranked_bars(
        frame,
        label_column="name",
        value_column="value",
        title="t",
        value_text=["5.5 / 8", "3.2 / 8"],
        axis_title="x",
    )
    assert list(fig.data[0].y) == ["A", "B"] and list(fig.data[0].text) == ["5.5 / 8", "3.2 / 8"]
    assert fig.layout.margin.r >= 8 * len("5.5 / 8")  # room for the longest bar's label


def test_ranked_bars_write_a_suppressed_areas_label_where_its_bar_would_start():
    frame = pl.DataFrame({"name": ["A", "B", "C"], "value": [5.5, None, 3.25]})
    fig = charts.ranked_bars(
        frame,
        label_column="name",
        value_column="value",
        title="t",
        value_text=["5.5 / 8", "非表示", "3.2 / 8"],
        axis_title="x",
    )
    bars, hidden = fig.data
    assert list(bars.y) == ["A", "B", "C"]
    assert (list(hidden.y), list(hidden.x), list(hidden.text)) == (["B"], [0], ["非表示"])
    assert hidden.mode == "text"
    assert bars.showlegend is False and hidden.showlegend is False  # no legend of one series


def test_distribution_shows_every_count_from_zero_to_all_benchmarks():
    frame = pl.DataFrame({"benchmarks_achieved": [1, 8], "schools": [1234, 2]})
    fig = charts.achieved_distribution(frame, 8, "ja", "分布")
    assert list(fig.data[0].x) == list(range(9))
    assert fig.data[0].text[1] == "1,234校" and fig.data[0].text[0] == "0校"


def test_school_comparison_marks_each_average_with_its_own_symbol(benchmarks):
    frame = pl.DataFrame(
        {
            "benchmark_id": benchmarks["benchmark_id"],
            "score": [100.0] * 8,
            "hub_mean": [None] * 8,
            "municipality_mean": [60.0] * 8,
            "prefecture_mean": [55.0] * 8,
            "national_mean": [50.0] * 8,
        },
        schema_overrides={"hub_mean": pl.Float64},
    )
    fig = charts.school_comparison(frame, benchmarks, "ja", "比較")
    names = [trace.name for trace in fig.data]
    # the school has no hub, so there is no hub series
    assert names == ["この学校", "市区町村平均", "都道府県平均", "全国平均"]
    symbols = {trace.marker.symbol for trace in fig.data[1:]}
    assert len(symbols) == 3


def test_history_lines_draw_one_coloured_line_per_benchmark_by_term(benchmarks):
    frame = pl.DataFrame(
        {
            "academic_year": [2024, 2024, 2025, 2024, 2024, 2025],
            "term": [1, 2, 2, 1, 2, 2],
            "benchmark_id": ["B1"] * 3 + ["B2"] * 3,
            "score": [50.0, 60, 100, 20, 30, 40],
        }
    )
    frame = frame.filter(pl.col("benchmark_id").is_in(benchmarks["benchmark_id"].to_list()[:2]))
    fig = charts_trends.history_lines(frame, benchmarks, "ja", "推移")
    assert len(fig.data) == 2
    assert list(fig.data[0].x) == ["2024年度 1学期", "2024年度 2学期", "2025年度 2学期"]
    # Ticks: each term's number, the year once under its first term, upright.
    assert list(fig.layout.xaxis.tickvals) == list(fig.data[0].x)
    assert list(fig.layout.xaxis.ticktext) == ["1<br>2024年度", "2", "2<br>2025年度"]
    assert fig.layout.xaxis.tickangle == 0
    assert fig.data[1].line.color == charts.benchmark_colour(2)
    # Each line's id at its end, in its colour.
    ends = {a.text: a for a in fig.layout.annotations}
    assert set(ends) == {trace.name.split()[0] for trace in fig.data}
    for trace in fig.data:
        end = ends[trace.name.split()[0]]
        assert (end.x, end.font.color) == (trace.x[-1], trace.line.color)


def test_history_lines_keep_terms_in_time_order_when_the_first_line_misses_one(benchmarks):
    first, second = benchmarks["benchmark_id"].to_list()[:2]
    frame = pl.DataFrame(
        {
            "academic_year": [2025, 2024, 2024, 2025],
            "term": [1, 2, 1, 1],
            "benchmark_id": [first, second, second, second],
            "score": [70.0, 60, 50, 80],
        }
    )
    fig = charts_trends.history_lines(frame, benchmarks, "en", "History")
    assert list(fig.layout.xaxis.categoryarray) == ["2024 term 1", "2024 term 2", "2025 term 1"]
    assert list(fig.layout.xaxis.ticktext) == ["1<br>2024", "2", "1<br>2025"]


def test_history_line_ends_close_together_get_labels_apart(benchmarks):
    """Four lines ending at 100, 99, 98 and 60 in the same term: the three close ones are
    spread to the least gap without leaving the chart; the lone one keeps its score."""
    ids = benchmarks["benchmark_id"].to_list()[:4]
    frame = pl.DataFrame(
        {
            "academic_year": [2025] * 8,
            "term": [1, 2] * 4,
            "benchmark_id": [b for b in ids for _ in range(2)],
            "score": [90.0, 100, 80, 99, 70, 98, 50, 60],
        }
    )
    fig = charts_trends.history_lines(frame, benchmarks, "ja", "推移")
    heights = {a.text: a.y for a in fig.layout.annotations}
    assert heights[ids[3]] == 60.0
    close = sorted(heights[b] for b in ids[:3])
    assert close[-1] <= 105.0
    assert all(b - a >= charts_trends.END_LABEL_GAP for a, b in itertools.pairwise(close))
    assert close[0] < 98.0  # moved down: there was no room above 100


def test_coverage_by_grade_groups_bars_per_grade_with_percent_labels(benchmarks):
    coverage_ids = benchmarks["benchmark_id"].to_list()[4:6]
    frame = pl.DataFrame(
        {
            "grade": [1, 1, 2, 2],
            "benchmark_id": coverage_ids * 2,
            "students_on_roll": [100, 100, 90, 90],
            "students_reached": [50, 25, 90, 0],
            "coverage_pct": [50.0, 25.0, 100.0, 0.0],
        }
    )
    fig = charts.coverage_by_grade(frame, benchmarks, "ja", "到達率")
    assert len(fig.data) == 2 and list(fig.data[0].x) == ["1年", "2年"]
    assert list(fig.data[0].text) == ["50%", "100%"]
    assert fig.data[0].marker.color == charts.benchmark_colour(5)


def test_benchmark_change_labels_rises_and_falls(benchmarks):
    frame = pl.DataFrame(
        {"benchmark_id": benchmarks["benchmark_id"].to_list()[:2], "change": [12.5, -3.0]}
    )
    fig = charts_trends.benchmark_change(frame, benchmarks, "ja", "変化")
    assert list(fig.data[0].text) == ["+12.5pt", "-3.0pt"]


SHARE = charts_trends.Panel("pct_fully_achieved", "Share", "%", percent=True)
COUNT = charts_trends.Panel("mean_score", "Average", "n", percent=False)


def test_area_lines_tick_a_share_with_percent_and_a_count_without():
    frame = pl.DataFrame(
        {
            "area_code": ["26240", "JP"],
            "area_name_ja": ["京都第2市", "全国"],
            "area_name_en": ["Kyoto 2", "Japan"],
            "academic_year": [2025, 2025],
            "pct_fully_achieved": [25.0, 13.9],
            "mean_score": [3.5, 5.1],
        }
    )
    fig = charts_trends.area_lines(frame, "en", (SHARE, COUNT))
    share, count = fig.select_traces(col=1), fig.select_traces(col=2)
    assert fig.layout.yaxis.ticksuffix == "%"
    assert [list(trace.text) for trace in share] == [["25.0%"], ["13.9%"]]
    assert not fig.layout.yaxis2.ticksuffix
    assert [list(trace.text) for trace in count] == [["3.5"], ["5.1"]]
    assert [a.text for a in fig.layout.annotations] == ["Share", "Average"]  # panel titles


def test_area_lines_name_each_area_once_in_the_legend_in_one_colour_in_every_panel():
    """The district and Japan are drawn in both panels; the legend lists each once, and a line
    and its points have the area's colour in either panel (not the next colours in turn)."""
    frame = pl.DataFrame(
        {
            "area_code": ["26240", "26240", "JP", "JP"],
            "area_name_ja": ["京都第2市", "京都第2市", "全国", "全国"],
            "area_name_en": ["Kyoto 2", "Kyoto 2", "Japan", "Japan"],
            "academic_year": [2024, 2025, 2024, 2025],
            "pct_fully_achieved": [20.0, 25.0, 12.0, 13.9],
            "mean_score": [3.1, 3.5, 4.8, 5.1],
        }
    )
    fig = charts_trends.area_lines(frame, "ja", (COUNT, SHARE))
    assert [t.name for t in fig.data if t.showlegend] == ["京都第2市", "全国"]
    for panel in (1, 2):
        colours = {t.name: (t.line.color, t.marker.color) for t in fig.select_traces(col=panel)}
        district, nation = colours["京都第2市"], colours["全国"]
        assert district[0] == district[1] and nation[0] == nation[1]
        assert district != nation
        first = {t.name: t.line.color for t in fig.select_traces(col=1)}
        assert first == {name: line for name, (line, _) in colours.items()}
    # clicking an area in the legend hides its line in both panels
    groups = {t.name: t.legendgroup for t in fig.data}
    assert groups == {"京都第2市": "26240", "全国": "JP"}


def test_area_lines_write_close_values_on_opposite_sides_of_their_lines():
    """2024: the district 25.0, the prefecture 14.3 and Japan 13.9: the prefecture's nearest
    line is Japan's, just under it, so its value goes above and Japan's below; 2025 has only
    the district, written above."""
    frame = pl.DataFrame(
        {
            "area_code": ["26240", "26", "JP", "26240"],
            "area_name_ja": ["京都第2市", "京都", "全国", "京都第2市"],
            "area_name_en": ["Kyoto 2", "Kyoto", "Japan", "Kyoto 2"],
            "academic_year": [2024, 2024, 2024, 2025],
            "pct_fully_achieved": [25.0, 14.3, 13.9, 30.0],
        }
    )
    fig = charts_trends.area_lines(frame, "en", (SHARE,))
    sides = {trace.name: list(trace.textposition) for trace in fig.data}
    assert sides == {
        "Kyoto 2": ["top center", "top center"],
        "Kyoto": ["top center"],
        "Japan": ["bottom center"],
    }


def growth(*points: tuple[str, str, int, float]):
    """The growth chart of listening from (which, assessor, year of schooling, mean step)."""
    which, assessor, years, steps = zip(*points, strict=True)
    rows = pl.DataFrame(
        {
            "which": which,
            "assessor": assessor,
            "skill_id": ["listening"] * len(points),
            "year_of_schooling": years,
            "mean_step": steps,
        }
    )
    return charts_skills.growth_lines(rows, "listening", "A school", "Japan", "en", "Listening")


def test_skill_growth_writes_close_values_on_opposite_sides_of_their_lines():
    """Year 10: the school's teachers 5.0 and its students 4.9 (a tenth apart) and Japan 3.0:
    the students' value goes under their line, away from the teachers' just above; year 11
    has only the teachers' line, written above."""
    fig = growth(
        ("area", "teacher", 10, 5.0),
        ("area", "self", 10, 4.9),
        ("compare", "teacher", 10, 3.0),
        ("area", "teacher", 11, 5.2),
    )
    sides = {trace.name: list(trace.textposition) for trace in fig.data}
    teacher, own, nation = (trace.name for trace in fig.data)
    assert sides == {
        teacher: ["top center", "top center"],
        own: ["bottom center"],
        nation: ["bottom center"],
    }
    assert [list(trace.text) for trace in fig.data] == [["5.0", "5.2"], ["4.9"], ["3.0"]]


def test_skill_growth_leaves_the_nations_value_unwritten_where_it_would_print_over():
    """Year 12: the school's teachers 11.2, the nation 11.7 and the school's students 12.2.
    The nation's value would sit 0.5 steps under the students' (a label needs 6 % of the axis,
    0.73 steps): it is left to the hover; the school's own two stay written."""
    fig = growth(
        ("area", "teacher", 12, 11.2),
        ("area", "self", 12, 12.2),
        ("compare", "teacher", 12, 11.7),
        ("compare", "self", 12, 12.6),  # not drawn: places no label
    )
    assert [list(trace.text) for trace in fig.data] == [["11.2"], ["12.2"], [""]]
    assert [list(trace.textposition) for trace in fig.data] == [
        ["bottom center"],
        ["top center"],
        ["top center"],
    ]
    assert [list(trace.y) for trace in fig.data] == [[11.2], [12.2], [11.7]]  # hover keeps it


def test_skill_growth_ticks_years_of_schooling_upright_on_two_lines():
    rows = pl.DataFrame(
        {
            "which": ["area", "area", "compare", "compare"],
            "assessor": ["teacher"] * 4,
            "skill_id": ["listening"] * 4,
            "year_of_schooling": [1, 10, 1, 10],
            "mean_step": [3.0, 10.0, 2.5, 9.5],
        }
    )
    fig = charts_skills.growth_lines(rows, "listening", "A school", "Japan", "en", "Listening")
    assert list(fig.layout.xaxis.tickvals) == [1, 10]
    assert list(fig.layout.xaxis.ticktext) == ["Year 1<br>(ES 1)", "Year 10<br>(HS 1)"]
    assert fig.layout.xaxis.tickangle == 0
    japanese = charts_skills.growth_lines(rows, "listening", "学校", "全国", "ja", "聴く力")
    assert list(japanese.layout.xaxis.ticktext) == ["小1", "高1"]
