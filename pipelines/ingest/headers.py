"""Recognising a header row: which column is which field, and what kind of file it is.

Headers are compared after NFKC, trimming, case folding and removing spaces, underscores and
hyphens, so ` School_Code ` and `ｓｃｈｏｏｌ ｃｏｄｅ` are the same header. Benchmark columns are
`B1`, `BM1`, `ベンチマーク1`, `Benchmark 1` or a benchmark's name in any installed framework.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from pipelines.settings import frameworks
from pipelines.skills_framework import skills_framework

KINDS = ("schools", "returns", "activities", "roster", "criteria", "skills", "links")
HEADER_SEARCH_ROWS = 30  # title, notes and blank rows allowed above the header


class FileRejected(Exception):
    """The whole file cannot be used; `key` names the message in ingest.toml."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


# field -> accepted headers (Japanese and English). The first of each is the contract's spelling.
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "school_code": ("学校コード", "school_code", "学校CD", "学校番号"),
    "school_name": ("学校名", "school_name", "学校名称"),
    "municipality_code": (
        "市区町村コード",
        "municipality_code",
        "市町村コード",
        "自治体コード",
        "団体コード",
        "地方公共団体コード",
    ),
    "municipality_name": ("市区町村名", "municipality_name", "市町村名"),
    "hub_code": ("ハブコード", "hub_code"),
    "hub_name": ("ハブ名", "hub_name"),
    "enrolment": ("生徒数", "enrolment", "enrollment", "児童生徒数"),
    "prefecture": ("都道府県", "prefecture", "都道府県名", "都道府県コード"),
    "school_type": ("学校種", "school_type", "学校種別", "学校種類"),
    "academic_year": ("年度", "academic_year", "fiscal_year"),
    "term": ("学期", "term"),
    "submitted_on": ("提出日", "submitted_on", "submission_date", "回答日"),
    "framework": ("フレームワーク", "framework", "framework_version"),
    "student_ref": ("生徒番号", "student_ref", "生徒ID", "student_id"),
    "grade": ("学年", "grade"),
    "activity_type": ("活動種別", "activity_type", "活動種類"),
    "activity_date": ("実施日", "activity_date", "活動日"),
    "hours": ("時間", "hours", "時間数"),
    "provider": ("連携先", "provider"),
    "criterion": ("観点", "criterion", "criterion_id", "観点ID", "観点番号"),
    "answer": ("回答", "answer"),
    "assessed_on": ("評価日", "assessed_on", "assessment_date", "評価年月日"),
    "assessor": ("評価者", "assessor"),
    "prepared": ("事前学習", "prepared", "事前指導"),
    "reflected": ("振り返り", "reflected", "ふりかえり", "事後学習"),
    "from_school_code": ("引継ぎ元学校コード", "from_school_code", "引継元学校コード"),
    "from_student_ref": ("引継ぎ元生徒番号", "from_student_ref", "引継元生徒番号"),
    "to_school_code": ("引継ぎ先学校コード", "to_school_code", "引継先学校コード"),
    "to_student_ref": ("引継ぎ先生徒番号", "to_student_ref", "引継先生徒番号"),
    "linked_on": ("引継ぎ日", "linked_on", "引継日"),
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "schools": ("school_code", "school_name", "municipality_code"),
    "returns": ("school_code", "academic_year", "term", "submitted_on"),
    "activities": ("school_code", "student_ref", "grade", "activity_type", "activity_date"),
    "roster": ("school_code", "academic_year", "student_ref", "grade"),
    "criteria": (
        "school_code",
        "academic_year",
        "term",
        "submitted_on",
        "criterion",
        "answer",
    ),
    "skills": ("school_code", "student_ref", "grade", "assessed_on"),
    "links": (
        "from_school_code",
        "from_student_ref",
        "to_school_code",
        "to_student_ref",
        "linked_on",
    ),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "schools": (
        "municipality_name",
        "hub_code",
        "hub_name",
        "enrolment",
        "prefecture",
        "school_type",
    ),
    "returns": ("framework",),
    "activities": ("hours", "provider", "prepared", "reflected"),
    "roster": (),
    "criteria": ("framework",),
    "skills": ("assessor",),
    "links": (),
}

_BENCHMARK_HEADER = re.compile(r"^(?:b|bm|benchmark|ベンチマーク)(\d{1,2})$")


def header_key(text: object) -> str:
    """The comparable form of a header cell."""
    return _header_key(str(text or ""))


# Every file's header cells, and the known headers they are compared with (each field's, each
# benchmark's and skill's names, for every cell), are the same few hundred strings: each is
# folded once per process, not once per comparison (~450 folds a file before).
@lru_cache(maxsize=4096)
def _header_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    return _NOT_IN_KEY.sub("", folded)


_NOT_IN_KEY = re.compile(r"[\s_\-・]+")


@cache  # FIELD_HEADERS is a constant; callers only read the dict
def _field_by_key() -> dict[str, str]:
    return {header_key(h): f for f, headers in FIELD_HEADERS.items() for h in headers}


def _benchmark_position_by_name() -> dict[str, int]:
    names: dict[str, int] = {}
    for framework in frameworks():
        for b in framework.benchmarks:
            names.setdefault(header_key(b.name_ja), b.position)
            names.setdefault(header_key(b.name_en), b.position)
    return names


def max_benchmarks() -> int:
    return max(len(f.benchmarks) for f in frameworks())


@dataclass
class HeaderMatch:
    """What a header row means: field -> column index, benchmark position -> column index."""

    kind: str | None
    columns: dict[str, int] = field(default_factory=dict)
    benchmarks: dict[int, int] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    cells_recognised: int = 0  # header cells recognised as any field, whatever the kind
    skills: dict[int, int] = field(default_factory=dict)  # skill position -> column index

    @property
    def complete(self) -> bool:
        return self.kind is not None and not self.missing

    @property
    def recognised(self) -> int:
        return len(self.columns) + len(self.benchmarks)


