"""HTML building blocks of the report document: escaped messages, tables and notes."""

from __future__ import annotations

from html import escape

from pipelines.i18n import t
from pipelines.reports.model import ReportContent, Stat


def message(content: ReportContent, key: str, **values: object) -> str:
    """A catalogue message in the report's language, escaped for HTML (values may be data)."""
    return escape(t(f"report.{key}", content.lang, **values))


def table(
    headers: list[str],
    rows: list[list[tuple[str, bool]]],
    css_class: str = "",
    *,
    head: str | None = None,
) -> str:
    """rows: cells as (text, numeric); numeric cells align right. Texts are escaped here.
    `head` replaces the single header row (already escaped HTML, e.g. two grouped rows)."""
    head = (
        head
        if head is not None
        else "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr>"
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if numeric else "text"}">{escape(text)}</td>'
            for text, numeric in row
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="{css_class}"><thead>{head}</thead><tbody>{body}</tbody></table>'


def footnote_if_suppressed(content: ReportContent, stats: list[Stat]) -> str:
    if not any(s.suppressed for s in stats):
        return ""
    text = message(
        content,
        "suppression_footnote",
        min_schools=content.min_schools,
        min_students=content.min_students,
    )
    return f'<p class="note">{text}</p>'


def fold_line(content: ReportContent, key: str, names: list[str], **values: object) -> str:
    """One line in place of rows whose figures are all suppressed: how many, why, and which."""
    if not names:
        return ""
    text = message(
        content,
        key,
        count=len(names),
        names=t("report.list_separator", content.lang).join(names),
        min_schools=content.min_schools,
        min_students=content.min_students,
        **values,
    )
    return f'<p class="folded">{text}</p>'
