"""Display strings for report figures: rounding for display only, suppression and no-data marks."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pipelines import schooling
from pipelines.i18n import t
from pipelines.reports.model import ReportContent, Stat

# Decimal places shown per kind of figure; the stored values stay unrounded.
PLACES = {"count": 0, "pct": 1, "score": 1, "avg": 2}


def round_half_up(value: float, places: int) -> Decimal:
    """四捨五入 as readers expect (Python's round() would give 12.2 for 12.25)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def show(stat: Stat, kind: str, lang: str, *, signed: bool = False) -> str:
    """The figure as printed: rounded, or the suppression mark, or the no-data mark."""
    if stat.suppressed:
        return t("report.suppressed_mark", lang)
    if stat.value is None:
        return t("report.no_data_mark", lang)
    rounded = round_half_up(stat.value, PLACES[kind])
    text = f"{rounded:,}" if kind == "count" else str(rounded)
    if signed and rounded > 0:
        return f"+{text}"
    if signed and rounded == 0:
        return str(abs(rounded))  # no "-0.0"
    return text


def schooling_label(year_of_schooling: int | None, lang: str) -> str:
    """中2 / "Year 8 (JHS 2)"; all years together when None (pipelines.schooling, shared with
    the dashboard)."""
    return schooling.label(year_of_schooling, lang)


def year_label(year: int, lang: str) -> str:
    """令和N年度 = academic year 2018 + N; before 令和 only the Western year is shown."""
    if year < 2019:
        return t("report.year_label_plain", lang, year=year)
    reiwa = "元" if year == 2019 and lang == "ja" else str(year - 2018)
    return t("report.year_label", lang, year=year, reiwa=reiwa)


def measure_label(measure: str, content: ReportContent) -> str:
    return (
        t(f"report.measure_{measure}", content.lang, count=content.benchmark_count)
        if measure == "avg_benchmarks_achieved"
        else t(f"report.measure_{measure}", content.lang)
    )


def area_title(content: ReportContent) -> str:
    level = t(f"report.level_{content.area_level}", content.lang)
    if content.is_national:
        return content.area_name
    return (
        f"{content.area_name}({level})"
        if content.lang == "ja"
        else f"{content.area_name} ({level})"
    )


def long_date(day: date | None, lang: str) -> str:
    """A date as people write it: 2026年12月2日 / 2 December 2026 (never a timestamp)."""
    if day is None:
        return t("report.no_data_mark", lang)
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B} {day.year}"


def data_version(content: ReportContent) -> str:
    """Which data the report shows: the date it was built, and a short id to trace it by."""
    return t(
        "report.data_version",
        content.lang,
        date=long_date(content.data_as_of, content.lang),
        version=content.version_short or t("report.no_data_mark", content.lang),
    )
