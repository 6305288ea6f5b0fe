"""Synthetic criteria answers (観点別自己評価): a pilot group of schools answers by criteria.

In the latest year, a few schools send, a week after their last return of the year, the same
self-assessment answered criterion by criterion: a benchmark they scored 100 has every criterion
met; a lower score has some criteria unmet; a benchmark they did not assess leaves its last
criterion unanswered (so it stays not assessed). Being later in the same term, the criteria
return becomes the school's effective return.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from pipelines.framework import Framework

CRITERIA_SHARE = 0.05  # of schools with a return in the latest year
MIN_CRITERIA_SCHOOLS = 6
DAYS_AFTER_RETURN = 7

_JA_WORDS = {
    "yes_no": (("はい", "いいえ"), ("○", "×")),
    "progress": (("達成", "取組中", "未着手"),),
}
_EN_WORDS = {
    "yes_no": (("yes", "no"),),
    "progress": (("achieved", "in progress", "not started"),),
}


def _answer(rng: np.random.Generator, kind: str, score: float, met: bool) -> tuple[str, float]:
    """(level, share): the criterion's level 'met' / 'partly' / 'not', and a share 0-100."""
    if met:
        return "met", 100.0
    if kind == "share":
        return "share", float(np.clip(round(score + rng.normal(0, 12)), 0, 99))
    draw = rng.random()
    if draw < score / 100:
        return "met", 100.0
    if kind == "progress" and draw < (1 + score / 100) / 2:
        return "partly", 50.0
    return "not", 0.0


def build_criteria_returns(
    rng: np.random.Generator,
    returns: pl.DataFrame,
    framework: Framework,
    latest_year: int,
    today: date,
) -> pl.DataFrame:
    """One row per criterion answered: school_code, prefecture_code, terms_per_year,
    academic_year, term, submitted_on, criterion_id, kind, level (met/partly/not/share), share."""
    if not framework.criteria:
        return pl.DataFrame()
    latest = (
        returns.filter(pl.col("academic_year") == latest_year)
        .sort("school_code", "term", "submitted_on")
        .group_by("school_code", maintain_order=True)
        .last()
        .filter(pl.col("submitted_on") + timedelta(days=DAYS_AFTER_RETURN) <= today)
    )
    count = min(latest.height, max(MIN_CRITERIA_SCHOOLS, round(CRITERIA_SHARE * latest.height)))
    chosen = latest[np.sort(rng.choice(latest.height, size=count, replace=False))]
    rows = []
    for school in chosen.iter_rows(named=True):
        for benchmark in framework.benchmarks:
            score = school[benchmark.id]
            criteria = benchmark.criteria
            answered = criteria if score is not None else criteria[:-1]
            levels = [_answer(rng, c.kind, score or 0.0, score == 100) for c in answered]
            if score is not None and score < 100 and all(lv == "met" for lv, _ in levels):
                levels[0] = ("not", 0.0) if criteria[0].kind != "share" else ("share", 90.0)
            for criterion, (level, share) in zip(answered, levels, strict=True):
                rows.append(
                    {
                        "school_code": school["school_code"],
                        "prefecture_code": school["prefecture_code"],
                        "terms_per_year": school["terms_per_year"],
                        "academic_year": latest_year,
                        "term": school["term"],
                        "submitted_on": school["submitted_on"] + timedelta(days=DAYS_AFTER_RETURN),
                        "criterion_id": criterion.id,
                        "kind": criterion.kind,
                        "level": level,
                        "share": share,
                    }
                )
    return pl.DataFrame(rows)


def spell_answer(kind: str, level: str, share: float, *, japanese: bool, variant: int) -> str:
    """An answer as a person writes it: はい/○, 達成/取組中/未着手, 85 or 85% (or English)."""
    if kind == "share" or level == "share":
        whole = str(int(share))
        return whole + "%" if variant % 2 else whole
    words = (_JA_WORDS if japanese else _EN_WORDS)[kind]
    spelling = words[variant % len(words)]
    index = {"met": 0, "partly": 1, "not": len(spelling) - 1}[level]
    return spelling[index]
