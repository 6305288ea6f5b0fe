"""The report's figures as plain data: one ReportContent shared by every output format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pipelines.i18n import t

NATIONAL = ("national", "JP")


class ReportError(Exception):
    """A report that cannot be made, for a reason the user can act on (a catalogue key)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self, lang: str) -> str:
        return t(f"report.{self.key}", lang, **self.values)


@dataclass(frozen=True)
class Stat:
    """One figure as published: its unrounded value, or suppressed (value None)."""

    value: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class AreaRef:
    """An area a report names: the report's own, or one it compares with."""

    level: str
    code: str
    name: str
    is_national: bool = False


@dataclass(frozen=True)
class HeadlineRow:
    measure: str  # schools_registered | schools_reporting | response_rate | ...
    kind: str  # count | pct | avg: how to display it
    area: Stat
    comparisons: tuple[Stat, ...]  # one per ReportContent.comparisons, in that order
    previous: Stat
    change: Stat

    @property
    def nation(self) -> Stat:
        """The national figure (the area's own in the national report)."""
        return self.comparisons[-1] if self.comparisons else self.area


@dataclass(frozen=True)
class AreaFigures:
    """One benchmark's figures in one area, with the number of schools they stand on."""

    schools_reporting: Stat
    mean_score: Stat
    pct_fully_achieved: Stat


@dataclass(frozen=True)
class BenchmarkRow:
    benchmark_id: str
    name: str
    description: str
    coverage_benchmark: bool
    area: AreaFigures
    comparisons: tuple[AreaFigures, ...]  # one per ReportContent.comparisons

    @property
    def schools_reporting(self) -> Stat:
        return self.area.schools_reporting

    @property
    def mean_score(self) -> Stat:
        return self.area.mean_score

    @property
    def pct_fully_achieved(self) -> Stat:
        return self.area.pct_fully_achieved

    @property
    def nation(self) -> AreaFigures:
        return self.comparisons[-1] if self.comparisons else self.area

    @property
    def nation_mean_score(self) -> Stat:
        return self.nation.mean_score

    @property
    def nation_pct_fully_achieved(self) -> Stat:
        return self.nation.pct_fully_achieved


@dataclass(frozen=True)
class DistributionRow:
    benchmarks_achieved: int
    schools: Stat
    share: Stat  # percent of the reporting schools in the distribution


@dataclass(frozen=True)
class ComparisonRow:
    """One region or prefecture in the regional comparison (and one tile of the map)."""

    level: str
    code: str
    name: str
    short_name: str
    grid_row: int | None
    grid_col: int | None
    in_area: bool
    has_data: bool
    schools_reporting: Stat
    response_rate: Stat
    avg_benchmarks_achieved: Stat
    pct_all_achieved: Stat


@dataclass(frozen=True)
class CoverageRow:
    # Year of schooling (通算学年, pipelines.schooling): grades of different school types are
    # different children, so area coverage is never by raw grade. None: all years together.
    year_of_schooling: int | None
    benchmark_id: str
    students_on_roll: Stat
    students_reached: Stat
    coverage_pct: Stat
    # Prepared for and reflected on, this year; and reached so far (this or an earlier year, at
    # the current or an earlier school of the journey). None: not computed for that row.
    meaningful_coverage_pct: Stat | None = None
    coverage_ever_pct: Stat | None = None


@dataclass(frozen=True)
class CriterionRow:
    """A criterion among those furthest from being met nationally (funder report)."""

    criterion_id: str
    benchmark_id: str
    text: str
    schools_answering: Stat
    pct_met: Stat  # share of the nation's answering schools meeting it


@dataclass(frozen=True)
class SkillRow:
    """One essential skill in the report's area (funder report, public figures, all years)."""

    skill_id: str
    name: str
    students_assessed: Stat
    mean_step: Stat  # teacher assessment, latest step of the year
    gap_to_nation: Stat  # steps, same years of schooling, weighted by the area's students
    mean_step_self: Stat
    mean_progress: Stat  # teacher, students assessed on two or more dates


@dataclass(frozen=True)
class ReportContent:
    lang: str
    year: int
    area_level: str
    area_code: str
    area_name: str
    framework_version: str
    framework_name: str
    benchmark_count: int
    build_version: str
    snapshot_version: str
    built_at: str
    made_on: date
    min_schools: int
    min_students: int
    has_previous: bool
    # The areas compared with, nearest first, the nation last; none in the national report.
    comparisons: list[AreaRef] = field(default_factory=list)
    data_as_of: date | None = None  # when the published figures were built (readable version)
    headline: list[HeadlineRow] = field(default_factory=list)
    benchmarks: list[BenchmarkRow] = field(default_factory=list)
    distribution: list[DistributionRow] = field(default_factory=list)
    regions: list[ComparisonRow] = field(default_factory=list)
    prefectures: list[ComparisonRow] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    # The criteria furthest from being met nationally (none when no return answered criteria).
    criteria: list[CriterionRow] = field(default_factory=list)
    # Essential skills (none when nothing was assessed that year) and the framework's
    # provisional-translation note ('' when the names are official).
    skills: list[SkillRow] = field(default_factory=list)
    skills_note: str = ""

    @property
    def is_national(self) -> bool:
        return (self.area_level, self.area_code) == NATIONAL

    @property
    def version_short(self) -> str:
        """The build id cut to minutes (20261202T0939): enough to trace, small to print."""
        return self.build_version[:13]

    def benchmark_name(self, benchmark_id: str) -> str:
        return next(
            (b.name for b in self.benchmarks if b.benchmark_id == benchmark_id), benchmark_id
        )
