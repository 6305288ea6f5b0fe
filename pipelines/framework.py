"""The benchmark framework: which benchmarks exist, their names, and how activities count.

Nothing downstream hard-codes benchmark ids; everything asks the framework. A deployment replaces
the default by listing other TOML files in settings (`framework_files`) or SHIRUBE_FRAMEWORK.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DEFAULT_FRAMEWORK = "framework_default.toml"


class FrameworkError(ValueError):
    """A framework file that cannot be used (missing fields, duplicate ids)."""


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


_REQUIRED = ("id", "name_ja", "name_en")


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
