"""The `skills` kind (エッセンシャルスキル評価): one row per student per assessment, one column
per skill of the skills framework (data contract, second edition).

Kept apart from the other kinds' code: `staging`, `validate` and `load` call the three functions
below for a skills file. A skill column is named `s<position>` in the staged frame (position in
the skills framework, see `headers.skill_columns`), as a return's benchmark columns are `b<p>`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

from pipelines.ingest import normalise as n
from pipelines.ingest.reading import ParsedFile
from pipelines.skills_framework import skills_framework

# `7`, `７` (already half-width), `Step 7`, `step7`, `ステップ7`, `ステップ７`, `7.0` (Excel).
_STEP = re.compile(r"^(?:step|ステップ)?\s*([+-]?[0-9]{1,6})(?:\.0+)?$")

# Assessor as written (NFKC, case-folded, spaces removed) -> teacher | self. Blank: teacher.
_ASSESSORS = {
    **dict.fromkeys(("教員", "教師", "先生", "teacher"), "teacher"),
    **dict.fromkeys(("本人", "自己評価", "自己", "生徒", "self", "student"), "self"),
}


@lru_cache(maxsize=1_000)
def step(value: str) -> int | None:
    """The step a cell gives, any number (the range is a rule of its own), or None."""
    m = _STEP.match(value.strip().casefold())
    return int(m.group(1)) if m else None


@lru_cache(maxsize=1_000)
def assessor(value: str) -> str | None:
    return _ASSESSORS.get("".join(value.casefold().split()))


_DATE = lru_cache(maxsize=20_000)(n.date)


def typed_columns(parsed: ParsedFile, mapped) -> list[pl.DataFrame]:
    """assessed_day, assessor_code, and per skill column p: skill_assessed<p> and step<p>.

    `mapped` is staging's parse-each-distinct-value-once helper."""
    frame = parsed.frame
    parts = [mapped(frame["f_assessed_on"], _DATE, {"assessed_day": pl.Date})]
    if "f_assessor" in frame.columns:
        code = mapped(frame["f_assessor"], assessor, {"assessor_code": pl.String})
        parts.append(
            code.with_columns(
                pl.when(frame["f_assessor"].is_null())
                .then(pl.lit("teacher"))
                .otherwise(pl.col("assessor_code"))
                .alias("assessor_code")
            )
        )
    else:
        parts.append(pl.DataFrame({"assessor_code": ["teacher"] * frame.height}))
    for p in parsed.header.skills:
        raw = frame[f"s{p}"]
        assessed = raw.is_not_null() & ~raw.is_in(list(n.NOT_ASSESSED))
        parts.append(assessed.alias(f"skill_assessed{p}").to_frame())
        parts.append(mapped(raw, step, {f"step{p}": pl.Int64}))
    return parts


def rules(parsed: ParsedFile, present: set[str], today, rule, required, date_rules, grade_rules):
    """The rules of a skills row (validate passes its Rule class and shared rule builders)."""
    found = required(["f_student_ref", "f_grade", "f_assessed_on"], present)
    found += grade_rules()
    found += date_rules("f_assessed_on", "assessed_day", today)
    if "f_assessor" in present:
        found.append(
            rule(
                "assessor_unknown", "f_assessor", "f_assessor is not null and assessor_code is null"
            )
        )
    framework = skills_framework()
    for p in sorted(parsed.header.skills):
        skill = framework.skills[p - 1]
        column = f"s{p}"
        found += [
            rule("step_invalid", column, f"skill_assessed{p} and step{p} is null"),
            rule(
                "step_out_of_range",
                column,
                f"step{p} < 0 or step{p} > {skill.max_step}",
                (("max", str(skill.max_step)),),
            ),
        ]
    unassessed = " and ".join(f"not skill_assessed{p}" for p in parsed.header.skills)
    found.append(rule("no_skill_assessed", None, unassessed))
    return found


def insert_sql(parsed: ParsedFile, file_id: int, good: str) -> list[str]:
    """raw.skill_assessments (one row per good row) and raw.skill_steps (one per skill given)."""
    framework = skills_framework()
    # Unnested in skill-id order, each row's steps come out in (row_number, skill_id) order, as
    # the table keeps them, without sorting millions of steps (rows come in row order).
    by_id = sorted((framework.skills[p - 1].id, p) for p in parsed.header.skills)
    ids = [skill_id for skill_id, _ in by_id]
    steps = ", ".join(f"step{p}" for _, p in by_id)
    long_steps = f"select row_number, unnest({ids}) as skill_id, unnest([{steps}]) as step {good}"
    year = "year(assessed_day) - case when month(assessed_day) < 4 then 1 else 0 end"
    return [
        f"insert into raw.skill_assessments select {file_id}, row_number, code, f_student_ref, "
        f"grade_n, assessed_day, {year}, assessor_code, {n.sql_str(framework.version)} {good}",
        f"insert into raw.skill_steps select {file_id}, row_number, skill_id, step "
        f"from ({long_steps}) where step is not null",
    ]
