"""The message catalogue: every user-facing label in Japanese and English.

Messages live in `pipelines/messages/<area>.toml` as `[key]` tables with `ja` and `en`; a message is
addressed as "<area>.<key>", e.g. t("cli.db_help"). Placeholders use str.format names.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    messages: dict[str, dict[str, str]] = {}
    folder = resources.files(__package__).joinpath("messages")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        area = entry.name.removesuffix(".toml")
        for key, texts in tomllib.loads(entry.read_text("utf-8")).items():
            missing = [lang for lang in LANGS if lang not in texts]
            if missing:
                raise ValueError(f"message {area}.{key} lacks {missing}")
            messages[f"{area}.{key}"] = texts
    return messages


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG, **values: object) -> str:
    """The message `key` in `lang`, with placeholders filled from `values`."""
    text = catalogue()[key][normalise_lang(lang)]
    return text.format(**values) if values else text


def both(key: str, **values: object) -> tuple[str, str]:
    """The message in Japanese and English, e.g. for a quarantine reason stored in both."""
    return t(key, "ja", **values), t(key, "en", **values)
