"""What `shirube ingest` prints: a readable summary (Japanese by default) or one JSON document.

Everything printed passes through `printable` / `json_safe`: file names and values come from
senders, and an ESC or BEL in them must not drive the terminal of whoever runs the ingest.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from pipelines.i18n import t
from pipelines.ingest.api import UsageError, expand_paths, ingest_files
from pipelines.ingest.load import FileResult, ProgressEvent
from pipelines.ingest.names import json_safe, printable, readable_name
from pipelines.warehouse import resolve_db_path

TOP_REASONS = 5
EXAMPLES_PER_REASON = 3
PROGRESS_MIN_BYTES = 5_000_000  # a bar only for files that take a noticeable time


def results_json(results: list[FileResult], lang: str) -> dict:
    """The --json document: exactly the keys of the issue."""
    return {
        "files": [
            {
                "path": r.path,
                "kind": r.kind,
                "status": r.status,
                "rows_read": r.rows_read,
                "rows_loaded": r.rows_loaded,
                "rows_quarantined": r.rows_quarantined,
                "reason": r.reason(lang),
            }
            for r in results
        ]
    }


def summary_lines(results: list[FileResult], lang: str) -> list[str]:
    """Per file one line; then the most frequent quarantine reasons with example rows."""
    lines = []
    for r in results:
        kind = t(f"ingest.kind_{r.kind}", lang) if r.kind else "-"
        lines.append(
            t(
                f"ingest.summary_{r.status}",
                lang,
                path=r.path,
                kind=kind,
                read=r.rows_read,
                loaded=r.rows_loaded,
                quarantined=r.rows_quarantined,
            )
        )
        if r.status != "loaded" and r.reason(lang):
            lines.append("    " + (r.reason(lang) or ""))
        if r.rows_warned:
            lines.append("    " + t("ingest.summary_warned", lang, warned=r.rows_warned))
    by_rule: Counter[str] = Counter()
    examples: dict[str, list[tuple[FileResult, object]]] = {}
    for r in results:
        for row in r.quarantine_rows():
            by_rule[row.rule] += 1
            examples.setdefault(row.rule, []).append((r, row))
    if by_rule:
        lines.append("")
        lines.append(t("ingest.summary_top_reasons", lang))
        for rule, count in by_rule.most_common(TOP_REASONS):
            first = examples[rule][0][1]
            lines.append(t("ingest.summary_reason", lang, count=count, reason=first.reason(lang)))  # type: ignore[attr-defined]
            for r, row in examples[rule][:EXAMPLES_PER_REASON]:
                lines.append(
                    "      "
                    + t(
                        "ingest.summary_example",
                        lang,
                        path=Path(r.path).name,
                        row=row.row,
                        column=row.column or "-",  # type: ignore
                        value=row.value if row.value is not None else "",
                    )
                )  # type: ignore
    totals = (sum(r.rows_loaded for r in results), sum(r.rows_quarantined for r in results))
    lines.append("")
    lines.append(
        t(
            "ingest.summary_total",
            lang,
            files=len(results),
            loaded=totals[0],
            quarantined=totals[1],
            rejected=sum(r.status == "rejected" for r in results),
        )
    )
    return lines


class _ProgressBar:
    """A per-file step bar on stderr, only when stderr is a terminal and the file is large."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.enabled = sys.stderr.isatty()
        self.bar = None

    def __call__(self, event: ProgressEvent) -> None:
        if not self.enabled or event.size_bytes < PROGRESS_MIN_BYTES:
            return
        if event.step_index == 0:
            self.close()
            label = t(
                "ingest.progress_label",
                self.lang,
                name=printable(event.name),
                index=event.file_index + 1,
                count=event.file_count,
            )
            self.bar = click.progressbar(length=4, label=label, file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(1)
            if event.step == "commit":
                self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def run_ingest_command(
    paths: list[Path], *, db: str | None, kind: str | None, as_json: bool, lang: str
) -> int:
    """`shirube ingest`: 0 all files processed, 1 any file rejected, 2 usage error."""
    try:
        files = expand_paths(paths)
    except UsageError as exc:
        message = t(f"ingest.{exc.key}", lang, path=readable_name(str(exc.path)))
        click.echo(printable(message), err=True)
        return 2
    if not files:
        click.echo(t("ingest.usage_no_files", lang), err=True)
        return 2
    db_path = resolve_db_path(db)

    def on_wait() -> None:
        click.echo(t("ingest.waiting", lang), err=True)

    bar = _ProgressBar(lang)
    try:
        results = ingest_files(files, db_path, kind=kind, lang=lang, progress=bar, on_wait=on_wait)
    finally:
        bar.close()
    if as_json:
        click.echo(json_safe(json.dumps(results_json(results, lang), ensure_ascii=False)))
    else:
        click.echo("\n".join(printable(line) for line in summary_lines(results, lang)))
    return 1 if any(r.status == "rejected" for r in results) else 0
