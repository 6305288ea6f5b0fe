"""Gather a report's figures from the published snapshot, once, for every output format.

Reads only the suppressed `marts.public_*` tables (everything in a report leaves the building) and
the dimensions. A suppressed row's figures are carried as `Stat(None, suppressed=True)`, so no
format can print a number that the suppression rule hides.
"""

from __future__ import annotations

from datetime import date

import duckdb

from pipelines.codes import normalise_municipality_code
from pipelines.i18n import t
from pipelines.reports.criteria import furthest_criteria
from pipelines.reports.marts import rows as _rows
from pipelines.reports.marts import stat as _stat
from pipelines.reports.model import (
    NATIONAL,
    AreaFigures,
    AreaRef,
    BenchmarkRow,
    CoverageRow,
    DistributionRow,
    HeadlineRow,
    ReportContent,
    ReportError,
    Stat,
)
from pipelines.reports.regional import comparison_rows
from pipelines.reports.skills import report_skills
from pipelines.settings import frameworks, settings
from pipelines.vocabulary import AREA_LEVELS

LEVELS = AREA_LEVELS


def _suppression_of(build: dict) -> dict:
    """The thresholds the snapshot was built with (marts.build_info); the current settings only
    for a snapshot built before build_info carried them."""
    current = settings()["suppression"]
    return {key: build.get(key, current[key]) for key in ("min_schools", "min_students")}


def parse_area(area: str) -> tuple[str, str]:
    """The --area argument as (level, code).

    `national`, `region:R5`, `prefecture:23`, `municipality:23100` (or its 6-digit form with the
    check digit), `hub:CODE`.
    """
    text = area.strip()
    if text.casefold() in ("national", "jp"):
        return NATIONAL
    level, sep, code = text.partition(":")
    level, code = level.strip().casefold(), code.strip()
    if not sep or not code or level not in LEVELS[1:]:
        raise ReportError("error_bad_area", area=area)
    if level == "region":
        code = code.upper()
    elif level == "prefecture" and code.isdigit() and len(code) <= 2:
        code = code.zfill(2)
    elif level == "municipality":
        code = normalise_municipality_code(code) or ""
        if not code:
            raise ReportError("error_bad_area", area=area)
    return level, code


def _summary(con, level: str, code: str, year: int, version: str) -> dict | None:
    rows = _rows(
        con,
        "select * from marts.public_area_year_summary where area_level = ? and area_code = ? "
        "and academic_year = ? and framework_version = ?",
        [level, code, year, version],
    )
    return rows[0] if rows else None


HEADLINE_MEASURES = (
    ("schools_registered", "count"),
    ("schools_reporting", "count"),
    ("response_rate", "pct"),
    ("avg_benchmarks_achieved", "avg"),
    ("pct_all_achieved", "pct"),
)


def _headline(con, level, code, year, version, comparisons: list[AreaRef]) -> list[HeadlineRow]:
    current = _summary(con, level, code, year, version)
    previous = _summary(con, level, code, year - 1, version)
    others = [_summary(con, c.level, c.code, year, version) for c in comparisons]
    rows = []
    for measure, kind in HEADLINE_MEASURES:
        now = _stat(current, measure)
        before = _stat(previous, measure)
        rows.append(
            HeadlineRow(
                measure=measure,
                kind=kind,
                area=now,
                comparisons=tuple(_stat(other, measure) for other in others),
                previous=before,
                change=_change(now, before),
            )
        )
    return rows


def _change(now: Stat, before: Stat) -> Stat:
    """This year minus last; hidden when either is, since a change reveals the other figure."""
    if now.suppressed or before.suppressed:
        return Stat(None, suppressed=True)
    if now.value is None or before.value is None:
        return Stat(None)
    return Stat(now.value - before.value)


def _figures(row: dict | None) -> AreaFigures:
    return AreaFigures(
        schools_reporting=_stat(row, "schools_reporting"),
        mean_score=_stat(row, "mean_score"),
        pct_fully_achieved=_stat(row, "pct_fully_achieved"),
    )


def _benchmarks(con, level, code, year, version, lang, comparisons) -> list[BenchmarkRow]:
    dims = _rows(
        con,
        "select * from marts.dim_benchmark where framework_version = ? order by position",
        [version],
    )
    areas = [(level, code)] + [(c.level, c.code) for c in comparisons]
    figures = [
        r
        for lvl, c in areas
        for r in _rows(
            con,
            "select * from marts.public_area_year_benchmark where academic_year = ? "
            "and framework_version = ? and area_level = ? and area_code = ?",
            [year, version, lvl, c],
        )
    ]
    by_key = {(r["area_level"], r["area_code"], r["benchmark_id"]): r for r in figures}
    return [
        BenchmarkRow(
            benchmark_id=dim["benchmark_id"],
            name=dim[f"name_{lang}"],
            description=dim[f"description_{lang}"] or "",
            coverage_benchmark=bool(dim["coverage_benchmark"]),
            area=_figures(by_key.get((level, code, dim["benchmark_id"]))),
            comparisons=tuple(
                _figures(by_key.get((c.level, c.code, dim["benchmark_id"]))) for c in comparisons
            ),
        )
        for dim in dims
    ]


def _distribution(con, level, code, year, version, count: int) -> list[DistributionRow]:
    found = {
        r["benchmarks_achieved"]: r
        for r in _rows(
            con,
            "select * from marts.public_achieved_distribution where area_level = ? "
            "and area_code = ? and academic_year = ? and framework_version = ?",
            [level, code, year, version],
        )
    }
    if not found:
        return []
    hidden = any(r.get("suppressed") for r in found.values())
    total = sum(r["schools"] or 0 for r in found.values())
    rows = []
    for achieved in range(count + 1):
        row = found.get(achieved)
        schools = row["schools"] if row and row["schools"] is not None else 0
        if hidden:
            rows.append(DistributionRow(achieved, Stat(None, True), Stat(None, True)))
        else:
            share = 100.0 * schools / total if total else None
            rows.append(DistributionRow(achieved, Stat(float(schools)), Stat(share)))
    return rows


