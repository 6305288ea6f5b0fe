"""A small warehouse for the report tests, made by the real build from raw rows.

Two academic years (2024, 2025); 19 junior high schools in three prefectures of two regions:
- 東京都 (13, 関東 R3): 8 schools in 千代田区 and 中央区; 6 of them in hub "H-TOKYO".
- 神奈川県 (14, 関東 R3): 4 schools in 横浜市, only 3 report, so every figure is suppressed.
- 愛知県 (23, 中部 R4): 7 schools in 名古屋市 (5, hub "H-AICHI") and 豊橋市 (2); 6 report in
  2024, all 7 in 2025.
Hub names are formula-like ("=HYPERLINK(...)", "@SUM(A1)") to test formula injection.
Scores follow `score` below, one return per school and year; students on roll and reached follow
`coverage_rows`. `pipelines.build` makes every mart from those raw rows, with the suppression
rule from settings, so report tests see exactly what the SQL models give.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from build_rows import RawRows, build_snapshot

from pipelines.codes import make_school_code
from pipelines.settings import default_framework
from pipelines.warehouse import open_snapshot

YEARS = (2024, 2025)
HUB_AICHI_NAME = '=HYPERLINK("#evil","click")'
HUB_TOKYO_NAME = "@SUM(A1)"
MUNICIPALITIES = {
    "13101": "千代田区",
    "13102": "中央区",
    "14100": "横浜市",
    "23100": "名古屋市",
    "23201": "豊橋市",
}
HUBS = {"H-AICHI": HUB_AICHI_NAME, "H-TOKYO": HUB_TOKYO_NAME}
# (municipality, hub or None, how many schools)
SCHOOL_GROUPS = [
    ("13101", "H-TOKYO", 4),
    ("13102", "H-TOKYO", 2),
    ("13102", None, 2),
    ("14100", None, 4),
    ("23100", "H-AICHI", 5),
    ("23201", None, 2),
]
# Schools that send no return in a year (by index in school order).
NO_RETURN = {2024: {8, 18}, 2025: {8}}
GRADES = (1, 2, 3)
BUILD_DATE = date(2026, 4, 30)


def schools() -> list[dict]:
    rows, index = [], 0
    for municipality, hub, count in SCHOOL_GROUPS:
        for _ in range(count):
            rows.append(
                {
                    "index": index,
                    "school_code": make_school_code("C1", municipality[:2], "2", 100 + index),
                    "school_name": f"第{index + 1}中学校",
                    "prefecture_code": municipality[:2],
                    "municipality_code": municipality,
                    "hub_code": hub,
                }
            )
            index += 1
    return rows


def score(index: int, position: int, year: int) -> float | None:
    """The fixed scoring rule: mostly 100s, some partial scores, one benchmark left blank."""
    if index == 0 and year == 2025:
        return 100.0  # one school achieves every benchmark
    if index in (9, 10, 11):  # 神奈川's reporting schools: a distinctive (suppressed) 7.33
        return 60.5 if position == index - 8 and index > 9 else 100.0
    if index % 5 == 3 and position == 3:
        return None  # not assessed
    if (index + position + year) % 3 == 0:
        return 40.0 + ((index * 7 + position * 3) % 6) * 10.0 + 0.5
    return 100.0


def return_rows() -> list[tuple]:
    """(school_code, year, term, submitted_on, scores): one return per school and year."""
    benchmarks = default_framework().benchmarks
    rows = []
    for school in schools():
        for year in YEARS:
            if school["index"] in NO_RETURN[year]:
                continue
            scores = {b.id: score(school["index"], b.position, year) for b in benchmarks}
            scores = {b: value for b, value in scores.items() if value is not None}
            rows.append((school["school_code"], year, 2, date(year, 11, 1), scores))
    return rows


def coverage_rows() -> list[tuple]:
    """(school_code, year, grade, benchmark_id, on_roll, reached) for reporting schools."""
    coverage_ids = [b.id for b in default_framework().benchmarks if b.coverage_benchmark]
    rows = []
    for school in schools():
        i = school["index"]
        if school["prefecture_code"] == "14":
            continue  # no student records from 神奈川
        for year in YEARS:
            for grade in GRADES:
                # Grade 3 in 愛知 is rostered only at one school, with 8 students: suppressed.
                if school["prefecture_code"] == "23" and grade == 3 and i != 14:
                    continue
                on_roll = 8 if grade == 3 and school["prefecture_code"] == "23" else 10 + i
                for position, benchmark_id in enumerate(coverage_ids):
                    reached = min(on_roll, (on_roll * (50 + 10 * position + grade * 5 + i)) // 100)
                    rows.append(
                        (school["school_code"], year, grade, benchmark_id, on_roll, reached)
                    )
    return rows


def student_rows() -> tuple[list[tuple], list[tuple]]:
    """The roster and activity rows that give `coverage_rows`: students 1..on_roll are on roll,
    and the first `reached` of them had an activity counting toward the benchmark."""
    kinds = {b.id: b.activity_types[0] for b in default_framework().benchmarks if b.activity_types}
    roster, activities = {}, []
    for school_code, year, grade, benchmark_id, on_roll, reached in coverage_rows():
        for n in range(1, on_roll + 1):
            roster[(school_code, year, f"{grade}-{n:02d}")] = grade
        activities += [
            (school_code, f"{grade}-{n:02d}", grade, kinds[benchmark_id], date(year, 10, 1))
            for n in range(1, reached + 1)
        ]
    return [(*key, grade) for key, grade in roster.items()], activities


def make_report_fixture(db_path: Path) -> Path:
    """Write the fixture's raw rows into a writer DuckDB at `db_path`, build and publish them;
    the snapshot path."""
    raw = RawRows(db_path)
    raw.schools(
        [
            (s["school_code"], s["school_name"], s["municipality_code"], s["hub_code"])
            + (HUBS.get(s["hub_code"]), None, MUNICIPALITIES[s["municipality_code"]])
            for s in schools()
        ]
    )
    raw.returns(return_rows())
    roster, activities = student_rows()
    raw.roster(roster)
    raw.activities(activities)
    return build_snapshot(raw, BUILD_DATE)


def mart_rows(snapshot: Path, table: str, **where: object) -> list[dict]:
    """Rows of `marts.<table>` in the snapshot matching `where` (tests compare reports to these)."""
    clause = " and ".join(f"{k} = ?" for k in where) or "true"
    con = open_snapshot(snapshot)  # a version's manifest of part files
    try:
        cursor = con.execute(f"select * from marts.{table} where {clause}", list(where.values()))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def mart_row(snapshot: Path, table: str, **where: object) -> dict:
    (row,) = mart_rows(snapshot, table, **where)
    return row


def as_displayed(value: float, places: int) -> str:
    """How a report prints a figure: rounded half up (四捨五入) to `places` decimals."""
    from decimal import ROUND_HALF_UP, Decimal

    quantum = Decimal(1) if places == 0 else Decimal("0." + "0" * (places - 1) + "1")
    return str(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))
