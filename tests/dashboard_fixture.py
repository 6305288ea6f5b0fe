"""A small, readable marts snapshot for the dashboard's tests and page benchmark.

Twelve schools in three prefectures (two regions), three municipalities and two hubs, two
academic years. Each school's record says how many benchmarks it fully achieved each year; the
other benchmarks score below 100. Everything else (areas, comparisons, flags, coverage, the public
views) is computed in SQL from those school rows with the meanings in docs/architecture.md, so the
numbers on a page can be checked by hand from the table below.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.codes import make_school_code
from pipelines.reference import establishments, prefectures, regions, school_types
from pipelines.settings import default_framework, settings
from pipelines.warehouse import publish_snapshot

ROOT = Path(__file__).resolve().parents[1]
YEARS = (2024, 2025)
MUNICIPALITIES = {"13101": "千代田区", "14100": "横浜市", "27100": "大阪市"}
HUBS = {"H01": "東京湾岸ハブ", "H02": "なにわハブ"}

# (type, establishment, number, name, municipality, hub, enrolment,
#  benchmarks achieved in 2024, in 2025; None = no return that year)
SCHOOLS = (
    ("C1", "2", 1, "千代田中学校", "13101", "H01", 300, 3, 5),
    ("B1", "2", 2, "千代田小学校", "13101", "H01", 420, 2, 2),
    ("D1", "3", 3, "=東京私立高等学校", "13101", None, 600, 6, 8),
    ("C1", "1", 4, "お茶の水附属中学校", "13101", "H01", 360, 8, 8),
    ("C1", "2", 5, "横浜中学校", "14100", "H01", 280, 4, 1),
    ("B1", "2", 6, "横浜小学校", "14100", "H01", 500, 1, None),
    ("D1", "2", 7, "横浜高等学校", "14100", None, 700, 5, 6),
    ("B1", "3", 8, "山手小学校", "14100", None, 200, None, 3),
    ("C1", "2", 9, "大阪中学校", "27100", "H02", 320, 2, 4),
    ("B1", "2", 10, "大阪小学校", "27100", "H02", 450, 0, 1),
    ("D1", "2", 11, "大阪高等学校", "27100", "H02", 650, 7, 7),
    ("E1", "2", 12, "大阪特別支援学校", "27100", None, 90, 3, 3),
)


def school_code(record: tuple) -> str:
    kind, establishment, number, _, municipality, *_ = record
    return make_school_code(kind, municipality[:2], establishment, number)


def make_fixture_warehouse(db_path: Path) -> None:
    """Write the fixture marts into a writer DuckDB at `db_path` and publish a snapshot."""
    framework = default_framework()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        con.execute("create schema if not exists marts")
        _dimensions(con, framework)
        _school_facts(con, framework)
        con.execute(_AREA_SQL)
        con.execute(_SCHOOL_AREA_DERIVED_SQL)
        con.execute(_FLAGS_SQL, [framework.version])
        derive_flag_summary(con)
        _quality(con)
        min_schools = settings()["suppression"]["min_schools"]
        min_students = settings()["suppression"]["min_students"]
        con.execute(
            _PUBLIC_SQL.replace("$min_schools", str(int(min_schools))).replace(
                "$min_students", str(int(min_students))
            )
        )
        con.execute(
            "create table marts.build_info as select 'fixture'::varchar as version, "
            "now()::timestamp as built_at, ?::integer as latest_academic_year, "
            "?::varchar as default_framework_version",
            [max(YEARS), framework.version],
        )
        publish_snapshot(con, db_path)
    finally:
        con.close()


def derive_flag_summary(con: duckdb.DuckDBPyConnection) -> None:
    """marts.school_flag_summary from the fixture's flags, by the project's own model SQL."""
    for column, kind in (("benchmark_id", "varchar"), ("grade", "integer")):
        con.execute(f"alter table marts.support_flags add column if not exists {column} {kind}")
    model = (ROOT / "sql" / "marts" / "school_flag_summary.sql").read_text(encoding="utf-8")
    con.execute(f"create or replace table marts.school_flag_summary as {model}")


def _dimensions(con: duckdb.DuckDBPyConnection, framework) -> None:
    types, ests = school_types(), establishments()
    prefs = {p.code: p for p in prefectures()}
    region_names = {r.code: r for r in regions()}
    con.execute(
        "create table marts.dim_school (school_code varchar, school_name varchar, "
        "school_type varchar, school_type_ja varchar, school_type_en varchar, establishment "
        "varchar, establishment_ja varchar, establishment_en varchar, prefecture_code varchar, "
        "prefecture_ja varchar, prefecture_en varchar, region_code varchar, region_ja varchar, "
        "region_en varchar, municipality_code varchar, municipality_name varchar, hub_code "
        "varchar, hub_name varchar, enrolment integer, secondary boolean)"
    )
    for record in SCHOOLS:
        kind, est, _, name, muni, hub, enrolment, *_ = record
        pref = prefs[muni[:2]]
        region = region_names[pref.region_code]
        con.execute(
            "insert into marts.dim_school values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                school_code(record),
                name,
                kind,
                types[kind].name_ja,
                types[kind].name_en,
                est,
                ests[est].name_ja,
                ests[est].name_en,
                pref.code,
                pref.name_ja,
                pref.name_en,
                region.code,
                region.name_ja,
                region.name_en,
                muni,
                MUNICIPALITIES[muni],
                hub,
                HUBS.get(hub),
                enrolment,
                types[kind].secondary,
            ],
        )
    con.execute(
        "create table marts.dim_area (area_level varchar, area_code varchar, area_name_ja "
        "varchar, area_name_en varchar, parent_level varchar, parent_code varchar, "
        "grid_row integer, grid_col integer)"
    )
    con.execute(
        "insert into marts.dim_area values ('national','JP','全国','Japan',null,null,null,null)"
    )
    for r in regions():
        con.execute(
            "insert into marts.dim_area values ('region',?,?,?,'national','JP',null,null)",
            [r.code, r.name_ja, r.name_en],
        )
    for p in prefectures():
        con.execute(
            "insert into marts.dim_area values ('prefecture',?,?,?,'region',?,?,?)",
            [p.code, p.name_ja, p.name_en, p.region_code, p.grid_row, p.grid_col],
        )
    for code, name in MUNICIPALITIES.items():
        con.execute(
            "insert into marts.dim_area values ('municipality',?,?,?,'prefecture',?,null,null)",
            [code, name, name, code[:2]],
        )
    for code, name in HUBS.items():
        con.execute(
            "insert into marts.dim_area values ('hub',?,?,?,null,null,null,null)",
            [code, name, name],
        )
    con.execute(
        "create table marts.dim_benchmark (framework_version varchar, benchmark_id varchar, "
        "position integer, name_ja varchar, name_en varchar, description_ja varchar, "
        "description_en varchar, coverage_benchmark boolean, is_default_framework boolean)"
    )
    for b in framework.benchmarks:
        con.execute(
            "insert into marts.dim_benchmark values (?,?,?,?,?,?,?,?,true)",
            [
                framework.version,
                b.id,
                b.position,
                b.name_ja,
                b.name_en,
                b.description_ja,
                b.description_en,
                b.coverage_benchmark,
            ],
        )
    con.execute("""
        create table marts.school_area as
        select school_code, 'national' as area_level, 'JP' as area_code from marts.dim_school
        union all select school_code, 'region', region_code from marts.dim_school
        union all select school_code, 'prefecture', prefecture_code from marts.dim_school
        union all select school_code, 'municipality', municipality_code from marts.dim_school
        union all select school_code, 'hub', hub_code from marts.dim_school
        where hub_code is not null
    """)


def _school_facts(con: duckdb.DuckDBPyConnection, framework) -> None:
    """Returns by term: term 1 achieves one benchmark fewer than the effective term 2 return."""
    con.execute(
        "create table marts.return_history (school_code varchar, academic_year integer, "
        "term integer, submitted_on date, file_id bigint, framework_version varchar, "
        "benchmark_id varchar, score double, is_effective boolean, is_superseded boolean)"
    )
    rows = []
    for index, record in enumerate(SCHOOLS):
        for year, achieved in zip(YEARS, record[7:9], strict=True):
            if achieved is None:
                continue
            for term, reached in ((1, max(achieved - 1, 0)), (2, achieved)):
                for b in framework.benchmarks:
                    # below 100 for the benchmarks not achieved; varies by school and position
                    score = 100.0 if b.position <= reached else 35.0 + 5 * b.position + index
                    rows.append(
                        [
                            school_code(record),
                            year,
                            term,
                            f"{year}-{3 + 4 * term:02d}-15",
                            term,
                            framework.version,
                            b.id,
                            score,
                            term == 2,
                            False,
                        ]
                    )
    con.executemany("insert into marts.return_history values (?,?,?,?,?,?,?,?,?,?)", rows)
    con.execute("""
        create table marts.school_year_benchmark as
        select school_code, academic_year, framework_version, benchmark_id, score,
               score = 100 as fully_achieved
        from marts.return_history where is_effective
    """)
    con.execute(
        """
        create table marts.school_year_summary as
        with this_year as (
            select r.school_code, r.academic_year, r.framework_version,
                   max(h.term) as term, max(h.submitted_on) as submitted_on,
                   ? as benchmarks_in_framework,
                   count(*) as benchmarks_reported,
                   count(*) filter (where r.fully_achieved) as benchmarks_achieved,
                   mean(r.score) as mean_score
            from marts.school_year_benchmark r
            join marts.return_history h using (school_code, academic_year, benchmark_id)
            where h.is_effective
            group by all
        )
        select t.*, t.benchmarks_achieved = t.benchmarks_in_framework as all_achieved,
               p.benchmarks_achieved as prev_benchmarks_achieved,
               t.benchmarks_achieved - p.benchmarks_achieved as change_benchmarks_achieved,
               p.mean_score as prev_mean_score, t.mean_score - p.mean_score as change_mean_score
        from this_year t left join this_year p
          on p.school_code = t.school_code and p.academic_year = t.academic_year - 1
         and p.framework_version = t.framework_version
    """,
        [len(framework.benchmarks)],
    )
    # Student coverage for the two secondary schools of 千代田区 that report: grade g reaches
    # fewer students for later benchmarks, so low_coverage flags appear.
    con.execute(
        "create table marts.coverage (school_code varchar, academic_year integer, grade integer,"
        " benchmark_id varchar, students_on_roll integer, students_reached integer, "
        "coverage_pct double)"
    )
    coverage_rows = []
    for record in (SCHOOLS[0], SCHOOLS[2]):
        for year in YEARS:
            for grade in (1, 2, 3):
                for b in framework.benchmarks:
                    if not b.coverage_benchmark:
                        continue
                    on_roll = record[6] // 3
                    reached = max(on_roll - 20 * b.position + 10 * grade + (year - 2024) * 30, 0)
                    reached = min(reached, on_roll)
                    coverage_rows.append(
                        [
                            school_code(record),
                            year,
                            grade,
                            b.id,
                            on_roll,
                            reached,
                            100.0 * reached / on_roll,
                        ]
                    )
    con.executemany("insert into marts.coverage values (?,?,?,?,?,?,?)", coverage_rows)


_AREA_SQL = """
create table marts.area_year_benchmark as
select a.area_level, a.area_code, b.academic_year, b.framework_version, b.benchmark_id,
       count(*) as schools_reporting, mean(b.score) as mean_score,
       100.0 * count(*) filter (where b.fully_achieved) / count(*) as pct_fully_achieved
