"""A small published snapshot for report tests, built before the real marts land.

Two academic years (2024, 2025); 19 schools in three prefectures of two regions:
- 東京都 (13, 関東 R3): 8 schools in 千代田区 and 中央区; 6 of them in hub "H-TOKYO".
- 神奈川県 (14, 関東 R3): 4 schools in 横浜市, only 3 report, so every figure is suppressed.
- 愛知県 (23, 中部 R4): 7 schools in 名古屋市 (5, hub "H-AICHI") and 豊橋市 (2); 6 report in
  2024, all 7 in 2025.
Hub names are formula-like ("=HYPERLINK(...)", "@SUM(A1)") to test formula injection.
Scores follow a fixed rule; the area marts are aggregated here with SQL by the data contract's
definitions, and the public_* tables apply the suppression rule from settings.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.codes import make_school_code
from pipelines.reference import prefecture_by_code, prefectures, regions
from pipelines.settings import default_framework, settings
from pipelines.warehouse import publish_snapshot

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


def schools() -> list[dict]:
    rows, index = [], 0
    for municipality, hub, count in SCHOOL_GROUPS:
        for _ in range(count):
            rows.append(
                {
                    "index": index,
                    "school_code": make_school_code("C1", municipality[:2], "2", 100 + index),
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
                on_roll = 8 if grade == 3 and school["prefecture_code"] == "23" else 30 + i
                for position, benchmark_id in enumerate(coverage_ids):
                    reached = min(on_roll, (on_roll * (50 + 10 * position + grade * 5 + i)) // 100)
                    rows.append(
                        (school["school_code"], year, grade, benchmark_id, on_roll, reached)
                    )
    return rows


def _create_inputs(con: duckdb.DuckDBPyConnection) -> None:
    framework = default_framework()
    con.execute("create schema fixture; create schema marts")
    con.execute(
        "create table fixture.schools(school_code varchar, prefecture_code varchar, "
        "municipality_code varchar, hub_code varchar)"
    )
    con.executemany(
        "insert into fixture.schools values (?, ?, ?, ?)",
        [
            (s["school_code"], s["prefecture_code"], s["municipality_code"], s["hub_code"])
            for s in schools()
        ],
    )
    con.execute(
        "create table fixture.scores(school_code varchar, academic_year integer, "
        "benchmark_id varchar, score double)"
    )
    score_rows = []
    for s in schools():
        for year in YEARS:
            if s["index"] in NO_RETURN[year]:
                continue
            for b in framework.benchmarks:
                value = score(s["index"], b.position, year)
                if value is not None:
                    score_rows.append((s["school_code"], year, b.id, value))
    con.executemany("insert into fixture.scores values (?, ?, ?, ?)", score_rows)

    con.execute(
        "create table marts.dim_benchmark(framework_version varchar, benchmark_id "
        "varchar, position integer, name_ja varchar, name_en varchar, description_ja "
        "varchar, description_en varchar, coverage_benchmark boolean, "
        "is_default_framework boolean)"
    )
    con.executemany(
        "insert into marts.dim_benchmark values (?, ?, ?, ?, ?, ?, ?, ?, true)",
        [
            (
                framework.version,
                b.id,
                b.position,
                b.name_ja,
                b.name_en,
                b.description_ja,
                b.description_en,
                b.coverage_benchmark,
            )
            for b in framework.benchmarks
        ],
    )

    con.execute(
        "create table marts.dim_area(area_level varchar, area_code varchar, area_name_ja "
        "varchar, area_name_en varchar, parent_level varchar, parent_code varchar, "
        "grid_row integer, grid_col integer)"
    )
    areas = [("national", "JP", "全国", "Japan", None, None, None, None)]
    areas += [
        ("region", r.code, r.name_ja, r.name_en, "national", "JP", None, None) for r in regions()
    ]
    areas += [
        (
            "prefecture",
            p.code,
            p.name_ja,
            p.name_en,
            "region",
            p.region_code,
            p.grid_row,
            p.grid_col,
        )
        for p in prefectures()
    ]
    areas += [
        ("municipality", code, name, name, "prefecture", code[:2], None, None)
        for code, name in MUNICIPALITIES.items()
    ]
    areas += [("hub", code, name, name, None, None, None, None) for code, name in HUBS.items()]
    con.executemany("insert into marts.dim_area values (?, ?, ?, ?, ?, ?, ?, ?)", areas)
    con.execute(
        "create table fixture.prefecture_region(prefecture_code varchar, region_code varchar)"
    )
    con.executemany(
        "insert into fixture.prefecture_region values (?, ?)",
        [(p.code, prefecture_by_code()[p.code].region_code) for p in prefectures()],
    )

    con.execute(
        "create table fixture.coverage(school_code varchar, academic_year integer, "
        "grade integer, benchmark_id varchar, students_on_roll integer, "
        "students_reached integer)"
    )
    con.executemany("insert into fixture.coverage values (?, ?, ?, ?, ?, ?)", coverage_rows())


_MARTS_SQL = """
create table marts.school_area as
select school_code, 'national' as area_level, 'JP' as area_code from fixture.schools
union all
select s.school_code, 'region', pr.region_code from fixture.schools s
join fixture.prefecture_region pr using (prefecture_code)
union all select school_code, 'prefecture', prefecture_code from fixture.schools
union all select school_code, 'municipality', municipality_code from fixture.schools
union all select school_code, 'hub', hub_code from fixture.schools where hub_code is not null;

