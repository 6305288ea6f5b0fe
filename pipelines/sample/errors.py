"""The --with-errors folder: files whose rows each break one rule of the data contract.

Every bad row is listed in README.txt (Japanese and English) with the file, the row as Excel shows
it, the column and what it is meant to show, so a reader can check the quarantine against it.
The folder sorts after the clean data, so its rows meet a registry that is already loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.codes import make_school_code
from pipelines.framework import Framework
from pipelines.i18n import t
from pipelines.reference import activity_types, school_types
from pipelines.sample import dress as d
from pipelines.sample.manifest import SampleFile

FOLDER = "9_with_errors"
# Far enough ahead to stay in the future for the life of the committed sample.
FUTURE_DAY = date(2099, 7, 15)


@dataclass(frozen=True)
class BadRow:
    file: str
    row: int  # as Excel shows it
    column: str
    value: str
    reason: str  # message key in sample.toml


def _other_code(code: str) -> str:
    """The same school code with a wrong check digit."""
    return code[:12] + str((int(code[12]) + 1) % 10)


def _new_code(registry: pl.DataFrame, type_code: str, pref: str, start: int) -> str:
    """A valid school code that the registry does not hold."""
    known = set(registry["school_code"])
    number = start
    while make_school_code(type_code, pref, "2", number) in known:
        number += 1
    return make_school_code(type_code, pref, "2", number)


def _junior_high(registry: pl.DataFrame) -> str:
    """A school whose grades stop below 7 (a junior high school when there is one)."""
    short = registry.with_columns(
        max_grade=pl.col("type_code").replace_strict(
            {k: v.max_grade or 0 for k, v in school_types().items()}, return_dtype=pl.Int64
        )
    )
    short = short.filter(pl.col("max_grade") < 7).sort(
        pl.col("type_code") != "C1", maintain_order=True
    )
    return short["school_code"][0] if short.height else registry["school_code"][0]


def write_error_files(
    out_dir: Path,
    rng: np.random.Generator,
    registry: pl.DataFrame,
    framework: Framework,
    latest_year: int,
    created: datetime,
) -> list[SampleFile]:
    """Write the bad files and README.txt into out_dir/9_with_errors; return their entries."""
    folder = out_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    known = registry["school_code"][0]
    first = registry.row(0, named=True)
    other_pref = "13" if first["prefecture_code"] != "13" else "27"
    junior = _junior_high(registry)
    ids = list(framework.ids)
    year, in_year = latest_year, date(latest_year, 7, 10)
    bad: list[BadRow] = []
    files: list[SampleFile] = []

    def table(
        name: str,
        dress: str,
        columns: list[str],
        rows: list[tuple[list[str], str, str]],
        kind: str,
        title: list[str] | None = None,
    ) -> None:
        """rows: (values, bad column, reason key); values are written as text."""
        first_data_row = d.header_row_number(title) + 1 if title else 2
        frame = pl.DataFrame(
            [[v or None for v in values] for values, _c, _r in rows],
            schema={c: pl.String for c in columns},
            orient="row",
        )
        japanese = dress != d.UTF8BOM_CSV_EN
        frame = frame.rename(
            dict(zip(columns, d.headers_for(columns, d.Style(japanese)), strict=True))
        )
        d.write_file(frame, folder / name, dress, title=title, created=created)
        files.append(SampleFile(Path(FOLDER) / name, kind, dress, frame.height, clean=False))
        for i, (values, column, reason) in enumerate(rows):
            value = values[columns.index(column)] if column in columns else ""
            bad.append(BadRow(name, first_data_row + i, column, value or "", reason))

    school_cols = ["school_code", "school_name", "municipality_code", "municipality_name"]
    new_a = _new_code(registry, "B1", first["prefecture_code"], 9_990_001)
    new_b = _new_code(registry, "B1", first["prefecture_code"], 9_990_101)
    table(
        "1_schools_errors.csv",
        d.CP932_CSV_JA,
        school_cols,
        [
            (
                [
                    _other_code(new_a),
                    "検証用第一小学校",
                    first["municipality_code"],
                    first["municipality_name"],
                ],
                "school_code",
                "err_check_digit",
            ),
            (
                [new_b, "検証用第二小学校", f"{other_pref}101", "別県の市"],
                "municipality_code",
                "err_other_prefecture",
            ),
        ],
        "schools",
    )

    blank = [""] * len(ids)
    scores = ["80"] * len(ids)

    def score_row(code: str, term: str, on: str, values: list[str]) -> list[str]:
        return [code, str(year), term, on, *values]

    return_cols = ["school_code", "academic_year", "term", "submitted_on", *ids]
    day = in_year.isoformat()
    table(
        "2_returns_errors.csv",
        d.UTF8BOM_CSV_EN,
        return_cols,
        [
            (
                score_row(_new_code(registry, "C1", "23", 9_990_201), "1", day, scores),
                "school_code",
                "err_unknown_school",
            ),
            (score_row(_other_code(known), "1", day, scores), "school_code", "err_check_digit"),
            (
                score_row(known, "1", FUTURE_DAY.isoformat(), scores),
                "submitted_on",
                "err_future_date",
            ),
            (score_row(known, "1", day, ["120", *scores[1:]]), ids[0], "err_score_range"),
            (score_row(known, "1", day, ["abc", *scores[1:]]), ids[0], "err_score_text"),
            (score_row(known, "4", day, scores), "term", "err_term"),
            (score_row(known, "1", day, blank), ids[0], "err_no_benchmark"),
        ],
        "returns",
    )

    table(
        "3_roster_errors.csv",
        d.CP932_CSV_JA,
        ["school_code", "academic_year", "student_ref", "grade"],
        [
            ([junior, str(year), "S990001", "7"], "grade", "err_grade_range"),
            ([junior, str(year), "", "1"], "student_ref", "err_missing_ref"),
        ],
        "roster",
    )

    activity = next(iter(activity_types()))
    activity_cols = [
        "school_code",
        "student_ref",
        "grade",
        "activity_type",
        "activity_date",
        "hours",
        "provider",
    ]
    title = [f"令和{year - 2018}年度 キャリア活動記録(誤りの例)", "※ 取り込みで隔離される行の例"]
    table(
        "4_activities_errors.xlsx",
        d.XLSX_TITLE_JA,
        activity_cols,
        [
            ([junior, "S990001", "7", activity, day, "1", ""], "grade", "err_grade_range"),
            (
                [known, "S990002", "1", "field_trip", day, "1", ""],
                "activity_type",
                "err_activity_type",
            ),
            ([known, "S990003", "1", activity, day, "-2", ""], "hours", "err_negative_hours"),
            ([known, "", "1", activity, day, "1", ""], "student_ref", "err_missing_ref"),
            (
                [known, "S990004", "1", activity, FUTURE_DAY.isoformat(), "1", ""],
                "activity_date",
                "err_future_date",
            ),
        ],
        "activities",
        title,
    )

    if framework.criteria:
        yes_no = next(c.id for c in framework.criteria if c.kind == "yes_no")
        progress = next(c.id for c in framework.criteria if c.kind == "progress")
        criteria_cols = ["school_code", "academic_year", "term", "submitted_on"]
        criteria_cols += ["criterion", "answer"]
        key = [known, str(year), "1", day]
        table(
            "5_criteria_errors.csv",
            d.CP932_CSV_JA,
            criteria_cols,
            [
                ([*key, "B9-9", "はい"], "criterion", "err_unknown_criterion"),
                ([*key, yes_no, "たぶん"], "answer", "err_answer_kind"),
                ([*key, progress, "80"], "answer", "err_answer_kind"),
                (
                    [
                        _new_code(registry, "C1", "23", 9_990_301),
                        str(year),
                        "1",
                        day,
                        yes_no,
                        "はい",
                    ],
                    "school_code",
                    "err_unknown_school",
                ),
            ],
            "criteria",
        )

    _skills_errors(table, registry, known, in_year)

    # Bytes no text decoder makes a table of: NULs and invalid UTF-8 and CP932 sequences.
    garbage = b"\x00\xff\xfe\x81\x00" + rng.bytes(2048) + b"\x00" * 16
    (folder / "8_unreadable.csv").write_bytes(garbage)
    (folder / "8_empty.csv").write_bytes(b"")
    files += [
        SampleFile(Path(FOLDER) / "8_unreadable.csv", "unreadable", "", 0, clean=False),
        SampleFile(Path(FOLDER) / "8_empty.csv", "empty", "", 0, clean=False),
    ]
    (folder / "README.txt").write_text(_readme(bad), encoding="utf-8")
    files.append(SampleFile(Path(FOLDER) / "README.txt", "readme", "", 0, clean=False))
    return files


def _skills_errors(table, registry: pl.DataFrame, known: str, day: date) -> None:
    """Essential-skills rows that break the skills rules (CP932, skills named in Japanese and by
    id in one header, as a hand-edited file may)."""
    on = day.isoformat()
    columns = ["school_code", "student_ref", "grade", "assessed_on", "assessor", "聴く力"]
    columns += ["teamwork"]
    unknown = _new_code(registry, "C1", "23", 9_990_401)
    table(
        "6_skills_errors.csv",
        d.CP932_CSV_JA,
        columns,
        [
            ([known, "S990101", "1", on, "教員", "16", "7"], "聴く力", "err_step_range"),
            ([known, "S990102", "1", on, "教員", "7", "七"], "teamwork", "err_step_text"),
            ([known, "S990103", "1", on, "保護者", "7", "7"], "assessor", "err_assessor"),
            ([known, "S990104", "1", on, "本人", "", ""], "聴く力", "err_no_skill"),
            (
                [known, "S990105", "1", FUTURE_DAY.isoformat(), "", "7", "7"],
                "assessed_on",
                "err_future_date",
            ),
            ([unknown, "S990106", "1", on, "", "7", "7"], "school_code", "err_unknown_school"),
        ],
        "skills",
    )


def _readme(bad: list[BadRow]) -> str:
    lines = []
    for lang in ("ja", "en"):
        lines += [t("sample.readme_title", lang), "", t("sample.readme_intro", lang), ""]
        for row in bad:
            value = row.value or t("sample.readme_blank", lang)
            lines.append(
                t(
                    "sample.readme_row",
                    lang,
                    file=row.file,
                    row=row.row,
                    column=row.column,
                    value=value,
                    reason=t(f"sample.{row.reason}", lang),
                )
            )
        lines += [
            t("sample.readme_unreadable", lang, file="8_unreadable.csv"),
            t("sample.readme_empty", lang, file="8_empty.csv"),
            "",
        ]
    return "\n".join(lines)
