"""How a file is dressed: its encoding and format, header language, and how it spells values.

Every spelling here is valid under the data contract (令和7年度, R7, ８５％, 前期,
2025/7/15 ...), so a clean sample still exercises the ingest's normalisation. Files are built as
polars frames, spelled with column expressions (no Python loop over rows) and written in one go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from pipelines.framework import Framework
from pipelines.reference import activity_types

CP932_CSV_JA = "cp932_csv_ja"
UTF8BOM_CSV_EN = "utf8bom_csv_en"
XLSX_TITLE_JA = "xlsx_title_ja"
UTF8_CSV = "utf8_csv"
MIXED_DRESSES = (CP932_CSV_JA, UTF8BOM_CSV_EN, XLSX_TITLE_JA)
EXTENSION = {CP932_CSV_JA: ".csv", UTF8BOM_CSV_EN: ".csv", XLSX_TITLE_JA: ".xlsx", UTF8_CSV: ".csv"}
# xlsx is slow to write (pure Python), so a national-scale sample keeps it to small files and a
# bounded number of cells per kind of file; the rest fall back to CP932 CSV. Small samples, where
# every file is small, are unaffected.
XLSX_MAX_ROWS = 2_000
XLSX_CELLS_PER_KIND = 100_000

JA_HEADERS = {
    "school_code": "学校コード",
    "school_name": "学校名",
    "municipality_code": "市区町村コード",
    "municipality_name": "市区町村名",
    "hub_code": "ハブコード",
    "hub_name": "ハブ名",
    "enrolment": "生徒数",
    "prefecture": "都道府県",
    "academic_year": "年度",
    "term": "学期",
    "submitted_on": "提出日",
    "framework": "フレームワーク",
    "student_ref": "生徒番号",
    "grade": "学年",
    "activity_type": "活動種別",
    "activity_date": "実施日",
    "hours": "時間",
    "provider": "連携先",
    "criterion": "観点",
    "answer": "回答",
    "prepared": "事前学習",
    "reflected": "振り返り",
    "from_school_code": "引継ぎ元学校コード",
    "from_student_ref": "引継ぎ元生徒番号",
    "to_school_code": "引継ぎ先学校コード",
    "to_student_ref": "引継ぎ先生徒番号",
    "linked_on": "引継ぎ日",
    "note": "備考",  # not in the contract: an extra column the ingest keeps and ignores
}
_HALF = "0123456789%R."
_FULL = "０１２３４５６７８９％Ｒ．"
_REIWA_FROM = 2020  # 令和2年 onwards: avoids 令和元年 and the 平成/令和 split inside 2019


@dataclass(frozen=True)
class Style:
    """How one file spells its values; `plain()` is what a bare CSV loader expects."""

    japanese: bool = False
    year: str = "plain"  # plain | nendo | era | era_short | era_fullwidth
    term: str = "number"  # number | label (1学期, 前期/後期)
    date: str = "iso"  # iso | slash | era | excel (xlsx cells holding dates)
    score: str = "plain"  # plain | percent | fullwidth | decimal
    not_assessed: str = ""  # "", "-" or "未回答"
    municipality_digits: int = 5
    benchmark_header: str = "id"  # id | fullwidth_id | ordinal | name
    activity_label: bool = False  # Japanese label instead of the code
    fullwidth_numbers: bool = False  # grades and enrolment as ８, ３２０
    framework_column: bool = False
    prefecture_column: bool = False
    note_column: bool = False


def random_style(rng: np.random.Generator, dress: str) -> Style:
    """A plausible mix of spellings for a file of this dress."""

    def pick(*options):
        return options[int(rng.integers(len(options)))]

    if dress == UTF8BOM_CSV_EN:  # English headers: people who chose "CSV UTF-8" write plainly
        return Style(
            year=pick("plain", "plain", "nendo"),
            date=pick("iso", "slash"),
            score=pick("plain", "percent", "decimal"),
            municipality_digits=pick(5, 6),
            framework_column=pick(True, False),
            prefecture_column=pick(True, False),
        )
    xlsx = dress == XLSX_TITLE_JA
    return Style(
        japanese=True,
        year=pick("plain", "nendo", "era", "era_short", "era_fullwidth"),
        term=pick("number", "label"),
        date="excel" if xlsx and rng.random() < 0.7 else pick("iso", "slash", "era"),
        score=pick("plain", "plain", "percent", "fullwidth", "decimal"),
        not_assessed=pick("", "-", "未回答"),
        municipality_digits=pick(5, 6),
        benchmark_header=pick("id", "fullwidth_id", "ordinal", "name"),
        activity_label=pick(True, False),
        fullwidth_numbers=rng.random() < 0.25,
        framework_column=rng.random() < 0.3,
        prefecture_column=pick(True, False),
        note_column=rng.random() < 0.4,
    )


def fullwidth(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_many(list(_HALF), list(_FULL))


def _era_number(year: pl.Expr) -> pl.Expr:
    return (year - 2018).cast(pl.String)


def spell_year(year: pl.Expr, style: Style) -> pl.Expr:
    plain = year.cast(pl.String)
    if style.year == "plain":
        return plain
    if style.year == "nendo":
        return plain + "年度"
    spelled = {
        "era": "令和" + _era_number(year) + "年度",
        "era_short": "R" + _era_number(year),
        "era_fullwidth": fullwidth("R" + _era_number(year)) + "年度",
    }[style.year]
    return pl.when(year >= _REIWA_FROM).then(spelled).otherwise(plain)


def spell_term(term: pl.Expr, terms_per_year: pl.Expr, style: Style) -> pl.Expr:
    if style.term == "number":
        return term.cast(pl.String)
    semester = pl.when(term == 1).then(pl.lit("前期")).otherwise(pl.lit("後期"))
    return pl.when(terms_per_year == 2).then(semester).otherwise(term.cast(pl.String) + "学期")


def spell_date(day: pl.Expr, style: Style) -> pl.Expr:
    """A date column as text; `excel` leaves real dates for the xlsx writer."""
    if style.date == "excel":
        return day
    if style.date == "iso":
        return day.dt.strftime("%Y-%m-%d")
    if style.date == "slash":
        return day.dt.strftime("%Y/%-m/%-d")
    era = (
        "令和"
        + _era_number(day.dt.year())
        + "年"
        + day.dt.strftime("%-m")
        + "月"
        + day.dt.strftime("%-d")
        + "日"
    )
    return pl.when(day.dt.year() >= _REIWA_FROM).then(era).otherwise(day.dt.strftime("%Y-%m-%d"))


def spell_score(score: pl.Expr, style: Style) -> pl.Expr:
    """Scores are whole numbers; spelled as 85, 85%, ８５％ or 85.0, blank when not assessed."""
    whole = score.cast(pl.Int64).cast(pl.String)
    text = {
        "plain": whole,
        "percent": whole + "%",
        "fullwidth": fullwidth(whole + "%"),
        "decimal": score.cast(pl.Int64).cast(pl.String) + ".0",
    }[style.score]
    blank = pl.lit(style.not_assessed or None, dtype=pl.String)  # "" is written as an empty cell
    return pl.when(score.is_null()).then(blank).otherwise(text)


def spell_number(value: pl.Expr, style: Style) -> pl.Expr:
    text = value.cast(pl.String)
    return fullwidth(text) if style.fullwidth_numbers else text


_TO_FULLWIDTH = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-",
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ－",
)


def fullwidth_id(text: str) -> str:
    """B1 -> Ｂ１, B1-1 -> Ｂ１－１: ids as typed with a Japanese input method left on."""
    return text.translate(_TO_FULLWIDTH)


def benchmark_headers(framework: Framework, style: Style) -> dict[str, str]:
    """Header for each benchmark id: B1, Ｂ１, ベンチマーク1 or the benchmark's Japanese name."""
    headers = {}
    for b in framework.benchmarks:
        headers[b.id] = {
            "id": b.id,
            "fullwidth_id": fullwidth_id(b.id),
            "ordinal": f"ベンチマーク{b.position}",
            "name": b.name_ja,
        }[style.benchmark_header if style.japanese else "id"]
    return headers


