"""The browser self-assessment (自己評価): drafts kept in the warehouse, and a submit that is a
criteria-answer file.

Each answer the page saves is appended to raw.criteria_drafts, so a closed session loses nothing.
Submitting writes the draft as a criteria-answer CSV (the contract's Japanese header, UTF-8 with
BOM) and sends it through the same `ingest_files` the CLI uses: the return is archived, in the
ingest log and traceable exactly like a file a school sent, and the marts cannot tell them apart.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pipelines.framework import Framework, normalise_criterion_id
from pipelines.ingest import FileResult, IngestSource, ingest_files
from pipelines.ingest.normalise import criterion_answer
from pipelines.settings import default_framework
from pipelines.warehouse import connect_writer, writer_lock

# How the questionnaire writes each kind's answers in its file (any accepted spelling would do).
ANSWERS = {
    "yes_no": ("はい", "いいえ"),
    "progress": ("未着手", "取組中", "達成"),
}
FILE_HEADER = ("学校コード", "年度", "学期", "提出日", "観点", "回答", "フレームワーク")


@dataclass(frozen=True)
class BenchmarkPreview:
    """A benchmark as the draft stands: its score, or the criteria still missing."""

    benchmark_id: str
    score: float | None  # None: not assessed (some criterion unanswered or unreadable)
    missing: tuple[str, ...]  # criterion ids without a readable answer


def save_draft_answer(
    db_path: Path,
    *,
    school: str,
    year: int,
    term: int,
    criterion_id: str,
    answer: str | None,
    user: str,
    framework: Framework | None = None,
) -> None:
    """Append one answer (None clears it) to the school's draft for that year and term."""
    framework = framework or default_framework()
    text = None if answer is None or not str(answer).strip() else str(answer).strip()
    with writer_lock(db_path):
        con = connect_writer(db_path)
        try:
            con.execute(
                "insert into raw.criteria_drafts values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    school,
                    year,
                    term,
                    framework.version,
                    normalise_criterion_id(criterion_id),
                    text,
                    datetime.now(),
                    user,
                ],
            )
        finally:
            con.close()


def load_draft(
    db_path: Path, *, school: str, year: int, term: int, framework: Framework | None = None
) -> dict[str, str]:
    """The draft's answers by criterion id (cleared answers left out)."""
    framework = framework or default_framework()
    with writer_lock(db_path):
        con = connect_writer(db_path)
        try:
            rows = con.execute(
                """
                select criterion_id, answer from (
                    select criterion_id, answer, row_number() over (
                        partition by criterion_id order by saved_at desc, rowid desc) as latest
                    from raw.criteria_drafts
                    where school_code = ? and academic_year = ? and term = ?
                      and framework_version = ?)
                where latest = 1 and answer is not null
                """,
                [school, year, term, framework.version],
            ).fetchall()
        finally:
            con.close()
    return dict(rows)


def preview(answers: dict[str, str], framework: Framework | None = None) -> list[BenchmarkPreview]:
    """Each benchmark's score from the draft by the contract's rule (the mean of its criteria,
    only when every one is answered), for the page before submit; the marts compute their own."""
    framework = framework or default_framework()
    previews = []
    for benchmark in framework.benchmarks:
        scores, missing = [], []
        for criterion in benchmark.criteria:
            answer = answers.get(criterion.id)
            score = criterion_answer(criterion.kind, answer) if answer else None
            if score is None:
                missing.append(criterion.id)
            else:
                scores.append(score)
        complete = bool(benchmark.criteria) and not missing
        previews.append(
            BenchmarkPreview(
                benchmark.id, sum(scores) / len(scores) if complete else None, tuple(missing)
            )
        )
    return previews


def criteria_file(
    *,
    school: str,
    year: int,
    term: int,
    submitted_on: date,
    answers: dict[str, str],
    framework: Framework | None = None,
) -> bytes:
    """The criteria-answer CSV of one return, in the framework's order (UTF-8 with BOM)."""
    framework = framework or default_framework()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FILE_HEADER)
    for criterion in framework.criteria:
        if answers.get(criterion.id):
            writer.writerow(
                [
                    school,
                    year,
                    term,
                    submitted_on.isoformat(),
                    criterion.id,
                    answers[criterion.id],
                    framework.version,
                ]
            )
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def submit_self_assessment(
    db_path: Path,
    *,
    school: str,
    year: int,
    term: int,
    user: str,
    submitted_on: date | None = None,
    allowed_schools: set[str] | None = None,
    framework: Framework | None = None,
) -> FileResult:
    """Send the draft as a criteria-answer file through ingest; the file's result.

    The caller rebuilds (pipelines.build.build_warehouse) so the new percentages show.
    """
    from pipelines.ingest.validate import today_in_japan

    framework = framework or default_framework()
    answers = load_draft(db_path, school=school, year=year, term=term, framework=framework)
    submitted_on = submitted_on or today_in_japan()
    content = criteria_file(
        school=school,
        year=year,
        term=term,
        submitted_on=submitted_on,
        answers=answers,
        framework=framework,
    )
    stamp = datetime.now().strftime("%Y%m%d%H%M%S")
    name = f"self_assessment_{school}_{year}_term{term}_{stamp}.csv"
    source = IngestSource(name=name, data=content, source_path=f"questionnaire:{name}")
    (result,) = ingest_files([source], db_path, user=user, allowed_schools=allowed_schools)
    return result