from marts.school_year_benchmark b join marts.school_area a using (school_code)
group by all;

create table marts.area_year_summary as
with years as (select distinct academic_year, framework_version from marts.school_year_summary),
registered as (
    select a.area_level, a.area_code, y.academic_year, y.framework_version,
           count(*) as schools_registered
    from marts.school_area a cross join years y group by all
),
reporting as (
    select a.area_level, a.area_code, s.academic_year, s.framework_version,
           count(*) as schools_reporting,
           mean(s.benchmarks_achieved) as avg_benchmarks_achieved,
           100.0 * count(*) filter (where s.all_achieved) / count(*) as pct_all_achieved
    from marts.school_year_summary s join marts.school_area a using (school_code)
    group by all
),
this_year as (
    select g.*, coalesce(r.schools_reporting, 0) as schools_reporting,
           100.0 * coalesce(r.schools_reporting, 0) / g.schools_registered as response_rate,
           r.avg_benchmarks_achieved, r.pct_all_achieved
    from registered g left join reporting r using (area_level, area_code, academic_year,
                                                   framework_version)
)
select t.*,
       p.avg_benchmarks_achieved as prev_avg_benchmarks_achieved,
       t.avg_benchmarks_achieved - p.avg_benchmarks_achieved as change_avg_benchmarks_achieved,
       p.pct_all_achieved as prev_pct_all_achieved,
       t.pct_all_achieved - p.pct_all_achieved as change_pct_all_achieved,
       p.response_rate as prev_response_rate,
       t.response_rate - p.response_rate as change_response_rate
