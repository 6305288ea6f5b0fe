"""Settings: packaged defaults, overridden by the TOML file named in SHIRUBE_SETTINGS."""

from __future__ import annotations

import os
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pipelines.framework import Framework, load_framework


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@cache
def _settings_for(path: str | None) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("settings_default.toml").read_text("utf-8")
    settings = tomllib.loads(text)
    if path:
        with open(path, "rb") as fh:
            settings = _merge(settings, tomllib.load(fh))
    return settings


def settings() -> dict[str, Any]:
    """The settings in force (defaults merged with SHIRUBE_SETTINGS, if set)."""
    return _settings_for(os.environ.get("SHIRUBE_SETTINGS") or None)


def framework_files() -> list[str | None]:
    """Framework files in force, default first. SHIRUBE_FRAMEWORK names a single replacement."""
    env = os.environ.get("SHIRUBE_FRAMEWORK")
    if env:
        return [env]
    configured = settings()["framework"]["files"]
    return list(configured) if configured else [None]


@cache
def _frameworks_for(files: tuple[str | None, ...]) -> tuple[Framework, ...]:
    return tuple(load_framework(Path(f) if f else None) for f in files)


def frameworks() -> tuple[Framework, ...]:
    """All framework versions a return may answer; the first is the default."""
    return _frameworks_for(tuple(framework_files()))


def default_framework() -> Framework:
    return frameworks()[0]
