"""Synthetic rosters and career activity records for the schools that send student-level data.

Students enter a school in cohorts and move up a grade each year. Each year a student may take part
in each kind of activity with a probability that depends on the stage (elementary, junior high,
high school), the year within the stage (workplace experience in junior high year 2, guidance
interviews in the final year) and the school's own engagement. Built in numpy arrays: the
benchmark asks for millions of rows.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.framework import Framework
from pipelines.reference import activity_types, prefectures, school_types

# Grade -> stage for each secondary school type (C2 runs elementary and junior high years, etc.).
_STAGES = {
    "B1": ["elem"] * 6,  # feeder elementary schools (pipelines/sample/links.py)
    "C1": ["jh"] * 3,
    "D1": ["hs"] * 3,
    "C2": ["elem"] * 6 + ["jh"] * 3,
    "D2": ["jh"] * 3 + ["hs"] * 3,
    "E1": ["elem"] * 6 + ["jh"] * 3 + ["hs"] * 3,
}
# Share of students reached in a year by stage and year within the stage (before engagement).
_REACH = {
    "career_information": {"elem": [0.1] * 6, "jh": [0.2, 0.2, 0.25], "hs": [0.2, 0.2, 0.25]},
    "curriculum_link": {"elem": [0.12] * 6, "jh": [0.15, 0.15, 0.15], "hs": [0.12, 0.12, 0.1]},
    "employer_encounter": {
        "elem": [0.05, 0.05, 0.1, 0.15, 0.2, 0.25],
        "jh": [0.75, 0.8, 0.7],
        "hs": [0.7, 0.8, 0.7],
    },
    "workplace_experience": {"elem": [0.0] * 6, "jh": [0.04, 0.85, 0.04], "hs": [0.1, 0.35, 0.08]},
    "education_encounter": {
        "elem": [0.0] * 5 + [0.05],
        "jh": [0.1, 0.2, 0.75],
        "hs": [0.25, 0.65, 0.45],
    },
    "guidance_interview": {
        "elem": [0.0] * 5 + [0.03],
        "jh": [0.05, 0.1, 0.85],
        "hs": [0.1, 0.15, 0.85],
    },
}
_REACH_FALLBACK = 0.15  # an activity type added to the reference data later
# Days after 1 April when each kind happens: school-wide event days, a block of days, or spread.
_EVENT_TYPES = ("employer_encounter", "education_encounter")
_BLOCK_TYPES = ("workplace_experience",)
_HOURS = {
    "career_information": [1.0, 1.0, 2.0],
    "curriculum_link": [1.0, 1.0, 1.5],
    "employer_encounter": [1.0, 1.5, 2.0],
    "education_encounter": [2.0, 3.0, 4.0],
    "guidance_interview": [0.5, 0.5, 1.0],
}
WEAK_COVERAGE_SHARE = 0.3  # schools that reach under half their students on coverage benchmarks
_AUGUST = (122, 152)  # days after 1 April: summer holidays, no school activities

_INDUSTRIES = (
    "製作所 精機 商事 建設 食品 運輸 電機 印刷 工業 ホテル デザイン 農園 情報システム".split()
)
_EMPLOYER_FORMS = ("㈱{core}", "株式会社{core}", "{core}株式会社", "(有){core}", "{core}")


def _provider_pools(rng: np.random.Generator) -> dict[str, list[list[str]]]:
    """Per prefecture (in reference order): employers, colleges and guidance providers."""
    employers, colleges, guidance = [], [], []
    for pref in prefectures():
        s = pref.short_ja
        names = [
            _EMPLOYER_FORMS[int(rng.integers(len(_EMPLOYER_FORMS)))].format(
                core=f"{s}{_INDUSTRIES[int(rng.integers(len(_INDUSTRIES)))]}"
            )
            for _ in range(16)
        ]
        names += [
            f"{s}中央病院",
            f"{s}信用金庫",
            f"{s}消防署",
            "ひまわり保育園",
            f"{s}市役所",
            "髙橋工務店",
        ]
        employers.append(sorted(set(names)))
        colleges.append(
            [
                f"{s}大学",
                f"{pref.name_ja}立大学",
                f"{s}工業高等専門学校",
                f"{s}看護専門学校",
                f"{s}情報ビジネス専門学校",
                f"{s}短期大学",
            ]
        )
        guidance.append(
            ["スクールカウンセラー", f"ハローワーク{s}", "キャリアコンサルタント(外部)"]
        )
    return {"employer": employers, "college": colleges, "guidance": guidance}


def _reach_table(type_code: str, activity: str) -> np.ndarray:
    """Reach by grade (index 0 = grade 1) for one school type and activity type."""
    stages = _STAGES[type_code]
    by_stage = _REACH.get(activity)
    out = np.zeros(12)
    for g, stage in enumerate(stages):
        year_in_stage = g - stages.index(stage)
        out[g] = by_stage[stage][year_in_stage] if by_stage else _REACH_FALLBACK
    return out


def _student_years(rng: np.random.Generator, schools: pl.DataFrame, years: list[int]):
    """One row per student on roll per year: (school index, year index, grade, student number)."""
    n, k = schools.height, len(years)
    max_grade = np.array([school_types()[t].max_grade for t in schools["type_code"]])
    per_grade = schools["enrolment"].to_numpy() / max_grade
    # Cohort sizes by entry year (years[0] - 11 ... years[-1]); a cohort keeps its size.
    cohort = np.maximum(1, np.round(per_grade[:, None] * rng.uniform(0.85, 1.15, (n, k + 11))))
    # Year-major order, so that each year's rows of a prefecture are one contiguous slice.
    y, s, g = np.meshgrid(np.arange(k), np.arange(n), np.arange(1, 13), indexing="ij")
    s, y, g = s.ravel(), y.ravel(), g.ravel()
    on_roll = g <= max_grade[s]
    s, y, g = s[on_roll], y[on_roll], g[on_roll]
    entry_idx = y - g + 12 - 1  # column of the cohort's entry year in `cohort`
    size = cohort[s, entry_idx].astype(np.int64)
    rows_s, rows_y, rows_g = s.repeat(size), y.repeat(size), g.repeat(size)
    starts = np.cumsum(size) - size
    within = np.arange(size.sum()) - starts.repeat(size)
    entry_year = np.array(years)[rows_y] - rows_g + 1
    # Pseudonymous and stable over the years: entry year (2 digits) then number in cohort.
    student_no = (entry_year % 100) * 10000 + within + 1
    return rows_s, rows_y, rows_g, student_no


def _shift_weekend(days: np.ndarray) -> np.ndarray:
    """Move Saturday back to Friday and Sunday on to Monday (days since 1970-01-01)."""
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return days - (weekday == 5) + (weekday == 6)


def _skip_august(offset: np.ndarray) -> np.ndarray:
    in_august = (offset >= _AUGUST[0]) & (offset <= _AUGUST[1])
    return np.where(in_august, offset + (_AUGUST[1] - _AUGUST[0] + 1), offset)


def build_students(
    rng: np.random.Generator,
    schools: pl.DataFrame,
    years: list[int],
    framework: Framework,
    today: date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(roster, activities) for `schools` (secondary schools sending student-level data).

    Both come ordered by year, then school in the order given, so a caller that passes schools
    grouped by prefecture can cut each (year, prefecture) file as one slice.
    """
    n, k = schools.height, len(years)
    if n == 0:
        return _empty_roster(), _empty_activities()
    s, y, g, student_no = _student_years(rng, schools, years)
    coverage_types = {
        a for b in framework.benchmarks if b.coverage_benchmark for a in b.activity_types
    }
    engagement = rng.uniform(0.55, 0.95, n)
    weak = np.where(rng.random(n) < WEAK_COVERAGE_SHARE, rng.uniform(0.3, 0.55, n), 1.0)
    year_factor = 1.0 + 0.04 * np.arange(k)
    year_start = np.array([np.datetime64(date(yr, 4, 1), "D").astype(np.int64) for yr in years])
    last_day = np.datetime64(today, "D").astype(np.int64)
    pools = _provider_pools(rng)
    pool_kinds = ["employer", "college", "guidance"]
    pool_names = [name for kind in pool_kinds for pref_pool in pools[kind] for name in pref_pool]
    pool_start = {}
    offset = 0
    for kind in pool_kinds:
        for p, pref_pool in enumerate(pools[kind]):
            pool_start[(kind, p)] = (offset, len(pref_pool))
            offset += len(pref_pool)
    pref_index = {p.code: i for i, p in enumerate(prefectures())}
    school_pref = np.array([pref_index[c] for c in schools["prefecture_code"]])
    type_codes = schools["type_code"].to_list()

    parts = []
    for type_idx, activity in enumerate(activity_types()):
        by_type = {t: _reach_table(t, activity) for t in set(type_codes)}
        reach = np.stack([by_type[t] for t in type_codes])  # (n, 12): reach by school and grade
        p = reach[s, g - 1] * engagement[s] * year_factor[y]
        if activity in coverage_types:
            p = p * weak[s]
        chosen = np.flatnonzero(rng.random(s.size) < np.minimum(p, 0.97))
        cs, cy = s[chosen], y[chosen]
        m = chosen.size
        if activity in _EVENT_TYPES:  # three school-wide days a year; each student goes to one
            events = rng.integers(10, 345, (n, k, 3))
            day = events[cs, cy, rng.integers(3, size=m)]
        elif activity in _BLOCK_TYPES:  # one block of 1-5 days between June and November
            block_start = rng.integers(61, 240, (n, k))
            block_days = rng.choice([1, 2, 3, 5], size=(n, k), p=[0.3, 0.35, 0.25, 0.1])
            day = block_start[cs, cy]
        elif activity == "guidance_interview":
            day = rng.integers(150, 330, m)  # September to February
        else:
            day = rng.integers(10, 350, m)
        days = _shift_weekend(year_start[cy] + _skip_august(day))
        if activity in _BLOCK_TYPES:
            hours = 6.0 * block_days[cs, cy]
        else:
            hours = rng.choice(_HOURS.get(activity, [1.0]), size=m)
        provider = np.full(m, -1, dtype=np.int64)
        kind = {
            "employer_encounter": "employer",
            "workplace_experience": "employer",
            "education_encounter": "college",
            "guidance_interview": "guidance",
        }.get(activity)
        if kind:
            starts = np.array([pool_start[(kind, p)][0] for p in range(len(prefectures()))])
            sizes = np.array([pool_start[(kind, p)][1] for p in range(len(prefectures()))])
            pref = school_pref[cs]
            provider = starts[pref] + (rng.random(m) * sizes[pref]).astype(np.int64)
        keep = days <= last_day  # no activity from the future
        parts.append(
            (
                cs[keep],
                cy[keep],
                g[chosen][keep],
                student_no[chosen][keep],
                np.full(int(keep.sum()), type_idx),
                days[keep],
                hours[keep],
                provider[keep],
            )
        )

    a_s, a_y, a_g, a_no, a_type, a_day, a_hours, a_provider = (
        np.concatenate(column) for column in zip(*parts, strict=True)
    )
    # One int64 key (year, school, day, student, type) sorts faster than a lexsort of five.
    day_in_year = a_day - year_start[a_y]
    key = (a_y * n + a_s) * 400 + day_in_year
    order = np.argsort((key * 1_000_000 + a_no) * 8 + a_type)
    codes = schools["school_code"]
    prefs = schools["prefecture_code"]
    provider_idx = pl.Series(a_provider[order]).replace(-1, None)
    activities = pl.DataFrame(
        {
            "school_code": codes.gather(a_s[order]),
            "prefecture_code": prefs.gather(a_s[order]),
            "academic_year": np.array(years)[a_y[order]],
            "student_ref": _student_refs(a_no[order]),
            "grade": a_g[order],
            "activity_type": pl.Series(list(activity_types())).gather(a_type[order]),
            "activity_date": a_day[order].astype("datetime64[D]"),
            "hours": a_hours[order],
            "provider": pl.Series(pool_names).gather(provider_idx),
        }
    )
    roster = pl.DataFrame(
        {
            "school_code": codes.gather(s),
            "prefecture_code": prefs.gather(s),
            "academic_year": np.array(years)[y],
            "student_ref": _student_refs(student_no),
            "grade": g,
        }
    )
    return roster, activities


def _student_refs(numbers: np.ndarray) -> pl.Series:
    """ "S" and six digits; formatted once per distinct number, then gathered."""
    lookup = pl.Series(np.arange(int(numbers.max(initial=0)) + 1)).cast(pl.String)
    return ("S" + lookup.str.zfill(6)).gather(numbers)


def _empty_roster() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "school_code": pl.String,
            "prefecture_code": pl.String,
            "academic_year": pl.Int64,
            "student_ref": pl.String,
            "grade": pl.Int64,
        }
    )


def _empty_activities() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "school_code": pl.String,
            "prefecture_code": pl.String,
            "academic_year": pl.Int64,
            "student_ref": pl.String,
            "grade": pl.Int64,
            "activity_type": pl.String,
            "activity_date": pl.Date,
            "hours": pl.Float64,
            "provider": pl.String,
        }
    )
