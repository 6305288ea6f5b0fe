"""click's own words (Usage:, Options, "Error: Missing argument ...") in the CLI's language.

click writes them through the standard library's gettext, domain "messages", choosing the
language from the LANGUAGE environment variable. `use_language` sets that variable to the
language `shirube` runs in (so a Japanese LANG does not turn `--lang en` Japanese, nor the other
way round) and binds the domain to this package's catalogue. The catalogue is compiled from
pipelines/messages/click.toml into locale/ja/LC_MESSAGES/messages.mo and kept in the repository,
because gettext reads catalogues only from files; `python -m shirube.click_language` writes it again
after the TOML changes, and tests/test_cli.py fails while the two differ.
"""

from __future__ import annotations

import gettext
import os
import struct
from pathlib import Path

from pipelines.i18n import catalogue

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"  # the domain click's gettext() calls read
COMPILED = LOCALE_DIR / "ja" / "LC_MESSAGES" / f"{DOMAIN}.mo"
_HEADER = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n"


def use_language(lang: str) -> None:
    """Make click speak `lang` ("ja" or "en") in this process; before any command is built,
    since click translates some words (the "file" of a path option) when the option is made."""
    os.environ["LANGUAGE"] = lang
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))


def japanese_messages() -> dict[str, str]:
    """click's message (its gettext key: "singular" or "singular\\0plural") -> the Japanese."""
    found: dict[str, str] = {}
    for key, texts in catalogue().items():
        if key.startswith("click."):
            english = texts["en"]
            if "en_plural" in texts:
                english += "\0" + texts["en_plural"]
            found[english] = texts["ja"]
    return found


def compile_mo(messages: dict[str, str]) -> bytes:
    """GNU gettext's .mo format (little-endian, no hash table), as the standard library reads it:
    the header entry first (its key is empty), then the keys in sorted order."""
    entries = sorted({"": _HEADER, **messages}.items())
    keys = [k.encode("utf-8") for k, _ in entries]
    values = [v.encode("utf-8") for _, v in entries]
    count = len(entries)
    keys_table, values_table = 28, 28 + 8 * count
    data_start = 28 + 16 * count
    offsets, blob = [], b""
    for text in keys + values:
        offsets.append((len(text), data_start + len(blob)))
        blob += text + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, keys_table, values_table, 0, 0)
    tables = b"".join(struct.pack("<2I", length, start) for length, start in offsets)
    return header + tables + blob


def write_compiled() -> Path:
    COMPILED.parent.mkdir(parents=True, exist_ok=True)
    COMPILED.write_bytes(compile_mo(japanese_messages()))
    return COMPILED


if __name__ == "__main__":
    print(write_compiled().relative_to(LOCALE_DIR.parent.parent))
