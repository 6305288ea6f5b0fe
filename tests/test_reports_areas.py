"""Each report section against the public marts of the area it names, on a warehouse built by the
real pipeline (`shirube sample` + ingest + build): the nation, a prefecture, a municipality (with
and without last year), a hub inside one prefecture and a hub across several.

Reports have no school-type selection (the CLI and the report page choose an area only).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from report_warehouse import (
    YEAR,
    area_where,
    benchmark_figures,
    build_sample_warehouse,
    min_schools,
    parent,
    query,
    summary,
)

from pipelines.i18n import t
from pipelines.reports import render_report
from pipelines.reports.charts import report_charts
from pipelines.reports.content import gather_report
from pipelines.reports.display import show
from pipelines.reports.model import Stat
from pipelines.warehouse import open_snapshot

KINDS = ("national", "prefecture", "municipality", "hub_in_prefecture", "hub_across")
MEASURES = (
    ("schools_registered", "count"),
    ("schools_reporting", "count"),
    ("response_rate", "pct"),
    ("avg_benchmarks_achieved", "avg"),
    ("pct_all_achieved", "pct"),
)


class Tables(HTMLParser):
    """The report's tables by class (rows of cell texts) and its folded lines."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.folded: list[str] = []
        self.meta: list[str] = []
        self._table = self._cell = self._para = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("class", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "p" and attrs.get("class") in ("folded", "meta"):
            self._para = (attrs["class"], [])

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None:
            self._table[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "p" and self._para is not None:
            kind, parts = self._para
            (self.folded if kind == "folded" else self.meta).append("".join(parts))
            self._para = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._para is not None:
            self._para[1].append(data)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    return build_sample_warehouse(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def areas(snapshot):
    """One area of each kind, chosen from the marts (so a new sample does not break the test)."""
    return {
        "national": "national",
        "prefecture": "prefecture:" + area_where(snapshot, "prefecture", "not now.suppressed"),
        "municipality": "municipality:"
        + area_where(snapshot, "municipality", "not now.suppressed and not before.suppressed"),
        "municipality_last_year_hidden": "municipality:"
        + area_where(snapshot, "municipality", "not now.suppressed and before.suppressed"),
        "hub_in_prefecture": "hub:"
        + area_where(snapshot, "hub", "d.parent_level = 'prefecture' and not now.suppressed"),
        "hub_across": "hub:" + area_where(snapshot, "hub", "d.parent_level = 'national'"),
    }


def html_tables(snapshot, area: str, lang: str = "ja") -> Tables:
    parser = Tables()
    parser.feed(render_report(snapshot, year=YEAR, area=area, lang=lang, fmt="html").decode())
    return parser


def content(snapshot, area: str, lang: str = "ja"):
    con = open_snapshot(snapshot)
    try:
        return gather_report(con, year=YEAR, area=area, lang=lang)
    finally:
        con.close()


def level_code(area: str) -> tuple[str, str]:
    return ("national", "JP") if area == "national" else tuple(area.split(":", 1))


def compared_areas(snapshot, area: str) -> list[tuple[str, str]]:
    """What the contract of the report says an area is compared with: the area it lies in
    (unless that is the nation), then the nation; nothing for the nation itself."""
    level, code = level_code(area)
    if level == "national":
        return []
    up = parent(snapshot, level, code)
    return ([up] if up != ("national", "JP") else []) + [("national", "JP")]


def name_of(snapshot, level: str, code: str) -> str:
    if level == "national":
        return t("report.area_national", "ja")
    return query(
        snapshot,
        "select area_name_ja from marts.dim_area where area_level = ? and area_code = ?",
        [level, code],
    )[0]["area_name_ja"]


def displayed(row: dict | None, column: str, kind: str, *, public: bool = False) -> str:
    """A mart figure as the report must print it: the mark when its row is suppressed."""
    if row is None:
        return t("report.no_data_mark", "ja")
    if row["suppressed"] and not public:
        return t("report.suppressed_mark", "ja")
    value = row[column]
    return show(Stat(None if value is None else float(value)), kind, "ja")


@pytest.mark.parametrize("kind", [*KINDS, "municipality_last_year_hidden"])
def test_headline_section_equals_the_marts_of_the_area_what_it_lies_in_and_the_nation(
    snapshot, areas, kind
):
    area = areas[kind]
    others = compared_areas(snapshot, area)
    table = html_tables(snapshot, area).tables["headline"]
    header, rows = table[0], {row[0]: row[1:] for row in table[1:]}
    assert header[2 : 2 + len(others)] == [name_of(snapshot, *a) for a in others]
    now = summary(snapshot, *level_code(area))
    before = summary(snapshot, *level_code(area), year=YEAR - 1)
    compared = [summary(snapshot, *a) for a in others]
    for measure, kind_ in MEASURES:
        label = t(f"report.measure_{measure}", "ja", count=8)
        public = measure == "schools_registered"
        expected = [
            displayed(now, measure, kind_, public=public),
            *(displayed(c, measure, kind_, public=public) for c in compared),
            displayed(before, measure, kind_, public=public),
        ]
        assert rows[label][:-1] == expected, (area, measure)


@pytest.mark.parametrize("kind", KINDS)
def test_benchmark_section_equals_the_marts_with_schools_reporting_beside_each_area(
    snapshot, areas, kind
):
    area = areas[kind]
    every = [level_code(area), *compared_areas(snapshot, area)]
    table = html_tables(snapshot, area).tables["benchmarks"]
    names = [name_of(snapshot, *a) for a in every]  # one group per area, each once
    assert table[0][2].startswith(names[0]) and table[0][3:] == names[1:]
    figures = [benchmark_figures(snapshot, *a) for a in every]
    for row in table[2:]:
        expected = []
        for by_id in figures:
            mart = by_id.get(row[0])
            expected += [
                displayed(mart, "schools_reporting", "count"),
                displayed(mart, "mean_score", "score"),
                displayed(mart, "pct_fully_achieved", "pct"),
            ]
        assert row[2:] == expected, (area, row[0])


@pytest.mark.parametrize("kind", KINDS)
def test_distribution_section_equals_the_mart_or_is_one_line_when_suppressed(snapshot, areas, kind):
    area = areas[kind]
    level, code = level_code(area)
    mart = query(
        snapshot,
        "select benchmarks_achieved, schools, suppressed from marts.public_achieved_distribution "
        "where area_level = ? and area_code = ? and academic_year = ?",
        [level, code, YEAR],
    )
    parsed = html_tables(snapshot, area)
    if any(r["suppressed"] for r in mart):
        assert "distribution" not in parsed.tables
        assert any(str(min_schools()) in line for line in parsed.folded)
        return
    counts = {r["benchmarks_achieved"]: r["schools"] for r in mart}
    shown = {int(row[0]): row[1] for row in parsed.tables["distribution"][1:]}
    assert shown == {k: f"{counts.get(k, 0):,}" for k in range(9)}


def test_regional_section_lists_unsuppressed_prefectures_and_folds_the_rest(snapshot, areas):
    parsed = html_tables(snapshot, areas["national"])
    marts = query(
        snapshot,
        "select d.area_name_ja, s.* from marts.public_area_year_summary s "
        "join marts.dim_area d using (area_level, area_code) join marts.build_info b "
        "on s.framework_version = b.default_framework_version "
        "where s.area_level = 'prefecture' and s.academic_year = ? order by s.area_code",
        [YEAR],
    )
    shown = {row[0]: row[1:] for row in parsed.tables["prefectures"][1:]}
    visible = [m for m in marts if not m["suppressed"]]
    hidden = [m for m in marts if m["suppressed"]]
    assert list(shown) == [m["area_name_ja"] for m in visible]
    for m in visible:
        assert shown[m["area_name_ja"]] == [
            displayed(m, "schools_reporting", "count"),
            displayed(m, "response_rate", "pct"),
            displayed(m, "avg_benchmarks_achieved", "avg"),
            displayed(m, "pct_all_achieved", "pct"),
        ]
    assert hidden, "the sample has prefectures below the suppression count"
    line = next(f for f in parsed.folded if t("report.col_prefecture", "ja") in f)
    assert f"({len(hidden)} 件)" in line and f"{min_schools()} 校未満" in line
    assert all(m["area_name_ja"] in line for m in hidden)
    assert t("report.suppressed_mark", "ja") not in "".join(
        cell for row in parsed.tables["prefectures"] for cell in row
    )


def test_suppressed_coverage_rows_fold_into_one_line_that_counts_them(snapshot, areas):
    area = areas["hub_in_prefecture"]
    level, code = level_code(area)
    suppressed = query(
        snapshot,
        "select count(*) as n from marts.public_area_coverage c join marts.dim_benchmark b "
        "using (benchmark_id) join marts.build_info i "
        "on b.framework_version = i.default_framework_version "
        "where area_level = ? and area_code = ? and academic_year = ? and c.suppressed "
        "and b.coverage_benchmark",
        [level, code, YEAR],
    )[0]["n"]
    assert suppressed > 0, "the sample's hub coverage is below the student count"
    parsed = html_tables(snapshot, area)
    assert any(line.startswith(f"＊ {suppressed} 行") for line in parsed.folded)
    rows = parsed.tables.get("coverage", [])
    assert all(t("report.suppressed_mark", "ja") not in row for row in rows)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_national_report_has_no_duplicated_column(snapshot, lang):
    parsed = html_tables(snapshot, "national", lang)
    for name in ("headline", "benchmarks", "regions", "prefectures"):
        header = parsed.tables[name][0]
        assert len(header) == len(set(header)), (name, header)
    nation = t("report.area_national", lang)
    assert parsed.tables["headline"][0] == [
        t("report.col_measure", lang),
        nation,
        t("report.col_previous", lang),
        t("report.col_change", lang),
    ]
    benchmarks = parsed.tables["benchmarks"]
    assert benchmarks[0][2:] == [nation] and len(benchmarks[1]) == 3  # one group of 3 figures
    assert all(len(row) == 2 + 3 for row in benchmarks[2:])
    assert t("report.col_nation_mean_score", lang) not in benchmarks[1]
    series = report_charts(content(snapshot, "national", lang))["benchmarks"].data
    assert [trace.name for trace in series] == [nation]


def test_municipality_report_compares_with_its_prefecture_and_the_nation_and_keeps_last_year(
    snapshot, areas
):
    area = areas["municipality"]
    level, code = level_code(area)
    prefecture = parent(snapshot, level, code)
    assert prefecture[0] == "prefecture"
    report = content(snapshot, area)
    assert [(c.level, c.code) for c in report.comparisons] == [prefecture, ("national", "JP")]
    before = summary(snapshot, level, code, year=YEAR - 1)
    last_year = {row.measure: row.previous for row in report.headline}
    assert last_year["avg_benchmarks_achieved"] == Stat(before["avg_benchmarks_achieved"])
    assert last_year["response_rate"] == Stat(before["response_rate"])


def test_last_year_is_hidden_only_where_last_year_is_suppressed(snapshot, areas):
    report = content(snapshot, areas["municipality_last_year_hidden"])
    by_measure = {row.measure: row for row in report.headline}
    assert by_measure["avg_benchmarks_achieved"].previous.suppressed
    assert by_measure["avg_benchmarks_achieved"].change.suppressed
    assert by_measure["avg_benchmarks_achieved"].area.value is not None  # this year is shown
    assert by_measure["schools_registered"].previous.value is not None  # the registry is public


@pytest.mark.parametrize("kind", ["municipality", "hub_in_prefecture", "national"])
def test_every_bar_and_tile_carries_the_number_of_schools_it_stands_on(snapshot, areas, kind):
    report = content(snapshot, areas[kind])
    charts = report_charts(report)
    areas_in_order = [report.area_name, *(c.name for c in report.comparisons)]
    bars = {trace.name: trace for trace in charts["benchmarks"].data}
    for index, name in enumerate(areas_in_order):
        for benchmark, text in zip(report.benchmarks, bars[name].text, strict=True):
            figures = (benchmark.area, *benchmark.comparisons)[index]
            if figures.pct_fully_achieved.value is not None:
                n = show(figures.schools_reporting, "count", "ja")
                assert text.endswith(f"({n}校)"), (name, text)
    tiles = {a.text.split("<br>")[0]: a.text for a in charts["regional"].layout.annotations}
    for tile in report.prefectures:
        n = tile.schools_reporting
        expected = f"<br>{show(n, 'count', 'ja')}校" if n.value is not None else "<br>"
        assert tiles[tile.short_name].endswith(expected), tiles[tile.short_name]


def test_data_version_is_a_readable_date_with_a_short_id(snapshot, areas):
    build = query(snapshot, "select * from marts.build_info")[0]
    built = build["built_at"].date()
    meta = " ".join(html_tables(snapshot, areas["prefecture"]).meta)
    assert f"{built.year}年{built.month}月{built.day}日" in meta
    assert build["version"][:13] in meta and build["version"] not in meta
    english = " ".join(html_tables(snapshot, areas["prefecture"], "en").meta)
    assert f"{built.day} {built:%B} {built.year}" in english
