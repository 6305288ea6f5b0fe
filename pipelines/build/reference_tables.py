"""Load the reference data, the framework(s) and the build settings into schema `ref`.

Run at the start of every build, inside the build's transaction, so that SQL models read codes,
names, benchmarks and thresholds from tables instead of hard-coding them. A replaced framework
file therefore changes `ref.benchmarks` on the next build with no change to the SQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb

from pipelines import reference, schooling
from pipelines.i18n import catalogue
from pipelines.settings import frameworks, settings
from pipelines.skills_framework import skills_framework
from pipelines.vocabulary import SEVERITY_RANKS

# Message keys the SQL models fill in (support-flag sentences, suppression notes).
SQL_MESSAGE_PREFIXES = ("build.flag_", "build.suppression_")

_TABLES: dict[str, str] = {
    "regions": "region_code varchar primary key, position integer, name_ja varchar, "
    "name_en varchar",
    "prefectures": "prefecture_code varchar primary key, name_ja varchar, short_ja varchar, "
    "name_en varchar, region_code varchar, grid_row integer, grid_col integer",
    "school_types": "type_code varchar primary key, name_ja varchar, name_en varchar, "
    "min_grade integer, max_grade integer, secondary boolean",
    # Year of schooling = grade + offset (pipelines/schooling.py holds the only copy).
    "schooling_offsets": "type_code varchar primary key, schooling_offset integer",
    "establishments": "establishment_code varchar primary key, name_ja varchar, "
    "short_ja varchar, name_en varchar",
    "activity_types": "activity_type varchar primary key, name_ja varchar, name_en varchar",
    "benchmarks": "framework_version varchar, benchmark_id varchar, position integer, "
    "name_ja varchar, name_en varchar, description_ja varchar, description_en varchar, "
    "coverage_benchmark boolean, is_default boolean, benchmarks_in_framework integer, "
    "primary key (framework_version, benchmark_id)",
    # The criteria of each framework version (empty for a framework without criteria).
    "criteria": "framework_version varchar, criterion_id varchar, benchmark_id varchar, "
    "position integer, position_in_benchmark integer, kind varchar, text_ja varchar, "
    "text_en varchar, help_ja varchar, help_en varchar, criteria_in_benchmark integer, "
    "primary key (framework_version, criterion_id)",
    "benchmark_activity_types": "framework_version varchar, benchmark_id varchar, "
    "activity_type varchar",
    "messages": "key varchar primary key, ja varchar, en varchar",
    # The skills framework in force (pipelines/skills_framework.py) and its step bands.
    "skills": "framework_version varchar, skill_id varchar primary key, position integer, "
    "name_ja varchar, name_en varchar, max_step integer, provisional_ja boolean, "
    "note_ja varchar, note_en varchar",
    "skill_bands": "skill_id varchar, from_step integer, to_step integer, "
    "description_ja varchar, description_en varchar, primary key (skill_id, from_step)",
    "severities": "severity varchar primary key, severity_rank integer",
    # What differs in every build: only models without an `-- Incremental:` header may read it
    # (pipelines/build/incremental.py rebuilds them in every build).
    "build_version": "version varchar, built_at timestamp",
    # The "now" of the stale-data flag. A new date is not a full build: only rows of the latest
    # academic year in the data may depend on it (pipelines/build/incremental.py, NEW_DAY).
    "build_date": "build_date date",
    "build_params": "default_framework_version varchar, "
    "min_schools integer, min_students integer, below_hub_mean_benchmarks double, "
    "fall_benchmarks_achieved integer, fall_mean_score_points double, "
    "coverage_below_pct double, stale_after_days integer",
}


def _rows(version: str, build_date: date, built_at: datetime) -> dict[str, list[tuple]]:
    fws = frameworks()
    config = settings()
    flags, suppression = config["support_flags"], config["suppression"]
    return {
        "regions": [
            (r.code, i, r.name_ja, r.name_en) for i, r in enumerate(reference.regions(), 1)
        ],
        "prefectures": [
            (p.code, p.name_ja, p.short_ja, p.name_en, p.region_code, p.grid_row, p.grid_col)
            for p in reference.prefectures()
        ],
        "school_types": [
            (s.code, s.name_ja, s.name_en, s.min_grade, s.max_grade, s.secondary)
            for s in reference.school_types().values()
        ],
        "schooling_offsets": list(schooling.OFFSETS.items()),
        "establishments": [
            (e.code, e.name_ja, e.short_ja, e.name_en) for e in reference.establishments().values()
        ],
        "activity_types": [
            (a.code, a.name_ja, a.name_en) for a in reference.activity_types().values()
        ],
        "benchmarks": [
            (
                fw.version,
                b.id,
                b.position,
                b.name_ja,
                b.name_en,
                b.description_ja,
                b.description_en,
                b.coverage_benchmark,
                i == 0,
                len(fw.benchmarks),
            )
            for i, fw in enumerate(fws)
            for b in fw.benchmarks
        ],
        "criteria": [
            (
                fw.version,
                c.id,
                b.id,
                position,
                c.position,
                c.kind,
                c.text_ja,
                c.text_en,
                c.help_ja,
                c.help_en,
                len(b.criteria),
            )
            for fw in fws
            for position, (b, c) in enumerate(
                ((b, c) for b in fw.benchmarks for c in b.criteria), start=1
            )
        ],
        "benchmark_activity_types": [
            (fw.version, b.id, activity)
            for fw in fws
            for b in fw.benchmarks
            for activity in b.activity_types
        ],
        **_skill_rows(),
        "severities": list(SEVERITY_RANKS.items()),
        "messages": [
            (key.removeprefix("build."), texts["ja"], texts["en"])
            for key, texts in catalogue().items()
            if key.startswith(SQL_MESSAGE_PREFIXES)
        ],
        "build_version": [(version, built_at)],
        "build_date": [(build_date,)],
        "build_params": [
            (
                fws[0].version,
                int(suppression["min_schools"]),
                int(suppression["min_students"]),
                float(flags["below_hub_mean_benchmarks"]),
                int(flags["fall_benchmarks_achieved"]),
                float(flags["fall_mean_score_points"]),
                float(flags["coverage_below_pct"]),
                int(flags["stale_after_days"]),
            )
        ],
    }


def _skill_rows() -> dict[str, list[tuple]]:
    fw = skills_framework()
    return {
        "skills": [
            (
                fw.version,
                s.id,
                s.position,
                s.name_ja,
                s.name_en,
                s.max_step,
                fw.provisional_ja,
                fw.note("ja"),
                fw.note("en"),
            )
            for s in fw.skills
        ],
        "skill_bands": [
            (s.id, b.from_step, b.to_step, b.description_ja, b.description_en)
            for s in fw.skills
            for b in s.bands
        ],
    }


def reference_fingerprint() -> str:
    """Every reference row a build loads, except this build's version and dates (a change here
    makes the next build a full one: pipelines.build.incremental)."""
    fixed = datetime(2000, 1, 1)
    rows = _rows("", fixed.date(), fixed)
    # Every setting, not only those loaded here: a changed setting always means a full build.
    return repr(sorted(rows.items())) + repr(sorted(settings().items()))


def load_reference_tables(
    con: duckdb.DuckDBPyConnection,
    *,
    version: str = "",
    build_date: date | None = None,
    built_at: datetime | None = None,
) -> None:
    """(Re)create every `ref.*` table.

    `version` is the snapshot version this build will publish (shown in marts.build_info);
    `build_date` (default today, UTC) is the "now" of the stale-data support flag.
    """
    built_at = built_at or datetime.now(UTC).replace(tzinfo=None)
    build_date = build_date or built_at.date()
    con.execute("create schema if not exists ref")
    for table, rows in _rows(version, build_date, built_at).items():
        con.execute(f"create or replace table ref.{table} ({_TABLES[table]})")
        if rows:
            marks = ", ".join("?" for _ in rows[0])
            con.executemany(f"insert into ref.{table} values ({marks})", rows)