from this_year t left join this_year p
  on p.area_level = t.area_level and p.area_code = t.area_code
 and p.academic_year = t.academic_year - 1 and p.framework_version = t.framework_version;

create table marts.achieved_distribution as
select a.area_level, a.area_code, s.academic_year, s.framework_version,
       s.benchmarks_achieved, count(*) as schools
from marts.school_year_summary s join marts.school_area a using (school_code)
group by all;

-- By year of schooling (pipelines/schooling.py): the covered schools are a C1 and a D1.
create table marts.area_coverage as
select a.area_level, a.area_code, c.academic_year, c.year_of_schooling, c.benchmark_id,
       count(distinct c.school_code) as schools, sum(c.students_on_roll) as students_on_roll,
       sum(c.students_reached) as students_reached,
       100.0 * sum(c.students_reached) / sum(c.students_on_roll) as coverage_pct
from (select *, grade + case left(school_code, 2) when 'C1' then 6 when 'D1' then 9 else 0 end
             as year_of_schooling from marts.coverage) c
join marts.school_area a using (school_code)
group by grouping sets (
    (a.area_level, a.area_code, c.academic_year, c.year_of_schooling, c.benchmark_id),
    (a.area_level, a.area_code, c.academic_year, c.benchmark_id));

create table marts.trend as
select area_level, area_code, benchmark_id, academic_year, framework_version,
       schools_reporting, mean_score, pct_fully_achieved
