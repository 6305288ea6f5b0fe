"""The skills framework: which essential skills exist, their names and their highest step.

Data, like the benchmark framework (pipelines/framework.py): nothing downstream hard-codes a
skill. The packaged default (reference/skills_default.toml) is the Skills Builder Universal
Framework; a deployment replaces it with its own file named in settings (`[skills]
framework_file`) or by SHIRUBE_SKILLS_FRAMEWORK, with no code change.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pipelines.framework import FrameworkError

DEFAULT_SKILLS_FRAMEWORK = "skills_default.toml"
ASSESSORS = ("teacher", "self")


@dataclass(frozen=True)
class StepBand:
    from_step: int
    to_step: int
    description_ja: str
    description_en: str


@dataclass(frozen=True)
class Skill:
    id: str
    position: int  # 1-based order in the framework
    name_ja: str
    name_en: str
    max_step: int
    bands: tuple[StepBand, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_ja

    def band(self, step: int) -> StepBand | None:
        return next((b for b in self.bands if b.from_step <= step <= b.to_step), None)


@dataclass(frozen=True)
class SkillsFramework:
    version: str
    name_ja: str
    name_en: str
    provisional_ja: bool  # the Japanese names are a provisional translation
    note_ja: str
    note_en: str
    skills: tuple[Skill, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.skills)

    def skill(self, skill_id: str) -> Skill:
        for s in self.skills:
            if s.id == skill_id:
                return s
        raise KeyError(skill_id)

    def note(self, lang: str) -> str:
        """The provisional-translation note, or '' when the names are official."""
        if not self.provisional_ja:
            return ""
        return self.note_en if lang == "en" else self.note_ja


def _refuse(source: str, ja: str, en: str) -> FrameworkError:
    return FrameworkError(f"{source}: {ja} / {en}")


def _bands(item: dict, skill_id: str, max_step: int, source: str) -> tuple[StepBand, ...]:
    bands = []
    for b in item.get("band", []):
        try:
            low, high = int(b["from_step"]), int(b["to_step"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _refuse(
                source,
                f"スキル {skill_id} の段階に from_step / to_step がありません",
                f"a band of skill {skill_id} lacks from_step / to_step",
            ) from exc
        if not 0 <= low <= high <= max_step:
            raise _refuse(
                source,
                f"スキル {skill_id} の段階 {low}-{high} が 0〜{max_step} の範囲外です",
                f"band {low}-{high} of skill {skill_id} is outside 0-{max_step}",
            )
        bands.append(StepBand(low, high, b.get("description_ja", ""), b.get("description_en", "")))
    return tuple(bands)


def parse_skills_framework(text: str, source: str = "<skills>") -> SkillsFramework:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(f"{source}: not valid TOML / TOML として読めません: {exc}") from exc
    if not str(doc.get("version", "")).strip() or not doc.get("skill"):
        raise _refuse(source, "version と skill が必要です", "needs a version and skills")
    skills: list[Skill] = []
    for position, item in enumerate(doc["skill"], start=1):
        missing = [k for k in ("id", "name_ja", "name_en", "max_step") if k not in item]
        if missing:
            names = ", ".join(missing)
            raise _refuse(
                source,
                f"スキル {position} に {names} がありません",
                f"skill {position} lacks {names}",
            )
        skill_id = str(item["id"]).strip()
        if skill_id in {s.id for s in skills}:
            raise _refuse(
                source,
                f"スキル ID {skill_id} が2回以上あります",
                f"skill id {skill_id} appears twice",
            )
        max_step = item["max_step"]
        if not isinstance(max_step, int) or isinstance(max_step, bool) or max_step < 1:
            raise _refuse(
                source,
                f"スキル {skill_id} の max_step は 1 以上の整数にしてください",
                f"max_step of skill {skill_id} must be a whole number of at least 1",
            )
        skills.append(
            Skill(
                id=skill_id,
                position=position,
                name_ja=str(item["name_ja"]),
                name_en=str(item["name_en"]),
                max_step=max_step,
                bands=_bands(item, skill_id, max_step, source),
            )
        )
    return SkillsFramework(
        version=str(doc["version"]),
        name_ja=str(doc.get("name_ja", doc["version"])),
        name_en=str(doc.get("name_en", doc["version"])),
        provisional_ja=bool(doc.get("provisional_ja", False)),
        note_ja=str(doc.get("note_ja", "")),
        note_en=str(doc.get("note_en", "")),
        skills=tuple(skills),
    )


def load_skills_framework(path: str | Path | None = None) -> SkillsFramework:
    """Load a skills framework file; None loads the packaged default."""
    if path is None:
        ref = resources.files("pipelines.reference").joinpath(DEFAULT_SKILLS_FRAMEWORK)
        return parse_skills_framework(ref.read_text("utf-8"), DEFAULT_SKILLS_FRAMEWORK)
    path = Path(path)
    return parse_skills_framework(path.read_text(encoding="utf-8"), str(path))


def skills_framework_file() -> str | None:
    """The file in force: SHIRUBE_SKILLS_FRAMEWORK, else settings, else None (the default)."""
    from pipelines.settings import settings

    env = os.environ.get("SHIRUBE_SKILLS_FRAMEWORK")
    if env:
        return env
    return settings().get("skills", {}).get("framework_file") or None


@cache
def _skills_framework_for(path: str | None) -> SkillsFramework:
    return load_skills_framework(path)


def skills_framework() -> SkillsFramework:
    """The skills framework in force."""
    return _skills_framework_for(skills_framework_file())
