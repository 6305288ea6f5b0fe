"""The "coverage so far" tables name each benchmark as the charts do, in both languages."""

import polars as pl

from dashboard import charts, ui
from dashboard.coverage_so_far import _figures
from pipelines.settings import default_framework

BENCHMARKS = pl.DataFrame(
    [
        {"benchmark_id": b.id, "name_ja": b.name_ja, "name_en": b.name_en}
        for b in default_framework().benchmarks
    ]
)


def test_each_row_names_its_benchmark_and_an_unknown_id_stays_as_written():
    rows = pl.DataFrame(
        {
            "benchmark_id": ["B5", "B6", "B9"],
            "students_on_roll": [40, 40, 40],
            "coverage_pct": [50.0, 25.0, None],
            "meaningful_coverage_pct": [40.0, 20.0, None],
            "coverage_ever_pct": [75.0, 30.0, None],
            "prep_unknown_pct": [0.0, 10.0, None],
        }
    )
    b5 = default_framework().benchmarks[4]
    for lang in ("ja", "en"):
        shown = rows.select(_figures(BENCHMARKS, lang, before=False))
        names = shown[ui.m("col_benchmark")].to_list()
        assert names == [
            charts.benchmark_label(BENCHMARKS, "B5", lang),
            charts.benchmark_label(BENCHMARKS, "B6", lang),
            "B9",
        ]
        assert names[0] == f"B5 {b5.name_ja if lang == 'ja' else b5.name_en}"
