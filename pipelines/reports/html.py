"""The HTML report: one self-contained file that opens offline.

plotly.js is embedded once, in the first chart; later charts reuse it. Fonts are named locally,
and the Plotly logo link and mode bar are off, so the file holds no network reference.
"""

from __future__ import annotations

from pipelines.reports.charts import report_charts
from pipelines.reports.document import build_document
from pipelines.reports.model import ReportContent

PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def render_html(content: ReportContent) -> bytes:
    fragments = {}
    for index, (name, fig) in enumerate(report_charts(content).items()):
        fragments[name] = fig.to_html(
            full_html=False,
            include_plotlyjs=index == 0,
            include_mathjax=False,
            config=PLOTLY_CONFIG,
            div_id=f"chart-{name}",
        )
    return build_document(content, fragments).encode("utf-8")
