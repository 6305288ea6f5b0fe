"""Numbers formatted for Japanese readers: 1,234校, 85.2%, 5.9 / 8, ±changes."""

from __future__ import annotations

import math

from pipelines.i18n import t


def _missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def count(value: int | None, lang: str, unit: str = "schools") -> str:
    """1,234校 / 1,234 schools; a dash when unknown."""
    if _missing(value):
        return "—"
    # "1 school", not "1 schools" (Japanese has one form: both keys say 校).
    key = f"dashboard.unit_{unit}_one" if int(value) == 1 else f"dashboard.unit_{unit}"
    return t(key, lang, n=f"{int(value):,}")


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if _missing(value) else f"{value:,.{digits}f}%"


def number(value: float | None, digits: int = 1) -> str:
    return "—" if _missing(value) else f"{value:,.{digits}f}"


def out_of(value: float | None, total: int, digits: int = 1) -> str:
    """5.9 / 8."""
    return "—" if _missing(value) else f"{value:.{digits}f} / {total}"


def change(value: float | None, digits: int = 1, suffix: str = "") -> str | None:
    """+1.2 / −0.4 for st.metric's delta; None when there is no previous year."""
    if _missing(value):
        return None
    return f"{value:+.{digits}f}{suffix}"


def day(value: object) -> str:
    """2026-03-16 for a date or a timestamp (never 2026-03-16 00:00:00); a dash when unknown."""
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)