from marts.area_year_benchmark
union all
select area_level, area_code, 'ALL', academic_year, framework_version, schools_reporting,
       avg_benchmarks_achieved, pct_all_achieved
from marts.area_year_summary where schools_reporting > 0;
"""

_SCHOOL_AREA_DERIVED_SQL = """
create table marts.school_comparison as
with means as (
    select area_level, area_code, academic_year, framework_version, benchmark_id, mean_score
    from marts.area_year_benchmark
)
select b.school_code, b.academic_year, b.framework_version, b.benchmark_id, b.score,
       h.mean_score as hub_mean, m.mean_score as municipality_mean,
       p.mean_score as prefecture_mean, n.mean_score as national_mean,
       100.0 * percent_rank() over (partition by s.prefecture_code, b.academic_year,
                                    b.benchmark_id order by b.score) as prefecture_percentile
from marts.school_year_benchmark b
join marts.dim_school s using (school_code)
left join means h on h.area_level = 'hub' and h.area_code = s.hub_code
     and h.academic_year = b.academic_year and h.benchmark_id = b.benchmark_id
left join means m on m.area_level = 'municipality' and m.area_code = s.municipality_code
     and m.academic_year = b.academic_year and m.benchmark_id = b.benchmark_id
left join means p on p.area_level = 'prefecture' and p.area_code = s.prefecture_code
     and p.academic_year = b.academic_year and p.benchmark_id = b.benchmark_id
left join means n on n.area_level = 'national' and n.academic_year = b.academic_year
     and n.benchmark_id = b.benchmark_id;

create table marts.return_status as
with terms as (select distinct academic_year, term from marts.return_history)
select s.school_code, t.academic_year, t.term, 3 as calendar_terms, true as is_expected,
       max(h.school_code) is not null as has_return, max(h.submitted_on) as submitted_on,
       t.latest_term, t.latest_term as due_term, t.term = t.latest_term as is_due
from marts.dim_school s
cross join (select *, max(term) over (partition by academic_year) as latest_term from terms) t
left join marts.return_history h on h.school_code = s.school_code
     and h.academic_year = t.academic_year and h.term = t.term
group by all;
"""

_FLAGS_SQL = """
create table marts.support_flags as
select s.school_code, y.academic_year, 'no_return' as flag, 'high' as severity,
       y.academic_year || '年度の自己評価が未提出です。' as detail_ja,
       'No self-assessment returned for ' || y.academic_year || '.' as detail_en
from marts.dim_school s
cross join (select distinct academic_year from marts.school_year_summary) y
where not exists (select 1 from marts.school_year_summary r
                  where r.school_code = s.school_code and r.academic_year = y.academic_year)
union all
select r.school_code, r.academic_year, 'fall_in_achieved', 'medium',
       '達成ベンチマーク数が前年度より' || -r.change_benchmarks_achieved || '減りました。',
       'Benchmarks achieved fell by ' || -r.change_benchmarks_achieved || ' since last year.'
