"""Benchmark colours, one per framework position, shared by the dashboard's and the reports' charts.

A benchmark keeps its colour wherever it is drawn, so B5 on a hub coordinator's screen and B5 in
the funder report are the same colour. Okabe-Ito (colour-blind safe) first, then further distinct
colours for frameworks with more than eight benchmarks.
"""

from __future__ import annotations

BENCHMARK_PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#999933",
    "#882255",
    "#44AA99",
    "#332288",
)


def benchmark_colour(position: int) -> str:
    """The benchmark's colour, fixed by its 1-based position in the framework."""
    return BENCHMARK_PALETTE[(position - 1) % len(BENCHMARK_PALETTE)]
