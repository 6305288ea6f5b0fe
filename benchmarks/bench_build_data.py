"""National-scale raw rows for benchmarks/bench_build.py, generated directly in DuckDB SQL.

Deterministic: every "random" choice in SQL is a hash of the row's identity, and the schools come
from a seeded numpy generator. Scale: the 34,709 schools of 学校基本調査 2025 by type, spread over
the 47 prefectures by population, ~1,740 municipalities, hubs for about a third of schools; 5
academic years of returns (1-3 terms each, 2 % resubmitted); roster and activities (3M+ rows each)
for 2,000 secondary schools.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipelines.codes import make_school_code
from pipelines.reference import prefectures, school_types
from pipelines.settings import default_framework

SECONDARY_WITH_STUDENTS = 2000
MUNICIPALITIES_PER_PREFECTURE = 37


def school_frame(seed: int = 7) -> pd.DataFrame:
    """One row per school: the real 2025 count per school type, prefectures by population."""
    rng = np.random.default_rng(seed)
    prefs = prefectures()
    weights = np.array([p.population_2020_thousands for p in prefs], dtype=float)
    weights /= weights.sum()
    rows = []
    number = 0
    for type_code, kind in school_types().items():
        for _ in range(kind.national_count_2025 or 0):
            number += 1
            pref = prefs[rng.choice(len(prefs), p=weights)].code
            municipality = f"{pref}{100 + int(rng.integers(MUNICIPALITIES_PER_PREFECTURE)):03d}"
            in_hub = rng.random() < 0.35
            hub = f"H{pref}{int(rng.integers(12)):02d}" if in_hub else None
            rows.append(
                (
                    make_school_code(type_code, pref, "2", number),
                    f"学校{number}",
                    municipality,
                    hub,
                    f"ハブ{hub}" if hub else None,
                    int(rng.integers(50, 900)),
                    type_code,
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "school_code",
            "school_name",
            "municipality_code",
            "hub_code",
            "hub_name",
            "enrolment",
            "type_code",
        ],
    )


def load_raw(con: duckdb.DuckDBPyConnection, schools: pd.DataFrame) -> dict[str, int]:
    """Fill raw.* with national-scale rows; returns row counts per raw table."""
    framework = default_framework()
    activity_types = sorted({a for b in framework.benchmarks for a in b.activity_types})
    con.register("school_df", schools)
    con.execute("""
        create or replace temp table bench_schools as
        select row_number() over (order by school_code) as idx, * from school_df
    """)
    con.execute("""
        insert into raw.schools
        select 1, idx::integer + 1, school_code, school_name, municipality_code, null,
               hub_code, hub_name, enrolment
        from bench_schools
    """)
    # Returns: 88 % of schools return each year, 1-3 terms; scores for ~95 % of benchmarks, with
    # full achievement growing year by year.
    con.execute("""
        create or replace temp table bench_returns as
        select
            100 + y.academic_year as file_id,
            (row_number() over (partition by y.academic_year order by s.idx, t.term))::integer
                + 1 as row_number,
            s.idx, s.school_code, y.academic_year::integer as academic_year, t.term::integer
                as term,
            (make_date(y.academic_year::integer, 7, 1) + to_days(((t.term - 1) * 120
                + hash(s.idx, y.academic_year, t.term, 'day') % 60)::integer)) as submitted_on
        from bench_schools s
        cross join range(2021, 2026) y(academic_year)
        cross join range(1, 4) t(term)
        where hash(s.idx, y.academic_year, 'returns') % 100 < 88
            and t.term <= 1 + hash(s.idx, y.academic_year, 'terms') % 3
    """)
    con.execute(
        "insert into raw.returns select file_id, row_number, school_code, academic_year, "
        "term, submitted_on, ? from bench_returns",
        [framework.version],
    )
    con.execute(
        """
        insert into raw.return_scores
        select r.file_id, r.row_number, b.benchmark_id,
            case when hash(r.idx, r.academic_year, r.term, b.benchmark_id, 'full') % 100
                    < 35 + 6 * (r.academic_year - 2021) then 100.0
                 else (hash(r.idx, r.academic_year, r.term, b.benchmark_id) % 10000) / 100.0
            end
        from bench_returns r
        cross join (select unnest(?::varchar[]) as benchmark_id) b
        where hash(r.idx, r.academic_year, r.term, b.benchmark_id, 'assessed') % 100 < 95
    """,
        [list(framework.ids)],
    )
    # Resubmissions: 2 % of returns sent again in a later file with other scores.
    con.execute(
        """
        insert into raw.returns
        select 200 + academic_year, row_number, school_code, academic_year, term, submitted_on, ?
        from bench_returns where hash(idx, academic_year, term, 'resubmit') % 100 < 2
    """,
        [framework.version],
    )
    con.execute(
        """
        insert into raw.return_scores
        select 200 + r.academic_year, r.row_number, b.benchmark_id,
            (hash(r.idx, r.academic_year, r.term, b.benchmark_id, 'again') % 10001) / 100.0
        from bench_returns r
        cross join (select unnest(?::varchar[]) as benchmark_id) b
        where hash(r.idx, r.academic_year, r.term, 'resubmit') % 100 < 2
    """,
        [list(framework.ids)],
    )
    # Roster and activities for 2,000 secondary schools: ~100 students a grade, 3 grades.
    con.execute(f"""
        create or replace temp table bench_roster as
        select s.school_code, s.idx, y.academic_year::integer as academic_year,
            g.grade::integer as grade,
            'S' || (y.academic_year - g.grade) || '-' || n.n as student_ref
        from (select * from bench_schools where type_code in ('C1', 'D1')
              order by idx limit {SECONDARY_WITH_STUDENTS}) s
        cross join range(2021, 2026) y(academic_year)
        cross join range(1, 4) g(grade)
        cross join range(0, 130) n(n)
        where n.n < 80 + hash(s.idx, y.academic_year, g.grade) % 50
    """)
    con.execute("""
        insert into raw.roster
        select 300 + academic_year,
            (row_number() over (partition by academic_year order by idx, grade, student_ref))
                ::integer + 1,
            school_code, academic_year, student_ref, grade
        from bench_roster
    """)
    con.execute(
        """
        insert into raw.activities
        select 400 + r.academic_year,
            (row_number() over (partition by r.academic_year
                                order by r.idx, r.student_ref, k.k))::integer + 1,
            r.school_code, r.student_ref, r.grade,
            (?::varchar[])[
                (1 + hash(r.idx, r.student_ref, k.k, 'type') % len(?::varchar[]))::bigint
            ],
            make_date(r.academic_year, 4, 1)
                + to_days((hash(r.idx, r.student_ref, k.k, 'day') % 360)::integer),
            r.academic_year, 1.0 + hash(r.student_ref, k.k) % 4, null,
            -- prepared / reflected: yes for most, unknown for some (issue 16)
            case hash(r.student_ref, k.k, 'prep') % 10 when 0 then null when 1 then false
                else true end,
            case hash(r.student_ref, k.k, 'refl') % 10 when 0 then null when 1 then false
                else true end
        from bench_roster r
        cross join range(0, 3) k(k)
        where hash(r.idx, r.student_ref, k.k, 'happens') % 100 < 37
    """,
        [activity_types, activity_types],
    )
    con.execute("""
        insert into raw.ingest_log
        select file_id, 'bench' || file_id, 'bench_' || file_id || '.csv', null, null, 'bench',
            'loaded', 0, 0, 0, null, null, now()::timestamp, now()::timestamp, 'benchmark'
        from (select distinct file_id from raw.schools union select distinct file_id
              from raw.returns union select distinct file_id from raw.roster union
              select distinct file_id from raw.activities)
    """)
    return {
        table: con.execute(f"select count(*) from raw.{table}").fetchall()[0][0]
        for table in ("schools", "returns", "return_scores", "roster", "activities")
    }
