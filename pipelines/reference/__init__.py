"""Reference data (prefectures, regions, school types, establishments, activity types).

The facts live in the CSV files beside this module; this module only reads them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Prefecture:
    code: str  # JIS X 0401, "01".."47"
    name_ja: str  # 東京都
    short_ja: str  # 東京
    name_en: str
    region_code: str  # R1..R8
    grid_row: int  # tile-grid map, row 7 at the top
    grid_col: int  # 1..7, left to right
    population_2020_thousands: int


@dataclass(frozen=True)
class Region:
    code: str
    name_ja: str
    name_en: str


@dataclass(frozen=True)
class SchoolType:
    code: str  # two characters, e.g. C1
    name_ja: str
    name_en: str
    min_grade: int | None
    max_grade: int | None
    secondary: bool  # has student-level career activity records (Compass+)
    national_count_2025: int | None


@dataclass(frozen=True)
class Establishment:
    code: str  # "1" 国立, "2" 公立, "3" 私立
    name_ja: str
    short_ja: str
    name_en: str


@dataclass(frozen=True)
class ActivityType:
    code: str
    name_ja: str
    name_en: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip() else None


@cache
def prefectures() -> tuple[Prefecture, ...]:
    return tuple(
        Prefecture(
            code=r["prefecture_code"],
            name_ja=r["name_ja"],
            short_ja=r["short_ja"],
            name_en=r["name_en"],
            region_code=r["region_code"],
            grid_row=int(r["grid_row"]),
            grid_col=int(r["grid_col"]),
            population_2020_thousands=int(r["population_2020_thousands"]),
        )
        for r in _rows("prefectures.csv")
    )


@cache
def prefecture_by_code() -> dict[str, Prefecture]:
    return {p.code: p for p in prefectures()}


@cache
def prefecture_lookup() -> dict[str, str]:
    """Every accepted spelling of a prefecture (code, full name, short name, English) -> code."""
    lookup: dict[str, str] = {}
    for p in prefectures():
        for spelling in (p.code, str(int(p.code)), p.name_ja, p.short_ja, p.name_en.casefold()):
            lookup[spelling] = p.code
    return lookup


@cache
def regions() -> tuple[Region, ...]:
    return tuple(Region(r["region_code"], r["name_ja"], r["name_en"]) for r in _rows("regions.csv"))


@cache
def school_types() -> dict[str, SchoolType]:
    return {
        r["type_code"]: SchoolType(
            code=r["type_code"],
            name_ja=r["name_ja"],
            name_en=r["name_en"],
            min_grade=_int_or_none(r["min_grade"]),
            max_grade=_int_or_none(r["max_grade"]),
            secondary=r["secondary"] == "true",
            national_count_2025=_int_or_none(r["national_count_2025"]),
        )
        for r in _rows("school_types.csv")
    }


@cache
def establishments() -> dict[str, Establishment]:
    return {
        r["establishment_code"]: Establishment(
            r["establishment_code"], r["name_ja"], r["short_ja"], r["name_en"]
        )
        for r in _rows("establishments.csv")
    }


@cache
def activity_types() -> dict[str, ActivityType]:
    return {
        r["activity_type"]: ActivityType(r["activity_type"], r["name_ja"], r["name_en"])
        for r in _rows("activity_types.csv")
    }
