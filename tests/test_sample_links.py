"""The sample's students move on: links from its elementary schools to junior highs and on to
high schools, and a high school's first-years' earlier workplace experiences computed in plain
Python from the files equal the mart's figure."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from app_pages import open_page, page_app
from test_sample import nfkc, parse_date, parse_year

from pipelines.build import build_warehouse
from pipelines.reference import activity_types
from pipelines.warehouse import current_snapshot, open_snapshot

SEED = 11
HEADERS = {
    "学校コード": "school_code",
    "生徒番号": "student_ref",
    "学年": "grade",
    "年度": "academic_year",
    "活動種別": "activity_type",
    "実施日": "activity_date",
    "事前学習": "prepared",
    "振り返り": "reflected",
    "引継ぎ元学校コード": "from_school_code",
    "引継ぎ元生徒番号": "from_student_ref",
    "引継ぎ先学校コード": "to_school_code",
    "引継ぎ先生徒番号": "to_student_ref",
    "引継ぎ日": "linked_on",
}
FOLDERS = {"roster": "3_roster", "activities": "4_activities", "links": "8_links"}


def read_rows(path: Path) -> list[dict[str, str]]:
    """A sample file's data rows as {contract field: text}, whatever its dress."""
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = [
            [
                v.date().isoformat()
                if hasattr(v, "date")
                else str(int(v))
                if isinstance(v, float) and v.is_integer()
                else v
                for v in r
            ]
            for r in sheet.iter_rows(values_only=True)
        ]
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp932")
        import csv

        rows = list(csv.reader(text.splitlines()))
    known = set(HEADERS) | set(HEADERS.values())
    at = next(i for i, r in enumerate(rows) if any(nfkc(c) in known for c in r))
    header = [HEADERS.get(nfkc(c), nfkc(c)) for c in rows[at]]
    return [dict(zip(header, (nfkc(v) for v in r), strict=False)) for r in rows[at + 1 :]]


def read_kind(root: Path, kind: str) -> list[dict[str, str]]:
    return [r for p in sorted((root / FOLDERS[kind]).rglob("*.*")) for r in read_rows(p)]


def academic_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("links_sample")
    out, db = root / "sample", root / "w.duckdb"
    cli = [sys.executable, "-m", "shirube.cli"]
    subprocess.run([*cli, "sample", str(out), "--seed", str(SEED)], check=True, timeout=300)
    done = subprocess.run(
        [*cli, "ingest", "--json", "--db", str(db), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    build_warehouse(db, lang="en")
    return out, db


def test_clean_sample_links_load_without_quarantine_and_form_journeys(sample):
    out, db = sample
    links = read_kind(out, "links")
    assert len(links) > 100
    stages = {(r["from_school_code"][:2], r["to_school_code"][:2]) for r in links}
    assert stages == {("B1", "C1"), ("C1", "D1")}
    with open_snapshot(current_snapshot(db)[1]) as snap:
        ((quarantined,),) = snap.execute("select count(*) from marts.quarantine").fetchall()
        ((members,),) = snap.execute(
            "select count(*) from marts.journey_members where journey_length > 1"
        ).fetchall()
    assert quarantined == 0
    assert members == 2 * len(links)  # one link per journey of two schools in three years


def test_first_years_workplace_experience_before_arriving_matches_an_independent_count(
    sample, monkeypatch
):
    out, db = sample
    labels = {t.name_ja: code for code, t in activity_types().items()}
    workplace = {
        (r["school_code"], r["student_ref"], academic_year(parse_date(r["activity_date"])))
        for r in read_kind(out, "activities")
        if labels.get(r["activity_type"], r["activity_type"]) == "workplace_experience"
    }
    predecessor = {}
    for r in read_kind(out, "links"):  # ingest order: a later link replaces an earlier one
        predecessor[(r["to_school_code"], r["to_student_ref"])] = (
            r["from_school_code"],
            r["from_student_ref"],
        )
    roster = read_kind(out, "roster")
    latest = max(parse_year(r["academic_year"]) for r in roster)

    def before(student: tuple[str, str], year: int) -> bool:
        earlier = predecessor.get(student)
        while earlier:
            if any((*earlier, y) in workplace for y in range(year - 12, year + 1)):
                return True
            earlier = predecessor.get(earlier)
        return False

    first_years: dict[str, list[tuple[str, str]]] = {}
    for r in roster:
        if (
            r["school_code"].startswith("D1")
            and parse_year(r["academic_year"]) == latest
            and int(r["grade"]) == 1
        ):
            first_years.setdefault(r["school_code"], []).append(
                (r["school_code"], r["student_ref"])
            )
    expected = {
        school: sum(before(s, latest) for s in set(students))
        for school, students in first_years.items()
    }
    assert any(expected.values())
    with open_snapshot(current_snapshot(db)[1]) as snap:
        got = dict(
            snap.execute(
                "select school_code, students_reached_before from marts.cumulative_coverage "
                "where academic_year = ? and grade = 1 and benchmark_id = 'B6' "
                "and school_code like 'D1%'",
                [latest],
            ).fetchall()
        )
    assert got == expected
    # The school profile shows the same figure, labelled with the school, year and group.
    school = max(expected, key=expected.get)
    app = open_page(page_app(db, monkeypatch), "views/school.py", school=school, year=str(latest))
    assert not app.exception
    on_roll = len(set(first_years[school]))
    shown = [m for m in app.metric if m.value == f"{expected[school]} / {on_roll}"]
    assert len(shown) == 1
    assert str(latest) in shown[0].label and "高1" in shown[0].label