def map_header(cells: list[object]) -> tuple[dict[str, int], dict[int, int]]:
    """Field and benchmark columns in a row of header cells (first occurrence wins)."""
    by_key = _field_by_key()
    by_name = _benchmark_position_by_name()
    limit = max_benchmarks()
    columns: dict[str, int] = {}
    benchmarks: dict[int, int] = {}
    for index, cell in enumerate(cells):
        key = header_key(cell)
        if not key:
            continue
        if key in by_key:
            columns.setdefault(by_key[key], index)
            continue
        m = _BENCHMARK_HEADER.match(key)
        position = int(m.group(1)) if m else by_name.get(key)
        if position and 1 <= position <= limit:
            benchmarks.setdefault(position, index)
    return columns, benchmarks


def _missing(
    kind: str, columns: dict[str, int], benchmarks: dict[int, int], skills: dict[int, int]
) -> tuple[str, ...]:
    missing = tuple(f for f in REQUIRED[kind] if f not in columns)
    if kind == "returns" and not benchmarks:
        missing += ("benchmarks",)
    if kind == "skills" and not skills:
        missing += ("skills",)
    return missing


def recognise(cells: list[object], forced_kind: str | None = None) -> HeaderMatch:
    """The best reading of one row as a header.

    Without a forced kind, the kind whose required columns are all present and that explains
    most columns wins; with none complete, the closest kind is returned with what is missing.
    """
    columns, benchmarks = map_header(cells)
    skills = skill_columns(cells)
    kinds = (forced_kind,) if forced_kind else KINDS
    best: HeaderMatch | None = None
    best_rank: tuple[int, int, int] = (-1, -1, -1)
    for kind in kinds:
        wanted = set(REQUIRED[kind]) | set(OPTIONAL[kind])
        own = {f: i for f, i in columns.items() if f in wanted}
        own_benchmarks = benchmarks if kind == "returns" else {}
        own_skills = skills if kind == "skills" else {}
        missing = _missing(kind, own, own_benchmarks, own_skills)
        explained = len(own) + len(own_benchmarks) + len(own_skills)
        rank = (int(not missing), len(REQUIRED[kind]) - len(missing), explained)
        if rank > best_rank:
            best_rank = rank
            best = HeaderMatch(
                kind,
                own,
                dict(own_benchmarks),
                missing,
                len(columns) + len(benchmarks) + len(skills),
                dict(own_skills),
            )
    assert best is not None
    return best


def header_label(field_name: str, lang: str) -> str:
    """How to name a missing column to a person: the contract's header in their language."""
    if field_name == "benchmarks":
        return "B1…" if lang == "en" else "B1…(ベンチマーク)"
    if field_name == "skills":
        return "listening… (a skill)" if lang == "en" else "聴く力…(スキル)"
    ja, en = FIELD_HEADERS[field_name][:2]
    return en if lang == "en" else ja


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def duplicate_columns(cells: list[object]) -> list[str]:
    """Header cells naming a field or benchmark that an earlier cell already names, each as
    `header (column letters)`: which of two columns holds the truth cannot be guessed."""
    by_key = _field_by_key()
    by_name = _benchmark_position_by_name()
    seen: dict[object, list[int]] = {}
    for index, cell in enumerate(cells):
        key = header_key(cell)
        if not key:
            continue
        m = _BENCHMARK_HEADER.match(key)
        target: object = by_key.get(key) or (
            ("benchmark", int(m.group(1)) if m else by_name.get(key))
        )
        if target in (None, ("benchmark", None)):
            target = skill_position(key)
            target = ("skill", target) if target else None
        if target is None:
            continue
        seen.setdefault(target, []).append(index)
    return [
        "/".join(str(cells[i]).strip() for i in indexes)
        + " ("
        + ", ".join(_column_letter(i) for i in indexes)
        + ")"
        for indexes in seen.values()
        if len(indexes) > 1
    ]


def skill_position(key: str) -> int | None:
    """The skill a header (in `header_key` form) names: its id, English or Japanese name."""
    for skill in skills_framework().skills:
        if key in (header_key(skill.id), header_key(skill.name_en), header_key(skill.name_ja)):
            return skill.position
    return None


def skill_columns(cells: list[object]) -> dict[int, int]:
    """Skill position -> column index of the skill columns in a header row (first wins)."""
    found: dict[int, int] = {}
    for index, cell in enumerate(cells):
        key = header_key(cell)
        position = skill_position(key) if key else None
        if position:
            found.setdefault(position, index)
    return found


def find_header(rows: list[list[object]], forced_kind: str | None) -> tuple[int, HeaderMatch]:
    """Index of the header row among the first rows, or a rejection that says what is missing
    or which columns are named twice."""
    closest: tuple[int, HeaderMatch] | None = None
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        match = recognise(cells, forced_kind)
        if match.complete:
            duplicates = duplicate_columns(cells)
            if duplicates:
                raise FileRejected("duplicate_columns", row=index + 1, duplicates=duplicates)
            return index, match
        if match.cells_recognised >= 2 and (
            closest is None or match.cells_recognised > closest[1].cells_recognised
        ):
            closest = (index, match)
    if closest is not None:
        raise FileRejected(
            "header_missing_columns",
            kind=closest[1].kind,
            missing=closest[1].missing,
            row=closest[0] + 1,
        )
    if forced_kind:
        raise FileRejected("no_header_for_kind", kind=forced_kind)
    raise FileRejected("no_header")
