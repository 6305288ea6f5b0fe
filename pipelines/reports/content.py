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
from pipelines.reference import prefectures, regions
from pipelines.reports.model import (
    NATIONAL,
    BenchmarkRow,
    ComparisonRow,
    CoverageRow,
    DistributionRow,
    HeadlineRow,
    ReportContent,
    ReportError,
    Stat,
)
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


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _stat(row: dict | None, column: str, *, always_public: bool = False) -> Stat:
    """A figure of a public_* row; every figure of a suppressed row is suppressed."""
    if row is None:
        return Stat(None)
    if row.get("suppressed") and not always_public:
        return Stat(None, suppressed=True)
    value = row.get(column)
    return Stat(None if value is None else float(value))


def _summary(con, level: str, code: str, year: int, version: str) -> dict | None:
    rows = _rows(
        con,
        "select * from marts.public_area_year_summary where area_level = ? and area_code = ? "
        "and academic_year = ? and framework_version = ?",
        [level, code, year, version],
    )
    return rows[0] if rows else None


def _headline(con, level: str, code: str, year: int, version: str) -> list[HeadlineRow]:
    current = _summary(con, level, code, year, version)
    previous = _summary(con, level, code, year - 1, version)
    nation = _summary(con, *NATIONAL, year, version)
    rows = []
    for measure, kind in (
        ("schools_registered", "count"),
        ("schools_reporting", "count"),
        ("response_rate", "pct"),
        ("avg_benchmarks_achieved", "avg"),
        ("pct_all_achieved", "pct"),
    ):
        public = measure == "schools_registered"  # the registry is not built on returns
        now = _stat(current, measure, always_public=public)
        before = _stat(previous, measure, always_public=public)
        rows.append(
            HeadlineRow(
                measure=measure,
                kind=kind,
                area=now,
                nation=_stat(nation, measure, always_public=public),
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


def _benchmarks(con, level, code, year, version, lang) -> list[BenchmarkRow]:
    dims = _rows(
        con,
        "select * from marts.dim_benchmark where framework_version = ? order by position",
        [version],
    )
    figures = _rows(
        con,
        "select * from marts.public_area_year_benchmark where academic_year = ? "
        "and framework_version = ? and ((area_level = ? and area_code = ?) "
        "or (area_level = 'national' and area_code = 'JP'))",
        [year, version, level, code],
    )
    by_key = {(r["area_level"], r["area_code"], r["benchmark_id"]): r for r in figures}
    rows = []
    for dim in dims:
        mine = by_key.get((level, code, dim["benchmark_id"]))
        nation = by_key.get((*NATIONAL, dim["benchmark_id"]))
        rows.append(
            BenchmarkRow(
                benchmark_id=dim["benchmark_id"],
                name=dim[f"name_{lang}"],
                description=dim[f"description_{lang}"] or "",
                coverage_benchmark=bool(dim["coverage_benchmark"]),
                schools_reporting=_stat(mine, "schools_reporting"),
                mean_score=_stat(mine, "mean_score"),
                pct_fully_achieved=_stat(mine, "pct_fully_achieved"),
                nation_mean_score=_stat(nation, "mean_score"),
                nation_pct_fully_achieved=_stat(nation, "pct_fully_achieved"),
            )
        )
    return rows


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


def _comparison(con, year, version, level, code, lang) -> tuple[list, list]:
    summaries = {
        (r["area_level"], r["area_code"]): r
        for r in _rows(
            con,
            "select * from marts.public_area_year_summary where academic_year = ? "
            "and framework_version = ? and area_level in ('region', 'prefecture')",
            [year, version],
        )
    }

    def row(lvl, c, name, short, grid_row, grid_col, in_area) -> ComparisonRow:
        found = summaries.get((lvl, c))
        return ComparisonRow(
            level=lvl,
            code=c,
            name=name,
            short_name=short,
            grid_row=grid_row,
            grid_col=grid_col,
            in_area=in_area,
            has_data=found is not None,
            schools_reporting=_stat(found, "schools_reporting"),
            response_rate=_stat(found, "response_rate"),
            avg_benchmarks_achieved=_stat(found, "avg_benchmarks_achieved"),
            pct_all_achieved=_stat(found, "pct_all_achieved"),
        )

    region_rows = [
        row(
            "region",
            r.code,
            r.name_ja if lang == "ja" else r.name_en,
            r.name_ja if lang == "ja" else r.name_en,
            None,
            None,
            level == "region" and code == r.code,
        )
        for r in regions()
    ]
    prefecture_rows = [
        row(
            "prefecture",
            p.code,
            p.name_ja if lang == "ja" else p.name_en,
            p.short_ja if lang == "ja" else p.name_en,
            p.grid_row,
            p.grid_col,
            (level == "prefecture" and code == p.code)
            or (level == "region" and code == p.region_code),
        )
        for p in prefectures()
    ]
    return region_rows, prefecture_rows


def _coverage(con, level, code, year, coverage_ids: list[str]) -> list[CoverageRow]:
    if not coverage_ids:
        return []
    found = _rows(
        con,
        "select * from marts.public_area_coverage where area_level = ? and area_code = ? "
        "and academic_year = ? order by grade nulls last, benchmark_id",
        [level, code, year],
    )
    return [
        CoverageRow(
            grade=None if r["grade"] is None else int(r["grade"]),
            benchmark_id=r["benchmark_id"],
            students_on_roll=_stat(r, "students_on_roll"),
            students_reached=_stat(r, "students_reached"),
            coverage_pct=_stat(r, "coverage_pct"),
        )
        for r in found
        if r["benchmark_id"] in coverage_ids
    ]


def _area_name(con, level: str, code: str, lang: str) -> str:
    found = _rows(
        con,
        "select area_name_ja, area_name_en from marts.dim_area "
        "where area_level = ? and area_code = ?",
        [level, code],
    )
    if not found:
        raise ReportError("error_unknown_area", area=f"{level}:{code}")
    name = found[0][f"area_name_{lang}"] or found[0]["area_name_ja"]
    return t("report.area_national", lang) if (level, code) == NATIONAL else name


def gather_report(
    con: duckdb.DuckDBPyConnection, *, year: int, area: str, lang: str, made_on: date | None = None
) -> ReportContent:
    """Every figure a report shows, read from one snapshot connection (read-only)."""
    level, code = parse_area(area)
    area_name = _area_name(con, level, code, lang)
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
    benchmarks = _benchmarks(con, level, code, year, version, lang)
    snapshot = _rows(con, "select version from meta.snapshot", [])
    region_rows, prefecture_rows = _comparison(con, year, version, level, code, lang)
    suppression = _suppression_of(build)
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
        headline=_headline(con, level, code, year, version),
        benchmarks=benchmarks,
        distribution=_distribution(con, level, code, year, version, len(benchmarks)),
        regions=region_rows,
        prefectures=prefecture_rows,
        coverage=_coverage(
            con, level, code, year, [b.benchmark_id for b in benchmarks if b.coverage_benchmark]
        ),
    )
