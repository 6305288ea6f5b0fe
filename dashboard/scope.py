"""Whose data a viewer may see.

A signed-in viewer's role gives the scope (dashboard.roles): a hub, a municipality, a prefecture,
or everything for ASKNET staff and open servers. Every query takes a Scope: school-level rows
outside it are never returned, and areas outside it are read only from the suppressed
`marts.public_*` views.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.vocabulary import AREA_LEVELS

SCHOOL_LEVEL = "school"  # a school's own login: its own rows, and only public area figures


@dataclass(frozen=True)
class Scope:
    """The areas a viewer may see: `level` None means the whole country."""

    level: str | None = None
    codes: tuple[str, ...] = ()

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @classmethod
    def areas(cls, level: str, codes: tuple[str, ...]) -> Scope:
        if level not in AREA_LEVELS:
            raise ValueError(f"unknown area level {level!r}")
        return cls(level=level, codes=tuple(codes))

    @classmethod
    def school(cls, code: str) -> Scope:
        """One school: its own rows; every area (even a one-school hub) read suppressed."""
        return cls(level=SCHOOL_LEVEL, codes=(code,))

    @property
    def is_school(self) -> bool:
        return self.level == SCHOOL_LEVEL

    @property
    def is_everything(self) -> bool:
        return self.level is None or self.level == "national"


# Constant SQL fragments chosen by scope; the viewer's codes are always bound as parameters.
_SCHOOL_IN_SCOPE = (
    "{col} in (select sa.school_code from marts.school_area sa "
    "where sa.area_level = ? and list_contains(?::varchar[], sa.area_code))"
)
# An area is in scope when every school of it is (a hub inside a hub scope, a municipality inside
# a prefecture scope); areas with no schools are treated as outside.
_AREA_IN_SCOPE = (
    "exists (select 1 from marts.school_area a0 where a0.area_level = {level} "
    "and a0.area_code = {code}) and not exists (select 1 from marts.school_area a1 "
    "where a1.area_level = {level} and a1.area_code = {code} and a1.school_code not in "
    "(select sa.school_code from marts.school_area sa where sa.area_level = ? "
    "and list_contains(?::varchar[], sa.area_code)))"
)


def school_filter(scope: Scope, column: str = "school_code") -> tuple[str, list]:
    """A WHERE fragment keeping schools inside `scope`, and its parameters."""
    if scope.is_everything:
        return "true", []
    if scope.is_school:
        return f"list_contains(?::varchar[], {column})", [list(scope.codes)]
    return _SCHOOL_IN_SCOPE.format(col=column), [scope.level, list(scope.codes)]


def area_filter(scope: Scope, level_column: str, code_column: str) -> tuple[str, list]:
    """A WHERE fragment true for areas wholly inside `scope`, and its parameters."""
    if scope.is_everything:
        return "true", []
    if scope.is_school:  # no area is a school's own: even its one-school hub is read suppressed
        return "false", []
    sql = _AREA_IN_SCOPE.format(level=level_column, code=code_column)
    return sql, [scope.level, list(scope.codes)]