create table marts.school_year_benchmark as
select school_code, academic_year, $version as framework_version, benchmark_id, score,
    score = 100 as fully_achieved
from fixture.scores;

create table fixture.school_year as
select school_code, academic_year,
    count(*) filter (where fully_achieved) as benchmarks_achieved,
    count(*) filter (where fully_achieved) = $benchmark_count as all_achieved
from marts.school_year_benchmark group by all;

create table marts.area_year_benchmark as
select a.area_level, a.area_code, b.academic_year, b.framework_version, b.benchmark_id,
    count(*) as schools_reporting,
    avg(b.score) as mean_score,
    100.0 * count(*) filter (where b.fully_achieved) / count(*) as pct_fully_achieved
from marts.school_year_benchmark b join marts.school_area a using (school_code)
group by all;

create table fixture.area_year as
with registered as (
    select area_level, area_code, count(*) as schools_registered
    from marts.school_area group by all
),
reporting as (
    select a.area_level, a.area_code, y.academic_year,
        count(*) as schools_reporting,
        avg(y.benchmarks_achieved) as avg_benchmarks_achieved,
        100.0 * count(*) filter (where y.all_achieved) / count(*) as pct_all_achieved
    from fixture.school_year y join marts.school_area a using (school_code)
    group by all
)
select r.area_level, r.area_code, p.academic_year, $version as framework_version,
    r.schools_registered, p.schools_reporting,
    100.0 * p.schools_reporting / r.schools_registered as response_rate,
    p.avg_benchmarks_achieved, p.pct_all_achieved
from registered r join reporting p using (area_level, area_code);

create table marts.area_year_summary as
select cur.*,
    prev.avg_benchmarks_achieved as prev_avg_benchmarks_achieved,
    cur.avg_benchmarks_achieved - prev.avg_benchmarks_achieved as change_avg_benchmarks_achieved,
    prev.pct_all_achieved as prev_pct_all_achieved,
    cur.pct_all_achieved - prev.pct_all_achieved as change_pct_all_achieved,
    prev.response_rate as prev_response_rate,
    cur.response_rate - prev.response_rate as change_response_rate
from fixture.area_year cur
left join fixture.area_year prev on prev.area_level = cur.area_level
    and prev.area_code = cur.area_code and prev.academic_year = cur.academic_year - 1;

create table marts.achieved_distribution as
select a.area_level, a.area_code, y.academic_year, $version as framework_version,
    y.benchmarks_achieved, count(*) as schools
from fixture.school_year y join marts.school_area a using (school_code)
group by all;

create table marts.coverage as
select *, 100.0 * students_reached / students_on_roll as coverage_pct from fixture.coverage;

