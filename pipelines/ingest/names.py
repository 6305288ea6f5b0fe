"""Text from outside (file names, values) made safe to store, to put in JSON and to print.

A file name from a Windows zip arrives as CP932 bytes, which Python hands over as a str with
surrogate escapes; DuckDB, JSON and a UTF-8 terminal all refuse those ("cannot encode …
surrogate"), and one such name used to stop a whole batch. Names and values may also carry
control characters (ESC, BEL) that would drive the terminal of whoever reads the output.
"""

from __future__ import annotations

import re

# C0 and C1 control characters, DEL, lone surrogates, and the bidirectional overrides that
# reorder what a terminal shows. Tab and newline are left to the caller (see `printable`).
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _readable_part(part: str) -> str:
    try:
        part.encode("utf-8")
        return part
    except UnicodeEncodeError:
        pass
    try:
        raw = part.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte
        return part.encode("utf-8", "backslashreplace").decode("utf-8")
    for encoding in ("utf-8", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


def readable_name(name: str) -> str:
    """The name (or path) as valid Unicode: bytes that were not UTF-8 are read as CP932 when
    they are (a Japanese name from a Windows zip), else shown as \\xNN; each folder of a path
    on its own, since a UTF-8 folder may hold a CP932 file."""
    return "/".join(_readable_part(part) for part in name.split("/"))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Text safe for a terminal: control characters shown as \\x1b, \\x07 and so on; newlines
    and tabs the program itself writes are kept."""
    return _UNPRINTABLE.sub(_escape, text)


def json_safe(document: str) -> str:
    """A JSON document (from json.dumps, which escapes only C0) with the other unprintable
    characters escaped as \\uXXXX too: still the same JSON, safe on a terminal."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)