from marts.school_year_summary r where r.change_benchmarks_achieved <= -2
union all
select r.school_code, r.academic_year, 'below_hub_mean', 'medium',
       '達成ベンチマーク数がハブ平均を' || round(h.avg_benchmarks_achieved
           - r.benchmarks_achieved, 1) || '下回っています。',
       'Benchmarks achieved ' || round(h.avg_benchmarks_achieved - r.benchmarks_achieved, 1)
           || ' below the hub mean.'
from marts.school_year_summary r join marts.dim_school s using (school_code)
join marts.area_year_summary h on h.area_level = 'hub' and h.area_code = s.hub_code
     and h.academic_year = r.academic_year and h.framework_version = ?
where r.benchmarks_achieved <= h.avg_benchmarks_achieved - 2
union all
select c.school_code, c.academic_year, 'low_coverage', 'low',
       c.grade || '年生の' || c.benchmark_id || 'の到達率が' || round(c.coverage_pct, 1)
           || '%です。',
       c.benchmark_id || ' reached ' || round(c.coverage_pct, 1) || '% of grade '
           || c.grade || '.'
from marts.coverage c where c.coverage_pct < 50;
"""


def _quality(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        create table marts.ingest_files as select * from (values
          (1, 'aa11', '学校一覧.csv', 'data/学校一覧.csv', 'aa/aa11.csv', 'schools', 'loaded',
           12, 12, 0, null, null, timestamp '2025-11-01 09:00', timestamp '2025-11-01 09:00:01',
           'cli'),
          (2, 'bb22', '自己評価_2025.xlsx', 'upload:自己評価_2025.xlsx', 'bb/bb22.xlsx',
           'returns', 'loaded', 24, 22, 2, null, null, timestamp '2025-11-02 10:00',
           timestamp '2025-11-02 10:00:02', 'coordinator@example.jp'),
          (3, 'cc33', 'メモ.csv', 'data/メモ.csv', null, null, 'rejected', 0, 0, 0,
           '見出しが見つかりません。', 'No header found.', timestamp '2025-11-03 11:00',
           timestamp '2025-11-03 11:00:01', 'cli')
        ) as t(file_id, sha256, original_name, source_path, archive_path, kind, status,
               rows_read, rows_loaded, rows_quarantined, reason_ja, reason_en, started_at,
               finished_at, ingested_by)
    """)
    con.execute("""
        create table marts.quarantine as select * from (values
          (2, '自己評価_2025.xlsx', 7, '学校コード', 'C113299999990', 'school_code_unknown',
           '学校一覧にない学校コードです。', 'The school code is not in the schools list.'),
          (2, '自己評価_2025.xlsx', 15, 'B3', '120', 'score_range',
           '得点は0から100の範囲で入力してください。', 'A score must be between 0 and 100.')
        ) as t(file_id, original_name, row_number, column_name, value, rule, reason_ja,
               reason_en)
    """)


_PUBLIC_SQL = """
create table marts.public_area_year_benchmark as
select * replace (case when schools_reporting < $min_schools then null else mean_score end
                  as mean_score,
                  case when schools_reporting < $min_schools then null
                       else pct_fully_achieved end as pct_fully_achieved),
       schools_reporting < $min_schools as suppressed
from marts.area_year_benchmark;

create table marts.public_area_year_summary as
select * replace (
    case when schools_reporting < $min_schools then null else avg_benchmarks_achieved end
        as avg_benchmarks_achieved,
    case when schools_reporting < $min_schools then null else pct_all_achieved end
        as pct_all_achieved),
    schools_reporting < $min_schools as suppressed
from marts.area_year_summary;

create table marts.public_area_coverage as
select * replace (case when students_on_roll < $min_students then null else coverage_pct end
                  as coverage_pct),
       students_on_roll < $min_students as suppressed
from marts.area_coverage;

create table marts.public_achieved_distribution as
select d.* replace (case when s.schools_reporting < $min_schools then null else d.schools end
                    as schools),
       s.schools_reporting < $min_schools as suppressed
from marts.achieved_distribution d join marts.area_year_summary s
  using (area_level, area_code, academic_year, framework_version);

create table marts.public_trend as
select * replace (case when schools_reporting < $min_schools then null else mean_score end
                  as mean_score,
                  case when schools_reporting < $min_schools then null
                       else pct_fully_achieved end as pct_fully_achieved),
       schools_reporting < $min_schools as suppressed
from marts.trend;
"""