-- By year of schooling: every fixture school is a 中学校, so grade + 6 (pipelines/schooling.py).
create table marts.area_coverage as
select a.area_level, a.area_code, c.academic_year, c.grade + 6 as year_of_schooling,
    c.benchmark_id,
    count(distinct c.school_code) as schools,
    sum(c.students_on_roll) as students_on_roll,
    sum(c.students_reached) as students_reached,
    100.0 * sum(c.students_reached) / sum(c.students_on_roll) as coverage_pct
from marts.coverage c join marts.school_area a using (school_code)
group by grouping sets (
    (a.area_level, a.area_code, c.academic_year, year_of_schooling, c.benchmark_id),
    (a.area_level, a.area_code, c.academic_year, c.benchmark_id));

create table marts.public_area_year_benchmark as
select area_level, area_code, academic_year, framework_version, benchmark_id,
    if(s, null, schools_reporting) as schools_reporting,
    if(s, null, mean_score) as mean_score,
    if(s, null, pct_fully_achieved) as pct_fully_achieved,
    s as suppressed
from (select *, schools_reporting < $min_schools as s from marts.area_year_benchmark);

create table marts.public_area_year_summary as
select area_level, area_code, academic_year, framework_version, schools_registered,
    if(s, null, schools_reporting) as schools_reporting,
    if(s, null, response_rate) as response_rate,
    if(s, null, avg_benchmarks_achieved) as avg_benchmarks_achieved,
    if(s, null, pct_all_achieved) as pct_all_achieved,
    if(s, null, prev_avg_benchmarks_achieved) as prev_avg_benchmarks_achieved,
    if(s, null, change_avg_benchmarks_achieved) as change_avg_benchmarks_achieved,
    if(s, null, prev_pct_all_achieved) as prev_pct_all_achieved,
    if(s, null, change_pct_all_achieved) as change_pct_all_achieved,
    if(s, null, prev_response_rate) as prev_response_rate,
    if(s, null, change_response_rate) as change_response_rate,
    s as suppressed
from (select *, schools_reporting < $min_schools as s from marts.area_year_summary);

create table marts.public_achieved_distribution as
select d.area_level, d.area_code, d.academic_year, d.framework_version, d.benchmarks_achieved,
    if(y.schools_reporting < $min_schools, null, d.schools) as schools,
    y.schools_reporting < $min_schools as suppressed
from marts.achieved_distribution d join marts.area_year_summary y
    using (area_level, area_code, academic_year, framework_version);

create table marts.public_area_coverage as
select area_level, area_code, academic_year, year_of_schooling, benchmark_id,
    if(s, null, schools) as schools,
    if(s, null, students_on_roll) as students_on_roll,
    if(s, null, students_reached) as students_reached,
    if(s, null, coverage_pct) as coverage_pct,
    s as suppressed
from (select *, students_on_roll < $min_students as s from marts.area_coverage);

create table marts.build_info as
select 'fixture-build-0042' as version, timestamp '2026-04-30 09:15:00' as built_at,
    2025 as latest_academic_year, $version as default_framework_version;
"""


def make_report_fixture(db_path: Path) -> Path:
    """Build the fixture marts in a writer DuckDB at `db_path`, publish them; the snapshot path."""
    framework = default_framework()
    suppression = settings()["suppression"]
    con = duckdb.connect(str(db_path))
    try:
        _create_inputs(con)
        sql = (
            _MARTS_SQL.replace("$version", f"'{framework.version}'")
            .replace("$benchmark_count", str(len(framework.benchmarks)))
            .replace("$min_schools", str(int(suppression["min_schools"])))
            .replace("$min_students", str(int(suppression["min_students"])))
        )
        con.execute(sql)
        publish_snapshot(con, db_path)
    finally:
        con.close()
    from pipelines.warehouse import current_snapshot

    return current_snapshot(db_path)[1]


def mart_rows(snapshot: Path, table: str, **where: object) -> list[dict]:
    """Rows of `marts.<table>` in the snapshot matching `where` (tests compare reports to these)."""
    clause = " and ".join(f"{k} = ?" for k in where) or "true"
    con = duckdb.connect(str(snapshot), read_only=True)
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
