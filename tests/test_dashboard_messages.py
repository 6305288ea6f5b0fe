"""Every dashboard label the code asks for exists in Japanese and English, same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

from dashboard.concerns import FLAGS
from pipelines.i18n import catalogue

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"
# Keys built from a prefix in the code (f"level_{v}" ...), with every value they take.
PREFIXED = {
    "page_": ["overview", "compare", "school", "support", "district", "quality", "report"],
    "level_": ["national", "region", "prefecture", "municipality", "hub"],
    "severity_": ["high", "medium", "low"],
    "status_": ["loaded", "rejected", "duplicate"],
    "language_": ["ja", "en"],
    "series_": ["hub_mean", "municipality_mean", "prefecture_mean", "national_mean"],
    "flag_": list(FLAGS),
    "next_step_": list(FLAGS),
}


def _placeholders(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_every_literal_dashboard_key_in_the_code_is_in_the_catalogue():
    used = set()
    for source in DASHBOARD.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        used |= set(re.findall(r't\(\s*"dashboard\.([a-z0-9_]+)"', text))
        used |= set(re.findall(r'\bm(?:_md)?\(\s*"([a-z0-9_]+)"', text))
    used |= {prefix + suffix for prefix, suffixes in PREFIXED.items() for suffix in suffixes}
    missing = sorted(key for key in used if f"dashboard.{key}" not in catalogue())
    assert missing == []


def test_dashboard_messages_have_the_same_placeholders_in_both_languages():
    for key, texts in catalogue().items():
        if key.startswith("dashboard."):
            assert _placeholders(texts["ja"]) == _placeholders(texts["en"]), key
