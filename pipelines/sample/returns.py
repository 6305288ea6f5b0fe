"""Synthetic benchmark self-assessments (returns): one row per school, year and term.

Each school has a latent maturity per benchmark that grows over the years (faster in hubs, and
backwards for a few schools). A benchmark is fully achieved (100) when the maturity is positive;
otherwise the score is below 100, usually a multiple of 5 or 10, as people fill in forms.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.framework import Framework

# How hard each benchmark is, by position in the framework (higher = fewer schools achieve it).
# Workplace experience (6th) and personal guidance (8th) are the hardest, as in England.
DIFFICULTY_BY_POSITION = {1: -0.7, 2: -0.25, 3: -0.05, 4: 0.15, 5: -0.15, 6: 0.85, 7: 0.2, 8: 0.8}
BASE_LEVEL = 0.15
GROWTH_NON_HUB, GROWTH_HUB_BONUS = 0.12, 0.30  # latent gain per year
DECLINING_SHARE = 0.12
TERM_SKIP_SHARE = 0.08
NOT_ASSESSED_SHARE = 0.03
CORRECTED_SHARE = 0.03

# When each term's return is sent: (month, first day, days of spread) per calendar and term.
_SUBMISSION_WINDOW = {
    (3, 1): (7, 1, 25),
    (3, 2): (12, 1, 24),
    (3, 3): (3, 1, 24),
    (2, 1): (9, 25, 20),
    (2, 2): (3, 1, 24),
}


def _window_dates(years: list[int]) -> dict[tuple[int, int, int], np.datetime64]:
    """First day of each submission window, by (academic year, terms per year, term)."""
    starts = {}
    for year in years:
        for (terms, term), (month, day, _spread) in _SUBMISSION_WINDOW.items():
            calendar_year = year + 1 if month < 4 else year  # Jan-Mar belong to the year before
            starts[(year, terms, term)] = np.datetime64(date(calendar_year, month, day), "D")
    return starts


def _score_from_latent(
    rng: np.random.Generator, latent: np.ndarray, rounding: np.ndarray
) -> np.ndarray:
    """100 when achieved; otherwise below 100, rounded down to the school's habit (5, 10 or 1)."""
    partial = np.clip(100.0 + 30.0 * latent, 0.0, 99.9) + rng.normal(0.0, 2.0, latent.shape)
    partial = np.clip(partial, 0.0, 99.9)
    rounded = np.floor(partial / rounding) * rounding
    return np.where(latent > 0.0, 100.0, rounded)


def build_returns(
    rng: np.random.Generator,
    registry: pl.DataFrame,
    years: list[int],
    framework: Framework,
    today: date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(returns, corrections): wide frames with one score column per benchmark id.

    `corrections` holds resubmissions: the same school, year, term and submission date as a row
    of `returns`, with corrected scores, to be sent in a later file.
    """
    n = registry.height
    ids = list(framework.ids)
    difficulty = np.array(
        [DIFFICULTY_BY_POSITION.get(b.position, 0.0) for b in framework.benchmarks]
    )
    is_hub = registry["hub_code"].is_not_null().to_numpy()
    terms_per_year = registry["terms_per_year"].to_numpy()

    level = BASE_LEVEL + rng.normal(0.0, 0.9, n)
    benchmark_offset = rng.normal(0.0, 0.45, (n, len(ids)))
    growth = GROWTH_NON_HUB + GROWTH_HUB_BONUS * is_hub + rng.normal(0.0, 0.1, n)
    declining = rng.random(n) < DECLINING_SHARE
    growth = np.where(declining, -rng.uniform(0.15, 0.4, n), growth)
    non_response = rng.beta(1.0, 12.0, n)  # a school's habit of missing a whole year
    rounding = rng.choice([5.0, 10.0, 1.0], size=n, p=[0.6, 0.25, 0.15])

    # One candidate row per school, year and term of its calendar.
    per_school_year = terms_per_year.repeat(len(years))
    school = np.arange(n).repeat(terms_per_year * len(years))
    year_idx = np.tile(np.arange(len(years)), n).repeat(per_school_year)
    term = np.concatenate([np.arange(1, k + 1) for k in per_school_year]) if n else np.array([])
    terms = terms_per_year[school]

    missed_year = rng.random((n, len(years))) < non_response[:, None]
    keep = ~missed_year[school, year_idx] & (rng.random(school.size) >= TERM_SKIP_SHARE)

    starts = _window_dates(years)
    window_start = np.array(
        [
            starts[(years[y], k, t)]
            for y, k, t in zip(year_idx.tolist(), terms.tolist(), term.tolist(), strict=True)
        ],
        dtype="datetime64[D]",
    )
    spread = np.array(
        [_SUBMISSION_WINDOW[(k, t)][2] for k, t in zip(terms.tolist(), term.tolist(), strict=True)]
    )
    submitted = window_start + (rng.random(school.size) * spread).astype("timedelta64[D]")
    keep &= submitted <= np.datetime64(today, "D")  # no return from the future

    # Later terms of a year show part of that year's progress; growth slows as schools mature.
    t = year_idx + 0.5 * (term / terms - 1.0)
    progress = np.where(
        growth[school] > 0, growth[school] * t / (1.0 + 0.12 * t), growth[school] * t
    )
    latent = (
        level[school, None]
        + benchmark_offset[school]
        + progress[:, None]
        - difficulty[None, :]
        + rng.normal(0.0, 0.35, (school.size, len(ids)))
    )
    scores = _score_from_latent(rng, latent, rounding[school, None])

    not_assessed = rng.random(scores.shape) < NOT_ASSESSED_SHARE
    not_assessed[not_assessed.all(axis=1), 0] = False  # a return assesses at least one benchmark
    scores = np.where(not_assessed, np.nan, scores)

    rows = np.flatnonzero(keep)
    returns = pl.DataFrame(
        {
            "school_code": registry["school_code"].gather(school[rows]),
            "prefecture_code": registry["prefecture_code"].gather(school[rows]),
            "terms_per_year": terms[rows],
            "academic_year": np.array(years)[year_idx[rows]],
            "term": term[rows],
            "submitted_on": submitted[rows],
            **{bid: scores[rows, j] for j, bid in enumerate(ids)},
        }
    ).with_columns(pl.col(ids).fill_nan(None))
    return returns, _corrections(rng, returns, ids)


def _corrections(rng: np.random.Generator, returns: pl.DataFrame, ids: list[str]) -> pl.DataFrame:
    """A few returns sent again with some scores corrected (by 5 or 10 points, or to 100)."""
    chosen = np.flatnonzero(rng.random(returns.height) < CORRECTED_SHARE)
    corrected = returns[chosen]
    scores = corrected.select(ids).to_numpy().astype(float)
    change = rng.random(scores.shape) < 0.3
    change[np.arange(len(chosen)), rng.integers(len(ids), size=len(chosen))] = True
    delta = rng.choice([-10.0, -5.0, 5.0, 10.0], size=scores.shape)
    fixed = np.clip(scores + delta, 0.0, 100.0)
    fixed = np.where(fixed >= 100.0, 100.0, fixed)
    # A changed score may not become "not assessed"; an unassessed one stays unassessed.
    scores = np.where(change & ~np.isnan(scores), fixed, scores)
    return corrected.with_columns(
        pl.Series(bid, scores[:, j]).fill_nan(None) for j, bid in enumerate(ids)
    )
