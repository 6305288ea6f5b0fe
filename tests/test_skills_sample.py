"""The skills marts on data no test wrote: a fresh `shirube sample`, ingested and built as a user
runs it, against skills_student_year and skills_area_year recomputed here with polars from the
sample's own files (read with openpyxl and the csv module, not through ingest or the marts)."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from build_rows import rows

from pipelines.skills_framework import load_skills_framework
from pipelines.warehouse import current_snapshot, open_snapshot

# The contract's offsets (data contract, second edition), written here, not imported.
OFFSETS = {"B1": 0, "C1": 6, "D1": 9, "C2": 0, "D2": 6, "E1": 0}
SKILLS = load_skills_framework()


def nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


def header_name(text: object) -> str:
    key = re.sub(r"[\s_]+", "", nfkc(text).casefold())
    for s in SKILLS.skills:
        if key in {re.sub(r"[\s_]+", "", x.casefold()) for x in (s.id, s.name_en, s.name_ja)}:
            return s.id
    plain = {
        "学校コード": "school_code",
        "生徒番号": "student_ref",
        "学年": "grade",
        "評価日": "assessed_on",
        "評価者": "assessor",
        "ハブコード": "hub_code",
        "hubcode": "hub_code",
        "schoolcode": "school_code",
        "studentref": "student_ref",
        "assessedon": "assessed_on",
    }
    return plain.get(nfkc(text), plain.get(key, key))


def table(path: Path) -> list[dict]:
    """A file's data rows as {column: text}, whatever its dress."""
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp932")
        cells = list(csv.reader(io.StringIO(text)))
    at = next(i for i, r in enumerate(cells) if r and header_name(r[0]) == "school_code")
    header = [header_name(h) for h in cells[at]]
    return [dict(zip(header, r, strict=False)) for r in cells[at + 1 :] if any(r)]


def day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    v = nfkc(value)
    m = re.fullmatch(r"令和(\d+)年(\d+)月(\d+)日", v)
    if m:
        return date(2018 + int(m[1]), int(m[2]), int(m[3]))
    y, mo, d = re.split(r"[-/]", v)
    return date(int(y), int(mo), int(d))


def step(value: object) -> int | None:
    v = nfkc(value).casefold().removeprefix("ステップ").removeprefix("step").strip()
    return None if v == "" else int(float(v))


def assessor(value: object) -> str:
    return "self" if nfkc(value) in ("本人", "自己評価", "self") else "teacher"


def sample_assessments(root: Path) -> pl.DataFrame:
    """One row per skill step in the files, in ingest order (sorted paths, then rows)."""
    records = []
    for order, path in enumerate(sorted((root / "7_skills").rglob("*.*"))):
        for number, r in enumerate(table(path)):
            for s in SKILLS.ids:
                value = step(r.get(s))
                if value is not None:
                    records.append(
                        (
                            order,
                            number,
                            nfkc(r["school_code"]),
                            nfkc(r["student_ref"]),
                            int(nfkc(r["grade"])),
                            day(r["assessed_on"]),
                            assessor(r.get("assessor")),
                            s,
                            value,
                        )
                    )
    columns = ["file", "row", "school", "student", "grade", "on", "assessor", "skill", "step"]
    frame = pl.DataFrame(records, schema=columns, orient="row")
    year = pl.col("on").dt.year() - (pl.col("on").dt.month() < 4).cast(pl.Int32)
    return frame.with_columns(year.alias("year"))


