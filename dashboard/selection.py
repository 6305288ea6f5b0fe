"""The area a view shows: the one place that turns the sidebar's choices into it.

Every page's queries take the sidebar's choices (area level and code, hub, school type,
establishment) as keyword arguments and call `resolve()` with them and the viewer's scope. The
`Selection` it returns says which schools the view counts (`school_sql()`), whether those schools
are exactly one area of the marts (`area`: read its area rows, suppressed outside the viewer's
scope) or a subset computed from school rows (a school type, an establishment, an area and a hub
together), and which area the view is about and compared from (`home`). Pages name it with
`ui.selection_label()`, from the same Selection, so a chart's title and its numbers never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.scope import Scope

NATIONAL = ("national", "JP")

# Schools of the selection, over marts.dim_school as `s`; None for a filter means "any".
SCHOOL_SQL = """
    (?::varchar is null or s.school_code in (
        select sa.school_code from marts.school_area sa
        where sa.area_level = ? and sa.area_code = ?))
    and (?::varchar is null or s.hub_code = ?)
    and (?::varchar is null or s.school_type = ?)
    and (?::varchar is null or s.establishment = ?)
"""


@dataclass(frozen=True)
class Selection:
    """The schools a view counts and the area it is about."""

    area_level: str = "national"
    area_code: str = "JP"
    hub: str | None = None
    school_type: str | None = None
    establishment: str | None = None

    @property
    def is_filtered(self) -> bool:
        """True unless the view is the whole country with no narrowing."""
        return (self.area_level, self.area_code) != NATIONAL or any(
            (self.hub, self.school_type, self.establishment)
        )

    @property
    def area(self) -> tuple[str, str] | None:
        """The one area of the marts whose schools are exactly the selection's, else None.

        None when a school type or establishment narrows it, or when an area and a hub are both
        chosen (their shared schools are no area): such views are computed from school rows.
        """
        if self.school_type or self.establishment:
            return None
        if self.hub:
            return ("hub", self.hub) if (self.area_level, self.area_code) == NATIONAL else None
        return (self.area_level, self.area_code)

    @property
    def home(self) -> tuple[str, str]:
        """The area the view is about and compared from: the hub when one is chosen, else the
        area (the nation when none)."""
        return ("hub", self.hub) if self.hub else (self.area_level, self.area_code)

    def school_sql(self) -> tuple[str, list]:
        """A WHERE fragment keeping the selection's schools (marts.dim_school as `s`), and its
        parameters."""
        level = None if (self.area_level, self.area_code) == NATIONAL else self.area_level
        code = self.area_code if level else None
        hub, kind, establishment = self.hub, self.school_type, self.establishment
        return SCHOOL_SQL, [level, level, code, hub, hub, kind, kind, establishment, establishment]


def resolve(
    scope: Scope,
    *,
    area_level: str | None = None,
    area_code: str | None = None,
    hub: str | None = None,
    school_type: str | None = None,
    establishment: str | None = None,
) -> Selection:
    """The Selection for the sidebar's choices, seen by a viewer with `scope`.

    No area chosen means the nation, or, for a viewer whose scope is one area, that area: "all I
    may see" is their hub or district, and the view is about it.
    """
    if area_level in (None, "national") or not area_code:
        area_level, area_code = NATIONAL
        if not hub and not scope.is_everything and not scope.is_school and len(scope.codes) == 1:
            if scope.level == "hub":
                hub = scope.codes[0]
            else:
                area_level, area_code = scope.level, scope.codes[0]
    return Selection(area_level, area_code, hub or None, school_type or None, establishment or None)
