"""The PDF report: the shared HTML document laid out by WeasyPrint on A4, charts as SVG.

Charts are drawn to SVG (vector) by kaleido in one headless Chromium session, with MathJax off
and plotly.js from the installed package, so nothing is fetched. WeasyPrint embeds subsets of the
system's Noto CJK fonts, and its URL fetcher accepts only `data:` URLs.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import plotly.graph_objects as go

from pipelines.reports.charts import report_charts
from pipelines.reports.document import build_document
from pipelines.reports.model import ReportContent, ReportError

BROWSER_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def _ensure_browser() -> None:
    """kaleido (through choreographer) finds Chromium via BROWSER_PATH, else on PATH."""
    if os.environ.get("BROWSER_PATH"):
        return
    for candidate in BROWSER_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            os.environ["BROWSER_PATH"] = found
            return
    raise ReportError("error_no_browser")


async def _svgs(figures: list[go.Figure]) -> list[bytes]:
    import kaleido

    async with kaleido.Kaleido(n=1, mathjax=False) as renderer:
        return [await renderer.calc_fig(fig, opts={"format": "svg"}) for fig in figures]


def figures_to_svg(figures: list[go.Figure]) -> list[bytes]:
    """SVG for each figure, one browser start for all; safe to call under a running event loop."""
    if not figures:
        return []
    _ensure_browser()
    # A worker thread has no event loop, so this works from Streamlit or async callers too.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _svgs(figures)).result()


def _img(svg: bytes) -> str:
    return f'<img alt="" src="data:image/svg+xml;base64,{base64.b64encode(svg).decode("ascii")}">'


def static_document(content: ReportContent, *, head_extra: str = "") -> str:
    """The report as HTML with its charts drawn as SVG images: no script at all.

    The PDF is laid out from it, and the dashboard previews it (a page that runs no code, small
    enough to embed, where the interactive HTML file with plotly.js inside is not)."""
    charts = report_charts(content)
    svgs = figures_to_svg(list(charts.values()))
    fragments = {name: _img(svg) for name, svg in zip(charts, svgs, strict=True)}
    return build_document(content, fragments, head_extra=head_extra)


def render_preview(content: ReportContent) -> bytes:
    """The static document for a preview; its policy forbids scripts and any fetch."""
    policy = (
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
    )
    return static_document(content, head_extra=policy).encode("utf-8")


def render_pdf(content: ReportContent) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    document = static_document(
        content,
        head_extra='<meta name="author" content="Shirube">'
        '<meta name="generator" content="Shirube">',
    )
    # Only data: URLs (the embedded charts) may be read; no file or network access at all.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=document, url_fetcher=fetcher).write_pdf()