def activity_label(activity: pl.Expr, style: Style) -> pl.Expr:
    if not style.activity_label:
        return activity.cast(pl.String)
    codes = list(activity_types())
    return activity.cast(pl.String).replace(codes, [activity_types()[c].name_ja for c in codes])


def headers_for(columns: list[str], style: Style, extra: dict[str, str] | None = None) -> list[str]:
    names = {**(JA_HEADERS if style.japanese else {}), **(extra or {})}
    return [names.get(c, c) for c in columns]


def write_file(
    frame: pl.DataFrame,
    path: Path,
    dress: str,
    *,
    title: list[str] | None = None,
    created: datetime,
) -> None:
    """Write `frame` (headers already in the file's language) in the given dress."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if dress == XLSX_TITLE_JA:
        _write_xlsx(frame, path, title or [], created)
        return
    text_frame = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d"))
    if dress == CP932_CSV_JA:  # Excel's "CSV (comma delimited)" on Japanese Windows
        path.write_bytes(text_frame.write_csv(line_terminator="\r\n").encode("cp932"))
    elif dress == UTF8BOM_CSV_EN:
        text_frame.write_csv(path, include_bom=True)
    else:
        text_frame.write_csv(path)


def _write_xlsx(frame: pl.DataFrame, path: Path, title: list[str], created: datetime) -> None:
    """A workbook as schools make them: a title (and maybe a note), a blank row, then the table.

    The workbook's created date is fixed so that the same sample gives the same bytes.
    """
    # Built in memory: workbooks here are small (XLSX_MAX_ROWS), and temporary files cost more.
    workbook = xlsxwriter.Workbook(
        str(path), {"in_memory": True, "default_date_format": "yyyy/m/d"}
    )
    workbook.set_properties({"created": created, "author": "Shirube sample"})
    sheet = workbook.add_worksheet("データ")
    row = 0
    for line in title:
        sheet.write_string(row, 0, line)
        row += 1
    row += 1  # the blank row people leave between the title and the table
    sheet.write_row(row, 0, frame.columns)
    for values in frame.iter_rows():
        row += 1
        sheet.write_row(row, 0, values)
    workbook.close()


def header_row_number(title: list[str]) -> int:
    """1-based row of the header in an xlsx written with this title (for the README)."""
    return len(title) + 2