def _coverage(con, level, code, year, coverage_ids: list[str]) -> list[CoverageRow]:
    if not coverage_ids:
        return []
    found = _rows(
        con,
        "select * from marts.public_area_coverage where area_level = ? and area_code = ? "
        "and academic_year = ? order by year_of_schooling nulls last, benchmark_id",
        [level, code, year],
    )
    ever = {
        (r["year_of_schooling"], r["benchmark_id"]): r
        for r in _rows(
            con,
            "select * from marts.public_area_cumulative_coverage where area_level = ? "
            "and area_code = ? and academic_year = ?",
            [level, code, year],
        )
    }
    return [
        CoverageRow(
            year_of_schooling=None
            if r["year_of_schooling"] is None
            else int(r["year_of_schooling"]),
            benchmark_id=r["benchmark_id"],
            students_on_roll=_stat(r, "students_on_roll"),
            students_reached=_stat(r, "students_reached"),
            coverage_pct=_stat(r, "coverage_pct"),
            meaningful_coverage_pct=_stat(r, "meaningful_coverage_pct"),
            coverage_ever_pct=_stat(
                ever.get((r["year_of_schooling"], r["benchmark_id"])), "coverage_ever_pct"
            )
            if r["year_of_schooling"] is not None
            else None,
        )
        for r in found
        if r["benchmark_id"] in coverage_ids
    ]


def _area(con, level: str, code: str, lang: str) -> tuple[AreaRef, dict]:
    """The area as named in the report, and its dim_area row (which names its parent)."""
    found = _rows(
        con,
        "select * from marts.dim_area where area_level = ? and area_code = ?",
        [level, code],
    )
    if not found:
        raise ReportError("error_unknown_area", area=f"{level}:{code}")
    national = (level, code) == NATIONAL
    name = found[0][f"area_name_{lang}"] or found[0]["area_name_ja"] or code
    name = t("report.area_national", lang) if national else name
    return AreaRef(level, code, name, national), found[0]


def _comparisons(con, dim_row: dict, lang: str) -> list[AreaRef]:
    """What the area is compared with: the area it lies in (a municipality's prefecture, a
    prefecture's region, a hub's prefecture when all its schools are in one), then the nation."""
    if (dim_row["area_level"], dim_row["area_code"]) == NATIONAL:
        return []
    parent = (dim_row["parent_level"], dim_row["parent_code"])
    nation = AreaRef(*NATIONAL, t("report.area_national", lang), True)
    if parent[0] is None or parent == NATIONAL:
        return [nation]
    return [_area(con, *parent, lang)[0], nation]


def gather_report(
    con: duckdb.DuckDBPyConnection, *, year: int, area: str, lang: str, made_on: date | None = None
) -> ReportContent:
    """Every figure a report shows, read from one snapshot connection (read-only)."""
    level, code = parse_area(area)
    this, dim_row = _area(con, level, code, lang)
    area_name = this.name
    comparisons = _comparisons(con, dim_row, lang)
    build = _rows(con, "select * from marts.build_info", [])
    build = build[0] if build else {}
    version = build.get("default_framework_version") or frameworks()[0].version
    current = _summary(con, level, code, year, version)
    if current is None:
        years = [
            r["academic_year"]
            for r in _rows(
                con,
                "select distinct academic_year from marts.public_area_year_summary "
                "where area_level = ? and area_code = ? and framework_version = ? order by 1",
                [level, code, version],
            )
        ]
        raise ReportError(
            "error_no_data_for_year",
            area=area_name,
            year=year,
            years=", ".join(map(str, years)) or "—",
        )
    framework = next((f for f in frameworks() if f.version == version), None)
    benchmarks = _benchmarks(con, level, code, year, version, lang, comparisons)
    snapshot = _rows(con, "select version from meta.snapshot", [])
    region_rows, prefecture_rows = comparison_rows(con, year, version, level, code, lang)
    suppression = _suppression_of(build)
    built_at = build.get("built_at")
    return ReportContent(
        lang=lang,
        year=year,
        area_level=level,
        area_code=code,
        area_name=area_name,
        framework_version=version,
        framework_name=(framework.name_ja if lang == "ja" else framework.name_en)
        if framework
        else version,
        benchmark_count=len(benchmarks),
        build_version=str(build.get("version", "")),
        snapshot_version=snapshot[0]["version"] if snapshot else "",
        built_at=str(build.get("built_at", ""))[:19],
        made_on=made_on or date.today(),
        min_schools=int(suppression["min_schools"]),
        min_students=int(suppression["min_students"]),
        has_previous=_summary(con, level, code, year - 1, version) is not None,
        comparisons=comparisons,
        data_as_of=built_at.date() if hasattr(built_at, "date") else None,
        headline=_headline(con, level, code, year, version, comparisons),
        benchmarks=benchmarks,
        distribution=_distribution(con, level, code, year, version, len(benchmarks)),
        regions=region_rows,
        prefectures=prefecture_rows,
        coverage=_coverage(
            con, level, code, year, [b.benchmark_id for b in benchmarks if b.coverage_benchmark]
        ),
        criteria=furthest_criteria(con, year=year, version=version, lang=lang),
        **_skills(con, level, code, year, lang),
    )


def _skills(con, level: str, code: str, year: int, lang: str) -> dict:
    skills, note = report_skills(con, level=level, code=code, year=year, lang=lang)
    return {"skills": skills, "skills_note": note}
