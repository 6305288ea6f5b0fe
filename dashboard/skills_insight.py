"""What a coordinator should read first on the skills page: the area's weakest skill against
the nation, compared year of schooling by year of schooling (so a hub of junior highs is not
judged against high-school steps). Plain functions over dashboard.queries.skills.area_skills."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Weakest:
    skill_id: str
    gap: float  # steps behind (negative) or ahead of the comparison, weighted by students
    year_of_schooling: int  # the year of schooling where the gap is largest
    year_gap: float


def gaps(rows: pl.DataFrame, assessor: str = "teacher") -> pl.DataFrame:
    """Per skill and year of schooling: the area's mean step, the comparison's, and the gap,
    where both are shown (not suppressed)."""
    by_year = rows.filter(
        pl.col("year_of_schooling").is_not_null()
        & (pl.col("assessor") == assessor)
        & pl.col("mean_step").is_not_null()
    )
    area = by_year.filter(pl.col("which") == "area")
    other = by_year.filter(pl.col("which") == "compare").select(
        "skill_id", "year_of_schooling", pl.col("mean_step").alias("compare_step")
    )
    return (
        area.join(other, on=["skill_id", "year_of_schooling"], how="inner")
        .with_columns((pl.col("mean_step") - pl.col("compare_step")).alias("gap"))
        .select(
            "skill_id",
            "year_of_schooling",
            "students_assessed",
            "mean_step",
            "compare_step",
            "gap",
        )
        .sort("skill_id", "year_of_schooling")
    )


def matched_gaps(rows: pl.DataFrame, assessor: str = "teacher") -> pl.DataFrame:
    """Per skill: nation_gap, the gap to the comparison over the years of schooling both show,
    weighted by the area's students (what the weakest skill is chosen on)."""
    found = gaps(rows, assessor)
    return found.group_by("skill_id").agg(
        (
            (pl.col("gap") * pl.col("students_assessed")).sum() / pl.col("students_assessed").sum()
        ).alias("nation_gap"),
    )


def weakest_skill(rows: pl.DataFrame, assessor: str = "teacher") -> Weakest | None:
    """The skill furthest behind the comparison (mean gap over years of schooling, weighted by
    the area's students); None when no year of schooling has figures on both sides."""
    found = gaps(rows, assessor)
    if found.is_empty():
        return None
    per_skill = (
        found.group_by("skill_id")
        .agg(
            (
                (pl.col("gap") * pl.col("students_assessed")).sum()
                / pl.col("students_assessed").sum()
            ).alias("gap"),
        )
        .sort("gap", "skill_id")
    )
    skill_id, gap = per_skill.row(0)
    worst = (
        found.filter(pl.col("skill_id") == skill_id)
        .sort("gap", "year_of_schooling")
        .row(0, named=True)
    )
    return Weakest(skill_id, gap, worst["year_of_schooling"], worst["gap"])