def hubs(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted((root / "1_schools").rglob("*.*")):
        for r in table(path):
            if nfkc(r.get("hub_code")):
                found[nfkc(r["school_code"])] = nfkc(r["hub_code"])
    return found


def expected_students(steps: pl.DataFrame) -> pl.DataFrame:
    key = ["school", "student", "on", "assessor", "skill"]
    latest = steps.sort("file", "row").group_by(key).last()  # newer file, then later row
    student = ["school", "year", "student"]
    grade = latest.sort("on", "file", "row").group_by(student).agg(pl.col("grade").last())
    per = (
        latest.sort("on")
        .group_by([*student, "skill", "assessor"])
        .agg(
            pl.len().alias("assessments"),
            pl.col("step").first().alias("first_step"),
            pl.col("step").last().alias("latest_step"),
        )
        .with_columns(
            pl.when(pl.col("assessments") >= 2)
            .then(pl.col("latest_step") - pl.col("first_step"))
            .alias("progress")
        )
    )
    offset = pl.col("school").str.slice(0, 2).replace_strict(OFFSETS, default=None)
    return per.join(grade, on=student).with_columns((pl.col("grade") + offset).alias("yos"))


def expected_area(students: pl.DataFrame, by: str) -> dict[tuple, tuple]:
    """{(area, year, year_of_schooling or None, skill, assessor): figures}."""
    out = {}
    for with_year in (True, False):
        keys = [by, "year", *(["yos"] if with_year else []), "skill", "assessor"]
        frame = students.filter(pl.col("yos").is_not_null()) if with_year else students
        grouped = frame.group_by(keys).agg(
            pl.col("school").n_unique().alias("schools"),
            pl.len().alias("students"),
            pl.col("latest_step").mean().alias("mean_step"),
            pl.col("progress").count().alias("with_progress"),
            pl.col("progress").mean().alias("mean_progress"),
        )
        for r in grouped.iter_rows():
            head = r[: len(keys)]
            if not with_year:
                head = (*head[:2], None, *head[2:])
            out[head] = r[len(keys) :]
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("skills_sample")
    sample, db = root / "sample", root / "shirube.duckdb"
    for step_args in (
        ("sample", str(sample), "--schools", "80", "--years", "2", "--seed", "23"),
        ("ingest", str(sample), "--db", str(db)),
        ("build", "--db", str(db)),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "shirube.cli", *step_args, "--lang", "en"],
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, (step_args, result.stdout[-2000:], result.stderr[-2000:])
    return sample, db


def test_skills_student_year_matches_the_files(built):
    sample, db = built
    want = expected_students(sample_assessments(sample))
    assert want.height > 1000 and want["progress"].count() > 100
    with open_snapshot(current_snapshot(db)[1]) as snap:
        got = rows(
            snap,
            "select school_code, academic_year, student_ref, skill_id, assessor, assessments, "
            "first_step, latest_step, progress, grade, year_of_schooling "
            "from marts.skills_student_year",
        )
    columns = ["school", "year", "student", "skill", "assessor", "assessments"]
    columns += ["first_step", "latest_step", "progress", "grade", "yos"]
    expected = sorted(want.select(columns).iter_rows())
    assert sorted(got) == expected


@pytest.mark.parametrize("level", ["national", "hub", "school"])
def test_skills_area_year_matches_the_files(built, level):
    sample, db = built
    students = expected_students(sample_assessments(sample))
    if level == "national":
        students = students.with_columns(pl.lit("JP").alias("area"))
    elif level == "hub":
        hub_of = hubs(sample)
        students = students.with_columns(
            pl.col("school").replace_strict(hub_of, default=None).alias("area")
        ).filter(pl.col("area").is_not_null())
    else:
        students = students.with_columns(pl.col("school").alias("area"))
    want = expected_area(students, "area")
    with open_snapshot(current_snapshot(db)[1]) as snap:
        got = {
            tuple(r[:5]): tuple(r[5:])
            for r in rows(
                snap,
                "select area_code, academic_year, year_of_schooling, skill_id, assessor, "
                "schools, students_assessed, mean_step, students_with_progress, mean_progress "
                "from marts.skills_area_year where area_level = ?",
                [level],
            )
        }
    assert set(got) == set(want)
    for key, figures in want.items():
        assert got[key] == pytest.approx(figures), key
