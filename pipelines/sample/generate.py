"""generate_sample: a synthetic Japan written as the files schools and boards send.

Layout (ingest reads folders in sorted path order, so the registry comes first and corrections
come after the returns they correct):

    1_schools/schools_R4_chubu.csv            registry, one file per region
    2_returns/2025/returns_2025_23_aichi.xlsx one file per prefecture and year
    3_roster/2025/roster_2025_23_aichi.csv    activity schools' rolls, per prefecture and year
    4_activities/2025/activities_2025_23_aichi.csv
    5_corrections/returns_2025_corrections.csv resubmitted returns with corrected scores
    6_criteria/2025/criteria_2025_1.csv       a pilot group's returns, criterion by criterion
    7_skills/2025/skills_2025_23_aichi.csv    essential-skills steps of the rostered students
    8_links/2025/links_2025_23_aichi.csv      students who moved on, by receiving prefecture
    9_with_errors/                            only with --with-errors
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.framework import Framework
from pipelines.reference import prefecture_by_code, regions
from pipelines.sample import dress as d
from pipelines.sample.criteria import build_criteria_returns, spell_answer
from pipelines.sample.errors import write_error_files
from pipelines.sample.links import (
    build_links,
    spell_yes_no,
    with_feeders,
    with_preparation,
    write_bad_links,
)
from pipelines.sample.manifest import SampleError, SampleFile, SampleManifest
from pipelines.sample.registry import build_registry
from pipelines.sample.returns import build_returns
from pipelines.sample.skills import build_skills, write_skills
from pipelines.sample.students import build_students
from pipelines.settings import default_framework
from pipelines.skills_framework import skills_framework

DRESS_MODES = ("mixed", "utf8", "cp932")
ACTIVITY_SHARE = 0.15  # of secondary schools send student-level records by default
MIN_ACTIVITY_SCHOOLS = 3
FOLDERS = {
    "schools": "1_schools",
    "returns": "2_returns",
    "roster": "3_roster",
    "activities": "4_activities",
    "corrections": "5_corrections",
    "criteria": "6_criteria",
    "skills": "7_skills",
    "links": "8_links",
}
CRITERIA_FILES = 3  # the pilot group's answers, one file per dress
# Each part draws from its own stream, so changing one part leaves the others' files unchanged.
_STREAMS = {
    "registry": 1,
    "returns": 2,
    "activity_schools": 3,
    "students": 4,
    "dress": 5,
    "errors": 6,
    "criteria": 7,
    "skills": 8,
    "links": 10,
    "preparation": 9,
}
_SCHOOL_NOTES = ["統合予定", "分校あり", "新校舎へ移転", "担当者変更"]
_RETURN_NOTES = ["管理職交代", "新任担当者が記入", "校内研修後に再評価", "職場体験は次年度実施予定"]


def generate_sample(
    out_dir: Path,
    *,
    schools: int = 300,
    years: int = 3,
    seed: int = 7,
    with_errors: bool = False,
    latest_year: int = 2025,
    activity_schools: int | None = None,
    dresses: str = "mixed",
) -> SampleManifest:
    """Write a deterministic synthetic sample into `out_dir` (which must be empty or absent).

    `activity_schools`: how many secondary schools send rosters and activity records (default
    15 % of them, at least 3). `dresses`: "mixed" (CP932 CSV, UTF-8-BOM CSV and xlsx with varied
    spellings), "utf8" (every file plain UTF-8 CSV, English headers) or "cp932" (every file CP932
    CSV, Japanese headers, plain values). Same arguments, same bytes.
    """
    out_dir = Path(out_dir)
    if dresses not in DRESS_MODES:
        raise SampleError("bad_dresses", value=dresses, allowed=", ".join(DRESS_MODES))
    if schools < 1 or years < 1:
        raise SampleError("bad_size")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise SampleError("not_empty", path=out_dir)

    def stream(part: str) -> np.random.Generator:
        return np.random.default_rng([seed, _STREAMS[part]])

    today = date.today()
    framework = default_framework()
    year_list = list(range(latest_year - years + 1, latest_year + 1))
    registry = build_registry(stream("registry"), schools)
    returns, corrections = build_returns(stream("returns"), registry, year_list, framework, today)
    chosen = _activity_schools(stream("activity_schools"), registry, activity_schools)
    link_rng = stream("links")
    chosen = with_feeders(link_rng, registry, chosen)
    roster, activities = build_students(stream("students"), chosen, year_list, framework, today)
    activities = with_preparation(stream("preparation"), activities)
    links = build_links(link_rng, chosen, roster, year_list, today)

    writer = _SampleWriter(out_dir, dresses, stream("dress"), framework, latest_year)
    writer.write_schools(registry)
    writer.write_returns(returns, FOLDERS["returns"], by_prefecture=True)
    writer.write_returns(corrections, FOLDERS["corrections"], by_prefecture=False)
    writer.write_students(roster, "roster")
    writer.write_students(activities, "activities")
    criteria = build_criteria_returns(stream("criteria"), returns, framework, latest_year, today)
    writer.write_criteria(criteria, latest_year)
    hubs = dict(
        registry.filter(pl.col("hub_code").is_not_null()).select("school_code", "hub_code").rows()
    )
    skills = build_skills(stream("skills"), roster, skills_framework(), today, hubs)
    write_skills(writer, skills, skills_framework(), FOLDERS["skills"])
    writer.write_links(links)
    if with_errors:
        writer.manifest.files += write_error_files(
            out_dir, stream("errors"), registry, framework, latest_year, writer.created
        )
        writer.manifest.files += write_bad_links(
            out_dir, "9_with_errors", registry, links, writer.created
        )
    return writer.manifest


def _activity_schools(
    rng: np.random.Generator, registry: pl.DataFrame, count: int | None
) -> pl.DataFrame:
    secondary = registry.filter(pl.col("secondary"))
    if count is None:
        count = max(MIN_ACTIVITY_SCHOOLS, round(ACTIVITY_SHARE * secondary.height))
    count = min(max(count, 0), secondary.height)
    picked = np.sort(rng.choice(secondary.height, size=count, replace=False))
    return secondary[picked]


def _contiguous_groups(frame: pl.DataFrame, keys: list[str]) -> list[tuple[tuple, pl.DataFrame]]:
    """(key, rows) per run of equal keys, as zero-copy slices; the frame is ordered by `keys`."""
    runs = (
        frame.select(keys)
        .with_row_index("start")
        .group_by(keys, maintain_order=True)
        .agg(pl.col("start").first(), pl.len().alias("rows"))
    )
    ends = runs["start"] + runs["rows"]
    if not (ends.shift(1, fill_value=0) == runs["start"]).all():
        raise AssertionError(f"rows are not ordered by {keys}")
    return [
        (tuple(run[k] for k in keys), frame.slice(run["start"], run["rows"]))
        for run in runs.iter_rows(named=True)
    ]


def _year_label(year: int) -> str:
    return f"令和{year - 2018}年度" if year >= 2020 else f"{year}年度"


class _SampleWriter:
    """Dresses and writes the files of one sample, recording each in the manifest."""

    def __init__(
        self,
        out_dir: Path,
        mode: str,
        rng: np.random.Generator,
        framework: Framework,
        latest_year: int,
    ) -> None:
        self.out_dir, self.mode, self.rng, self.framework = out_dir, mode, rng, framework
        # Fixed workbook dates: the same sample must give the same bytes on any day.
        self.created = datetime(latest_year + 1, 4, 1, 9, 0, 0)
        self.manifest = SampleManifest(out_dir)
        self.xlsx_cells: dict[str, int] = {}

    def _dresses(self, count: int) -> list[str]:
        """One dress per file; in mixed mode every dress appears once there are three files."""
        if self.mode != "mixed":
            return [d.UTF8_CSV if self.mode == "utf8" else d.CP932_CSV_JA] * count
        plan = [d.MIXED_DRESSES[i % len(d.MIXED_DRESSES)] for i in range(count)]
        return [plan[i] for i in self.rng.permutation(count)]

    def _dress_and_style(
        self, kind: str, dress: str, rows: int, columns: int
    ) -> tuple[str, d.Style]:
        """The file's final dress (a big file planned as xlsx becomes CSV) and its spellings."""
        if dress == d.XLSX_TITLE_JA:
            cells = self.xlsx_cells.get(kind, 0) + rows * columns
            if rows > d.XLSX_MAX_ROWS or cells > d.XLSX_CELLS_PER_KIND:
                dress = d.MIXED_DRESSES[int(self.rng.integers(2))]  # CP932 or UTF-8-BOM CSV
            else:
                self.xlsx_cells[kind] = cells
        if self.mode != "mixed":
            return dress, d.Style(japanese=dress == d.CP932_CSV_JA)
        return dress, d.random_style(self.rng, dress)

    def _notes(self, count: int, notes: list[str], share: float) -> pl.Series:
        picks = self.rng.integers(len(notes), size=count)
        has_note = self.rng.random(count) < share
        return pl.Series(
            "note",
            [
                notes[i] if h else None
                for i, h in zip(picks.tolist(), has_note.tolist(), strict=True)
            ],
            dtype=pl.String,
        )

    def _write(
        self,
        frame: pl.DataFrame,
        relative: str,
        kind: str,
        dress: str,
        style: d.Style,
        title: list[str],
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        if dress == d.XLSX_TITLE_JA and self.rng.random() < 0.5:
            title = title[:1]  # not every workbook has a note under its title
        frame = frame.rename(
            dict(
                zip(frame.columns, d.headers_for(frame.columns, style, extra_headers), strict=True)
            )
        )
        path = Path(relative + d.EXTENSION[dress])
        d.write_file(frame, self.out_dir / path, dress, title=title, created=self.created)
        self.manifest.files.append(SampleFile(path, kind, dress, frame.height))

    def write_schools(self, registry: pl.DataFrame) -> None:
        present = [r for r in regions() if (registry["region_code"] == r.code).any()]
        for region, dress in zip(present, self._dresses(len(present)), strict=True):
            part = registry.filter(pl.col("region_code") == region.code)
            dress, style = self._dress_and_style("schools", dress, part.height, 8)
            muni = "municipality_code" if style.municipality_digits == 5 else "municipality_code6"
            columns = [
                pl.col("school_code"),
                pl.col("school_name"),
                pl.col(muni).alias("municipality_code"),
                pl.col("municipality_name"),
                pl.col("hub_code"),
                pl.col("hub_name"),
                d.spell_number(pl.col("enrolment"), style).alias("enrolment")
                if style.fullwidth_numbers
                else pl.col("enrolment"),
            ]
            if style.prefecture_column:
                pref = "prefecture_name" if style.japanese else "prefecture_code"
                columns.append(pl.col(pref).alias("prefecture"))
            frame = part.select(columns)
            if style.note_column:
                frame = frame.with_columns(self._notes(frame.height, _SCHOOL_NOTES, 0.05))
            title = [
                f"学校一覧({region.name_ja})",
                "※ 教育委員会への提出用。ハブ未加入の学校は空欄。",
            ]
            self._write(
                frame,
                f"{FOLDERS['schools']}/schools_{region.code}_"
                f"{region.name_en.lower().replace('-', '_')}",
                "schools",
                dress,
                style,
                title,
            )

    def write_returns(self, returns: pl.DataFrame, folder: str, *, by_prefecture: bool) -> None:
        keys = ["academic_year", "prefecture_code"] if by_prefecture else ["academic_year"]
        groups = returns.sort(keys, maintain_order=True).partition_by(keys, as_dict=True)
        for (key, part), dress in zip(groups.items(), self._dresses(len(groups)), strict=True):
            year = key[0]
            ids = list(self.framework.ids)
            dress, style = self._dress_and_style("returns", dress, part.height, len(ids) + 6)
            part = part.sort("term", "submitted_on", "school_code")
            score_numeric = (
                dress == d.XLSX_TITLE_JA and style.score == "plain" and not style.not_assessed
            )
            columns = [
                pl.col("school_code"),
                d.spell_year(pl.col("academic_year"), style).alias("academic_year"),
                d.spell_term(pl.col("term"), pl.col("terms_per_year"), style).alias("term"),
                d.spell_date(pl.col("submitted_on"), style).alias("submitted_on"),
                *[
                    pl.col(b).cast(pl.Int64)
                    if score_numeric
                    else d.spell_score(pl.col(b), style).alias(b)
                    for b in ids
                ],
            ]
            if style.framework_column:
                columns.append(pl.lit(self.framework.version).alias("framework"))
            frame = part.select(columns)
            if style.note_column:
                frame = frame.with_columns(self._notes(frame.height, _RETURN_NOTES, 0.04))
            if by_prefecture:
                pref = prefecture_by_code()[key[1]]
                name = f"{folder}/{year}/returns_{year}_{pref.code}_{pref.name_en.lower()}"
                title = [
                    f"{_year_label(year)} キャリア教育ベンチマーク自己評価({pref.name_ja})",
                    "※ 各ベンチマークは0〜100で記入(100 = 完全達成)",
                ]
            else:
                name = f"{folder}/returns_{year}_corrections"
                title = [f"{_year_label(year)} 自己評価 訂正分(再提出)"]
            self._write(
                frame,
                name,
                "returns",
                dress,
                style,
                title,
                d.benchmark_headers(self.framework, style),
            )

    def write_students(self, frame_all: pl.DataFrame, kind: str) -> None:
        groups = _contiguous_groups(frame_all, ["academic_year", "prefecture_code"])
        for ((year, pref_code), part), dress in zip(
            groups, self._dresses(len(groups)), strict=True
        ):
            dress, style = self._dress_and_style(
                kind, dress, part.height, 4 if kind == "roster" else 9
            )
            grade = (
                d.spell_number(pl.col("grade"), style)
                if style.fullwidth_numbers
                else pl.col("grade")
            )
            if kind == "roster":
                columns = [
                    pl.col("school_code"),
                    d.spell_year(pl.col("academic_year"), style).alias("academic_year"),
                    pl.col("student_ref"),
                    grade.alias("grade"),
                ]
                label = "在籍名簿"
            else:
                columns = [
                    pl.col("school_code"),
                    pl.col("student_ref"),
                    grade.alias("grade"),
                    d.activity_label(pl.col("activity_type"), style).alias("activity_type"),
                    d.spell_date(pl.col("activity_date"), style).alias("activity_date"),
                    pl.col("hours"),
                    pl.col("provider"),
                    spell_yes_no(pl.col("prepared"), style).alias("prepared"),
                    spell_yes_no(pl.col("reflected"), style).alias("reflected"),
                ]
                label = "キャリア活動記録"
            pref = prefecture_by_code()[pref_code]
            name = f"{FOLDERS[kind]}/{year}/{kind}_{year}_{pref.code}_{pref.name_en.lower()}"
            title = [f"{_year_label(year)} {label}({pref.name_ja})", "※ 生徒番号は仮名化済み"]
            self._write(part.select(columns), name, kind, dress, style, title)

    def write_links(self, links: pl.DataFrame) -> None:
        """One student-links file per year and receiving prefecture (sent by the board)."""
        links = links.with_columns(pl.col("linked_on").dt.year().alias("year"))
        groups = links.partition_by(["year", "prefecture_code"], as_dict=True, maintain_order=True)
        for ((year, pref_code), part), dress in zip(
            groups.items(), self._dresses(len(groups)), strict=True
        ):
            dress, style = self._dress_and_style("links", dress, part.height, 5)
            frame = part.select(
                "from_school_code",
                "from_student_ref",
                "to_school_code",
                "to_student_ref",
                d.spell_date(pl.col("linked_on"), style).alias("linked_on"),
            )
            pref = prefecture_by_code()[pref_code]
            name = f"{FOLDERS['links']}/{year}/links_{year}_{pref.code}_{pref.name_en.lower()}"
            title = [f"{_year_label(year)} 生徒の引継ぎ({pref.name_ja})", "※ 生徒番号は仮名化済み"]
            self._write(frame, name, "links", dress, style, title)

    def write_criteria(self, criteria: pl.DataFrame, year: int) -> None:
        """The pilot group's criteria answers: CP932 with full-width ids, UTF-8-BOM in English,
        xlsx with a title; each school's rows stay in one file."""
        if criteria.height == 0:
            return
        schools = criteria["school_code"].unique(maintain_order=True).to_list()
        count = min(CRITERIA_FILES, len(schools))
        for index, dress in enumerate(self._dresses(count)):
            part = criteria.filter(pl.col("school_code").is_in(schools[index::count]))
            dress, style = self._dress_and_style("criteria", dress, part.height, 6)
            ids = part["criterion_id"]
            if dress == d.CP932_CSV_JA:
                ids = ids.map_elements(d.fullwidth_id, return_dtype=pl.String)
            answers = [
                spell_answer(kind, level, share, japanese=style.japanese, variant=i)
                for i, (kind, level, share) in enumerate(
                    part.select("kind", "level", "share").iter_rows()
                )
            ]
            frame = part.select(
                pl.col("school_code"),
                d.spell_year(pl.col("academic_year"), style).alias("academic_year"),
                d.spell_term(pl.col("term"), pl.col("terms_per_year"), style).alias("term"),
                d.spell_date(pl.col("submitted_on"), style).alias("submitted_on"),
            ).with_columns(ids.alias("criterion"), pl.Series("answer", answers, pl.String))
            title = [
                f"{_year_label(year)} 観点別自己評価(試行校)",
                "※ 回答: はい/いいえ、未着手/取組中/達成、割合(%)",
            ]
            name = f"{FOLDERS['criteria']}/{year}/criteria_{year}_{index + 1}"
            self._write(frame, name, "criteria", dress, style, title)
