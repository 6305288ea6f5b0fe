"""The synthetic school registry: which schools exist, where, and in which hub.

Schools are spread over the 47 prefectures by a population weight (population**0.8, so rural
prefectures keep more schools per person) and over the school types in proportion to the national
counts of 学校基本調査 2025. Everything is drawn from the generator passed in, so one seed gives one
Japan.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.codes import make_school_code, municipality_code_with_check
from pipelines.reference import prefectures, regions, school_types

SAMPLE_TYPES = ("B1", "C1", "C2", "D1", "D2", "E1")

# Shares of national (国立) and private (私立) schools per type; the rest are public (公立).
# Rounded from 学校基本調査 2025: private high schools are about 28 % of high schools.
_NATIONAL_PRIVATE_SHARE = {
    "B1": (0.004, 0.013),
    "C1": (0.007, 0.075),
    "C2": (0.02, 0.004),
    "D1": (0.003, 0.28),
    "D2": (0.07, 0.33),
    "E1": (0.04, 0.012),
}
# Median enrolment and the plausible range per type.
_ENROLMENT = {
    "B1": (300, 15, 1200),
    "C1": (300, 15, 1100),
    "C2": (420, 40, 1200),
    "D1": (500, 60, 1300),
    "D2": (600, 200, 1100),
    "E1": (130, 15, 450),
}
_SUFFIX = {
    "B1": "小学校",
    "C1": "中学校",
    "C2": "学園",
    "D1": "高等学校",
    "D2": "中等教育学校",
    "E1": "特別支援学校",
}
# Place names for school names; 髙 is a CP932-only character, as real school lists have.
_PLACES = (
    "中央 東 西 南 北 桜 緑 青葉 若葉 旭 栄 朝日 富士見 山手 川辺 松原 泉 柏 桂 "
    "平和 希望ヶ丘 日向 港 高砂 髙田 本町 新町 上野 大野 小林 竹園 梅林 城山 "
    "八幡 清水 白鷺 鶴見 紫野 光が丘 明星 三田 一ノ瀬 長尾 宮前 浜田 丘陵 森の里 "
    "寺町 城北 城南 東部 西部 南部 北部 岬 緑ヶ丘 藤沢 岩崎"
).split()
SEMESTER_SHARE = {"D1": 0.35}  # schools on 前期/後期 rather than three terms
HUB_SHARE = 0.85  # of the schools of each prefecture
HUB_MIN_SCHOOLS = 5  # a pooled regional hub of fewer schools would not be a network
HUB_SIZE = (20, 60)


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` into integers proportional to `weights` (ties go to the earlier index)."""
    quotas = total * weights / weights.sum()
    counts = np.floor(quotas).astype(np.int64)
    short = total - int(counts.sum())
    order = np.argsort(-(quotas - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def _prefecture_counts(n_schools: int) -> np.ndarray:
    weights = np.array([p.population_2020_thousands for p in prefectures()], dtype=float) ** 0.8
    if n_schools < len(weights):
        return largest_remainder(n_schools, weights)
    # Every prefecture gets a school first, so small prefectures appear even in small samples.
    return 1 + largest_remainder(n_schools - len(weights), weights)


def _type_counts(n_schools: int) -> dict[str, int]:
    national = np.array([school_types()[t].national_count_2025 for t in SAMPLE_TYPES], float)
    return dict(zip(SAMPLE_TYPES, largest_remainder(n_schools, national).tolist(), strict=True))


def _municipalities(rng: np.random.Generator, pref_code: str, short: str, n_schools: int):
    """Codes (5 digits) and names of a prefecture's municipalities, with school weights."""
    n = max(1, min(n_schools, max(3, round(n_schools / 20)), 300))
    numbers = np.sort(rng.choice(np.arange(100, 500), size=n, replace=False))
    codes = [f"{pref_code}{k:03d}" for k in numbers]
    # Codes 1xx-2xx are cities, 3xx-4xx towns in districts, as in JIS X 0402.
    names = [f"{short}第{i + 1}{'市' if k < 300 else '町'}" for i, k in enumerate(numbers)]
    weights = 1.0 / np.arange(1, n + 1) ** 0.8  # a few big cities, many small towns
    return codes, names, weights / weights.sum()


def _chunk_into_hubs(
    rng: np.random.Generator, members: list[int], code_prefix: str, name_prefix: str
) -> dict[int, tuple[str, str]]:
    """Split neighbouring schools (already in place order) into hubs of 20-60 schools."""
    n = len(members)
    # As many hubs as keep each within 20-60 schools (when there are 20 or more to share).
    count = max(1, round(n / int(rng.integers(25, 50))))
    count = min(max(count, -(-n // HUB_SIZE[1])), max(1, n // HUB_SIZE[0]))
    bounds = np.linspace(0, n, count + 1).round().astype(int)
    hubs: dict[int, tuple[str, str]] = {}
    for hub_no, (start, end) in enumerate(zip(bounds[:-1], bounds[1:], strict=True), start=1):
        hub = (f"HUB-{code_prefix}-{hub_no}", f"{name_prefix}第{hub_no}キャリアハブ")
        for i in members[start:end]:
            hubs[i] = hub
    return hubs


def _assign_hubs(rng: np.random.Generator, rows: list[dict]) -> None:
    """Put most schools into hubs of 20-60 neighbouring schools (sets hub_code, hub_name).

    A prefecture with enough schools hosts its own hubs (HUB-23-1); schools of smaller
    prefectures are pooled into regional hubs (HUB-R4-1), as a thin sample of Japan would
    otherwise have hubs of three schools that no coordinator runs.
    """
    for row in rows:
        row["hub_code"] = row["hub_name"] = None
    hubs: dict[int, tuple[str, str]] = {}
    for region in regions():
        pooled: list[int] = []
        for pref in prefectures():
            if pref.region_code != region.code:
                continue
            members = [i for i, r in enumerate(rows) if r["prefecture_code"] == pref.code]
            if not members:
                continue
            chosen = rng.choice(len(members), size=round(len(members) * HUB_SHARE), replace=False)
            covered = sorted(
                (members[k] for k in chosen.tolist()),
                key=lambda i: (rows[i]["municipality_code"], i),
            )
            if len(covered) >= HUB_SIZE[0]:
                hubs.update(_chunk_into_hubs(rng, covered, pref.code, pref.short_ja))
            else:
                pooled.extend(covered)
        if len(pooled) >= HUB_MIN_SCHOOLS:
            hubs.update(_chunk_into_hubs(rng, pooled, region.code, region.name_ja))
    for i, (code, name) in hubs.items():
        rows[i]["hub_code"], rows[i]["hub_name"] = code, name


def _establishment(rng: np.random.Generator, type_code: str) -> str:
    national, private = _NATIONAL_PRIVATE_SHARE[type_code]
    draw = rng.random()
    return "1" if draw < national else "3" if draw < national + private else "2"


def _school_name(
    rng: np.random.Generator,
    type_code: str,
    establishment: str,
    pref_name: str,
    pref_short: str,
    muni_name: str,
) -> str:
    place = _PLACES[int(rng.integers(len(_PLACES)))]
    suffix = _SUFFIX[type_code]
    if establishment == "1":
        return f"{pref_short}大学教育学部附属{place}{suffix}"
    if establishment == "3":
        return f"{place}学園{suffix}" if type_code != "C2" else f"{place}学院"
    if type_code in ("D1", "D2", "E1"):  # prefectures run high schools and special schools
        return f"{pref_name}立{place}{suffix}"
    return f"{muni_name}立{place}{suffix}"


def build_registry(rng: np.random.Generator, n_schools: int) -> pl.DataFrame:
    """One row per school: code, name, place, hub, enrolment and term calendar."""
    type_counts = _type_counts(n_schools)
    types = np.array([t for t in SAMPLE_TYPES for _ in range(type_counts[t])])
    types = types[rng.permutation(len(types))]
    rows: list[dict] = []
    used_numbers: set[tuple[str, str, str, int]] = set()
    used_names: set[str] = set()
    next_type = 0
    for pref, count in zip(prefectures(), _prefecture_counts(n_schools).tolist(), strict=True):
        if count == 0:
            continue
        codes, names, weights = _municipalities(rng, pref.code, pref.short_ja, count)
        # Each municipality gets a school before the big cities take the rest.
        muni_idx = np.concatenate(
            [
                np.arange(len(codes)),
                rng.choice(len(codes), size=count - len(codes), p=weights),
            ]
        )
        pref_types = types[next_type : next_type + count].tolist()
        next_type += count
        for type_code, mi in zip(pref_types, muni_idx.tolist(), strict=True):
            est = _establishment(rng, type_code)
            serial = 1
            while (type_code, pref.code, est, int(codes[mi][2:]) * 10000 + serial) in used_numbers:
                serial += 1
            number = int(codes[mi][2:]) * 10000 + serial
            used_numbers.add((type_code, pref.code, est, number))
            name = _school_name(rng, type_code, est, pref.name_ja, pref.short_ja, names[mi])
            base, k = name, 2
            while name in used_names:  # 第二, 第三 ... as real duplicates are told apart
                name = f"{base.removesuffix(_SUFFIX[type_code])}第{k}{_SUFFIX[type_code]}"
                k += 1
            used_names.add(name)
            median, low, high = _ENROLMENT[type_code]
            enrolment = min(high, max(low, round(median * rng.lognormal(0.0, 0.45))))
            semesters = rng.random() < SEMESTER_SHARE.get(type_code, 0.2)
            rows.append(
                {
                    "school_code": make_school_code(type_code, pref.code, est, number),
                    "school_name": name,
                    "type_code": type_code,
                    "establishment": est,
                    "prefecture_code": pref.code,
                    "prefecture_name": pref.name_ja,
                    "region_code": pref.region_code,
                    "municipality_code": codes[mi],
                    "municipality_code6": municipality_code_with_check(codes[mi]),
                    "municipality_name": names[mi],
                    "enrolment": enrolment,
                    "terms_per_year": 2 if semesters else 3,
                    "secondary": school_types()[type_code].secondary,
                }
            )
    _assign_hubs(rng, rows)
    return pl.DataFrame(rows, schema_overrides={"hub_code": pl.String, "hub_name": pl.String})
