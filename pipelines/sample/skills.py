"""Sample essential-skills assessments for the students the sample already has on roll.

Steps rise with the year of schooling (about one step a year from 小1) and through the year
(the second assessment, in the third term, is a little higher); each school and student has a
level of its own; some skills are harder than others; a student's own assessment runs a little
above the teacher's. Every rostered student is assessed by a teacher; some only once in the
year, and about half also assess themselves. Only the latest SKILL_YEARS years are assessed
(the framework is new).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.reference import prefecture_by_code
from pipelines.sample import dress as d
from pipelines.schooling import OFFSETS
from pipelines.skills_framework import SkillsFramework

SKILL_YEARS = 1
ONCE_SHARE = 0.2  # assessed by the teacher in one term only
SELF_SHARE = 0.5  # also assess themselves
SELF_ABOVE = 0.8  # steps: a self-assessment's lean above the teacher's
WITHIN_YEAR_GAIN = 0.9  # steps from the first assessment (June) to the second (February)
# Steps by skill position: harder skills (leadership, aiming high) sit lower.
HUB_WEAKNESS = -1.5  # steps: the skill a hub lags on
SKILL_EASE = {1: 0.6, 2: 0.2, 3: -0.3, 4: 0.0, 5: 0.3, 6: -0.6, 7: -1.2, 8: 0.7}


def build_skills(
    rng: np.random.Generator,
    roster: pl.DataFrame,
    framework: SkillsFramework,
    today: date,
    hubs: dict[str, str] | None = None,
) -> pl.DataFrame:
    """One row per student, date and assessor: school_code, prefecture_code, academic_year,
    student_ref, grade, assessed_on, assessor, and one column per skill id (a step, or null).

    `hubs` (school code -> hub code): each hub lags on one skill of its own (HUB_WEAKNESS steps),
    so a coordinator has a weakest skill to find."""
    years = sorted(roster["academic_year"].unique().to_list())[-SKILL_YEARS:]
    students = roster.filter(pl.col("academic_year").is_in(years))
    n = students.height
    ids = framework.ids
    if n == 0:
        return _empty(ids)
    offsets = students["school_code"].str.slice(0, 2).replace_strict(OFFSETS, default=0)
    schooling = (students["grade"] + offsets).to_numpy().astype(float)
    schools = students["school_code"].to_numpy()
    unique_schools, school_index = np.unique(schools, return_inverse=True)
    school_level = rng.normal(0.0, 0.8, len(unique_schools))[school_index]
    student_level = rng.normal(0.0, 1.2, n)
    base = 0.5 + 0.85 * schooling + school_level + student_level
    hub_of = hubs or {}
    hub_names = sorted(set(hub_of.values()))
    weak_skill = dict(zip(hub_names, rng.integers(1, len(ids) + 1, len(hub_names)), strict=True))
    student_weak = np.array([weak_skill.get(hub_of.get(c), 0) for c in schools])
    once = rng.random(n) < ONCE_SHARE
    with_self = rng.random(n) < SELF_SHARE

    frames = []
    plans = (("teacher", 0, 6, 15, np.ones(n, bool)), ("teacher", 1, 2, 10, ~once))
    plans += (("self", 0, 6, 20, with_self), ("self", 1, 2, 14, with_self & ~once))
    for assessor, second, month, day, chosen in plans:
        year = students["academic_year"].to_numpy() + (1 if month < 4 else 0)
        days = [date(int(y), month, day) for y in year]
        keep = chosen & np.array([d <= today for d in days])
        if not keep.any():
            continue
        level = base + second * WITHIN_YEAR_GAIN + (SELF_ABOVE if assessor == "self" else 0.0)
        steps = {}
        for skill in framework.skills:
            noise = rng.normal(0.0, 1.0, n)
            lag = np.where(student_weak == skill.position, HUB_WEAKNESS, 0.0)
            value = np.rint(level + SKILL_EASE.get(skill.position, 0.0) + lag + noise)
            steps[skill.id] = np.clip(value, 0, skill.max_step).astype(np.int64)
        frame = students.with_columns(
            pl.Series("assessed_on", days, pl.Date),
            pl.lit(assessor).alias("assessor"),
            *[pl.Series(k, v) for k, v in steps.items()],
        ).filter(pl.Series(keep))
        frames.append(frame)
    skills = pl.concat(frames) if frames else _empty(ids)
    # A few assessments leave a skill blank (not assessed that day).
    blank = rng.random((skills.height, len(ids))) < 0.03
    skills = skills.with_columns(
        pl.when(pl.Series(blank[:, i])).then(None).otherwise(pl.col(k)).alias(k)
        for i, k in enumerate(ids)
    )
    return skills.select(
        "school_code",
        "prefecture_code",
        "academic_year",
        "student_ref",
        "grade",
        "assessed_on",
        "assessor",
        *ids,
    ).sort("academic_year", "prefecture_code", "school_code", "assessed_on", "student_ref")


def _empty(ids: tuple[str, ...]) -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "school_code": pl.String,
            "prefecture_code": pl.String,
            "academic_year": pl.Int64,
            "student_ref": pl.String,
            "grade": pl.Int64,
            "assessed_on": pl.Date,
            "assessor": pl.String,
            **dict.fromkeys(ids, pl.Int64),
        }
    )


def _spell_step(step: pl.Expr, style, xlsx_numbers: bool) -> pl.Expr:
    """7, ７, ステップ7, ステップ７ or Step 7, as a file of this style writes a step."""
    if xlsx_numbers:
        return step
    text = step.cast(pl.String)
    if style.japanese:
        if style.fullwidth_numbers:
            text = d.fullwidth(text)
        if style.benchmark_header in ("ordinal", "fullwidth_id"):
            text = "ステップ" + text
        return text
    return ("Step " + text) if style.framework_column else text


def _spell_assessor(assessor: pl.Expr, style) -> pl.Expr:
    if not style.japanese:
        return assessor
    teacher = pl.lit(None, pl.String) if style.note_column else pl.lit("教員")
    self_word = "自己評価" if style.activity_label else "本人"
    return pl.when(assessor == "teacher").then(teacher).otherwise(pl.lit(self_word))


def skill_headers(framework: SkillsFramework, style) -> dict[str, str]:
    """Japanese files name skills in Japanese; English ones by id or English name."""
    if style.japanese:
        return {s.id: s.name_ja for s in framework.skills}
    return {s.id: s.name_en if style.framework_column else s.id for s in framework.skills}


def write_skills(writer, skills: pl.DataFrame, framework: SkillsFramework, folder: str) -> None:
    """One file per year and prefecture, in the sample's dresses (`writer`: generate's
    _SampleWriter)."""
    from pipelines.sample.generate import _contiguous_groups, _year_label

    ids = list(framework.ids)
    groups = _contiguous_groups(skills, ["academic_year", "prefecture_code"])
    for ((year, pref_code), part), dress in zip(groups, writer._dresses(len(groups)), strict=True):
        dress, style = writer._dress_and_style("skills", dress, part.height, len(ids) + 5)
        xlsx_numbers = dress == d.XLSX_TITLE_JA and not style.fullwidth_numbers
        grade = d.spell_number(pl.col("grade"), style)
        frame = part.select(
            pl.col("school_code"),
            pl.col("student_ref"),
            grade.alias("grade"),
            d.spell_date(pl.col("assessed_on"), style).alias("assessed_on"),
            _spell_assessor(pl.col("assessor"), style).alias("assessor"),
            *[_spell_step(pl.col(k), style, xlsx_numbers).alias(k) for k in ids],
        )
        pref = prefecture_by_code()[pref_code]
        name = f"{folder}/{year}/skills_{year}_{pref.code}_{pref.name_en.lower()}"
        title = [
            f"{_year_label(year)} エッセンシャルスキル評価({pref.name_ja})",
            "※ ステップ0〜15。評価者: 教員 / 本人。空欄は未評価。",
        ]
        headers = {"assessed_on": "評価日", "assessor": "評価者"} if style.japanese else {}
        headers.update(skill_headers(framework, style))
        writer._write(frame, name, "skills", dress, style, title, headers)
