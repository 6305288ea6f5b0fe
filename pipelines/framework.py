"""The benchmark framework: which benchmarks exist, their names, and how activities count.

Nothing downstream hard-codes benchmark ids; everything asks the framework. A deployment replaces
the default by listing other TOML files in settings (`framework_files`) or SHIRUBE_FRAMEWORK.

Each benchmark may list its criteria (`[[benchmark.criterion]]`: id, text_ja, text_en, kind, and
optional help_ja / help_en). A benchmark's score from a criteria return is the mean of its
criteria's scores, and only when every criterion is answered (data-contract, "Second edition").
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DEFAULT_FRAMEWORK = "framework_default.toml"


CRITERION_KINDS = ("yes_no", "progress", "share")


class FrameworkError(ValueError):
    """A framework file that cannot be used (missing fields, duplicate ids).

    The message is Japanese then English: it is shown at start, before a language is chosen.
    """


@dataclass(frozen=True)
class Criterion:
    id: str  # unique in the framework version, e.g. "B1-1"
    benchmark_id: str
    position: int  # 1-based order within its benchmark
    text_ja: str
    text_en: str
    kind: str  # one of CRITERION_KINDS
    help_ja: str = ""
    help_en: str = ""


@dataclass(frozen=True)
class Benchmark:
    id: str
    position: int  # 1-based order in the framework
    name_ja: str
    name_en: str
    description_ja: str
    description_en: str
    coverage_benchmark: bool
    activity_types: tuple[str, ...]
    criteria: tuple[Criterion, ...] = ()


@dataclass(frozen=True)
class Framework:
    version: str
    name_ja: str
    name_en: str
    benchmarks: tuple[Benchmark, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.benchmarks)

    def benchmark(self, benchmark_id: str) -> Benchmark:
        for b in self.benchmarks:
            if b.id == benchmark_id:
                return b
        raise KeyError(benchmark_id)

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for b in self.benchmarks for c in b.criteria)

    def criterion(self, criterion_id: str) -> Criterion | None:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        return None


_REQUIRED = ("id", "name_ja", "name_en")
_CRITERION_REQUIRED = ("id", "text_ja", "text_en", "kind")


def _refuse(source: str, ja: str, en: str) -> FrameworkError:
    return FrameworkError(f"{source}: {ja} / {en}")


def normalise_criterion_id(value: str) -> str:
    """`Ｂ１－１`, `b1-1`, ` B1-1 ` -> `B1-1`: NFKC, upper case, any dash as '-', no spaces."""
    text = unicodedata.normalize("NFKC", str(value)).upper()
    text = re.sub(r"[\u2010-\u2015\u2212\u30fc\uff70_]", "-", text)
    return re.sub(r"\s+", "", text)


def _criteria(item: dict, benchmark_id: str, source: str, seen: set[str]) -> tuple[Criterion, ...]:
    criteria = []
    for position, c in enumerate(item.get("criterion", []), start=1):
        missing = [k for k in _CRITERION_REQUIRED if not str(c.get(k, "")).strip()]
        if missing:
            names = ", ".join(missing)
            raise _refuse(
                source,
                f"ベンチマーク {benchmark_id} の観点 {position} に {names} がありません",
                f"criterion {position} of benchmark {benchmark_id} lacks {names}",
            )
        criterion_id = normalise_criterion_id(c["id"])
        if c["kind"] not in CRITERION_KINDS:
            kinds = ", ".join(CRITERION_KINDS)
            raise _refuse(
                source,
                f"観点 {criterion_id} の種類「{c['kind']}」は使えません({kinds} のいずれか)",
                f"criterion {criterion_id} has unknown kind '{c['kind']}' (use one of {kinds})",
            )
        if criterion_id in seen:
            raise _refuse(
                source,
                f"観点 ID {criterion_id} が2回以上あります",
                f"criterion id {criterion_id} appears twice",
            )
        seen.add(criterion_id)
        criteria.append(
            Criterion(
                id=criterion_id,
                benchmark_id=benchmark_id,
                position=position,
                text_ja=c["text_ja"],
                text_en=c["text_en"],
                kind=c["kind"],
                help_ja=c.get("help_ja", ""),
                help_en=c.get("help_en", ""),
            )
        )
    return tuple(criteria)


def parse_framework(text: str, source: str = "<framework>") -> Framework:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(f"{source}: not valid TOML: {exc}") from exc
    for key in ("version", "benchmark"):
        if key not in doc:
            raise FrameworkError(f"{source}: missing '{key}'")
    benchmarks = []
    seen: set[str] = set()
    seen_criteria: set[str] = set()
    for position, item in enumerate(doc["benchmark"], start=1):
        missing = [k for k in _REQUIRED if not str(item.get(k, "")).strip()]
        if missing:
            raise FrameworkError(f"{source}: benchmark {position} lacks {', '.join(missing)}")
        if item["id"] in seen:
            raise FrameworkError(f"{source}: benchmark id {item['id']} appears twice")
        seen.add(item["id"])
        benchmarks.append(
            Benchmark(
                id=str(item["id"]),
                position=position,
                name_ja=item["name_ja"],
                name_en=item["name_en"],
                description_ja=item.get("description_ja", ""),
                description_en=item.get("description_en", ""),
                coverage_benchmark=bool(item.get("coverage_benchmark", False)),
                activity_types=tuple(item.get("activity_types", [])),
                criteria=_criteria(item, str(item["id"]), source, seen_criteria),
            )
        )
    if not benchmarks:
        raise FrameworkError(f"{source}: no benchmarks")
    return Framework(
        version=str(doc["version"]),
        name_ja=doc.get("name_ja", str(doc["version"])),
        name_en=doc.get("name_en", str(doc["version"])),
        benchmarks=tuple(benchmarks),
    )


def load_framework(path: str | Path | None = None) -> Framework:
    """Load a framework file; None loads the packaged default."""
    if path is None:
        text = resources.files("pipelines.reference").joinpath(DEFAULT_FRAMEWORK).read_text("utf-8")
        return parse_framework(text, DEFAULT_FRAMEWORK)
    path = Path(path)
    return parse_framework(path.read_text(encoding="utf-8"), str(path))
