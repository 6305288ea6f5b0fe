"""Warm a viewer's sidebar pages for their own scope once their session's first page has drawn.

The server's start-up warm-up (dashboard.warmup) runs the pages' queries as the whole country
sees them; a hub coordinator, a superintendent or a school sees them for its own area or school,
so each of their pages met its queries cold on its first click (the compare page's three took
0.2-0.4 s on the national warehouse). Once the viewer's first page has finished, a background
thread runs the named queries of the pages in their sidebar with their current sidebar choices
(the year and selection every page reads) into the same cache the pages read (dashboard.data).
Nothing is drawn and nothing changes: the pages still run their own queries, through the cache;
one that is still being computed here is waited for, not run twice (Streamlit's per-key lock).

`plan` lists, per page, the queries its render runs for those choices. tests/test_prefetch.py
runs each page and checks that every query it ran was in the plan.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator

from dashboard import background
from dashboard.scope import Scope
from dashboard.selection import resolve

log = logging.getLogger("shirube.dashboard")

# SHIRUBE_PREFETCH=0 turns it off (to measure what it saves).
PREFETCH_ENV = "SHIRUBE_PREFETCH"
# The compare page's default level (dashboard/views/compare.py LEVELS[0]).
COMPARE_LEVEL = "prefecture"
# dashboard/views/skills.py AREA_LEVELS_SHOWN, dashboard/views/district.py COMPARED_LEVELS
SKILLS_LEVELS = ("hub", "municipality", "prefecture", "region", "national")
DISTRICT_LEVELS = ("hub", "municipality", "prefecture", "national")

Step = tuple[Callable, dict]
# Prefetches this server has started, by snapshot, scope and choices (bounded).
MAX_REMEMBERED = 10_000

_started: set[tuple] = set()
_lock = threading.Lock()


def plan(
    scope: Scope, pages: tuple[str, ...], year: int | None, choices: dict
) -> Iterator[Step | Callable[[], Iterator[Step]]]:
    """(named query, parameters) the pages `pages` (url paths, in the sidebar's order: the
    next click is likely the next page) run for a viewer of `scope` with the sidebar's
    `choices` and `year`; a callable step yields steps that need a result first."""
    from dashboard.queries import options

    yield options.benchmarks, {}
    if year is None:
        return
    shown = resolve(scope, **choices)
    for page in pages:
        if page in PAGES:
            yield from PAGES[page](scope, year, choices, shown)


def _overview(scope: Scope, year: int, choices: dict, shown) -> Iterator[Step]:  # noqa: ARG001
    from dashboard.queries import areas

    yield areas.selection_summary, {"year": year, **choices}
    yield areas.area_summaries, {"level": COMPARE_LEVEL, "year": year}
    yield areas.area_benchmarks, {"level": "national", "year": year}
    if shown.is_filtered:
        yield areas.selection_benchmarks, {"year": year, **choices}


def _compare(scope: Scope, year: int, choices: dict, shown) -> Iterator[Step]:  # noqa: ARG001
    from dashboard.queries import areas

    # Its default level (prefecture) has no parent area.
    yield areas.area_summaries, {"level": COMPARE_LEVEL, "year": year, "parent_code": None}
    yield areas.area_benchmarks, {"level": COMPARE_LEVEL, "year": year, "parent_code": None}
    yield areas.selection_distribution, {"year": year, **choices}


def _district(scope: Scope, year: int, choices: dict, shown) -> Iterator[Step]:
    from dashboard.queries import areas, journeys, schools

    if shown.home[0] in ("national", "region"):
        return
    yield areas.selection_trend, dict(choices)
    yield lambda: _district_chain(scope, shown)
    if shown.area is not None:
        level, code = shown.area
        yield journeys.area_coverage_so_far, {"level": level, "code": code, "year": year}
    if shown.area_level in ("prefecture", "municipality") or shown.hub:
        yield schools.district_schools, dict(choices)


def _skills(scope: Scope, year: int, choices: dict, shown) -> Iterator[Step]:  # noqa: ARG001
    from dashboard.queries import skills

    yield skills.skills, {}
    area = _skills_area(scope, shown)
    if area is not None:
        level, code = area
        yield skills.area_skills, {"level": level, "code": code, "year": year}
        yield skills.step_distribution, {"level": level, "code": code, "year": year}


def _criteria(scope: Scope, year: int, choices: dict, shown) -> Iterator[Step]:  # noqa: ARG001
    from dashboard.queries import criteria

    if shown.area is not None:
        level, code = shown.area
        yield criteria.area_criteria_gaps, {"level": level, "code": code, "year": year}


def _quality(scope: Scope, year: int, choices: dict, shown) -> Iterator[Step]:  # noqa: ARG001
    from dashboard.queries import schools

    yield schools.return_status, {"year": year, **choices}
    yield schools.school_codes, {}


def _school(scope: Scope, year: int, choices: dict, shown) -> Iterator[Step]:  # noqa: ARG001
    if scope.is_school:  # staff pick a school on the page: nothing to guess
        yield lambda: _school_profile(scope, scope.codes[0], year)


def _support_page(scope: Scope, year: int, choices: dict, shown) -> Iterator[Step]:  # noqa: ARG001
    yield lambda: _support(scope, year, choices)


def _skills_area(scope: Scope, shown) -> tuple[str, str] | None:
    if scope.is_school:
        return "school", scope.codes[0]
    if shown.area is None or shown.area[0] not in SKILLS_LEVELS:
        return None
    return shown.area


def _support(scope: Scope, year: int, choices: dict) -> Iterator[Step]:
    """The support page's list (every severity: its default) and its first school's reasons."""
    from dashboard import data
    from dashboard.queries import schools
    from pipelines.vocabulary import SEVERITIES

    params = {"year": year, "severities": tuple(SEVERITIES), **choices}
    yield schools.flagged_schools, params
    flagged = data.query(schools.flagged_schools, scope, **params)
    if not flagged.is_empty():
        yield schools.school_flags, {"school": flagged.item(0, "school_code"), "year": year}


def _district_chain(scope: Scope, shown) -> Iterator[Step]:
    """The district page's comparison lines: its home area's parents, each one's trend."""
    from dashboard import data
    from dashboard.queries import areas

    home_level, home_code = shown.home
    yield areas.area_parents, {"level": home_level, "code": home_code}
    chain = data.query(areas.area_parents, scope, level=home_level, code=home_code)
    for level, code in chain.select("area_level", "area_code").iter_rows():
        if level in DISTRICT_LEVELS and (level, code) != shown.area:
            yield areas.area_trend, {"level": level, "code": code}


def _school_profile(scope: Scope, school: str, year: int) -> Iterator[Step]:
    """A school login's own profile (dashboard/views/school.py and dashboard.skills_panel)."""
    from dashboard import data
    from dashboard.queries import criteria, journeys, schools, skills

    yield schools.school_info, {"school": school}
    info = data.query(schools.school_info, scope, school=school)
    hub = info.item(0, "hub_code") if not info.is_empty() else None
    yield schools.school_years, {"school": school}
    yield criteria.school_next_steps, {"school": school, "year": year}
    yield criteria.criteria, {}
    yield schools.school_comparison, {"school": school, "year": year}
    yield schools.school_history, {"school": school}
    yield schools.school_coverage, {"school": school, "year": year}
    yield journeys.school_coverage_so_far, {"school": school, "year": year}
    yield skills.area_skills, {"level": "school", "code": school, "year": year}
    if hub:
        compare = {"compare_level": "hub", "compare_code": hub}
        yield skills.area_skills, {"level": "school", "code": school, "year": year, **compare}


def run(scope: Scope, steps: Iterator) -> None:
    """Run the steps into the pages' cache; never raises (the pages run what failed here)."""
    from dashboard import data

    try:
        for step in steps:
            if background.stopping():  # the process is exiting: no new query
                return
            if callable(step) and not isinstance(step, tuple):
                run(scope, step())
                continue
            function, params = step
            data.query(function, scope, **params)
    except Exception:  # a prefetch must never disturb a page
        log.exception("prefetch failed")


def start(
    version: str,
    scope: Scope,
    pages: tuple[str, ...],
    year: int | None,
    choices: dict,
) -> threading.Thread | None:
    """Prefetch in a background thread, once per server for the same snapshot, scope and
    choices (a second viewer of the same area finds it done)."""
    if os.environ.get(PREFETCH_ENV, "1") == "0":
        return None
    key = (version, scope, pages, year, tuple(sorted(choices.items())))
    with _lock:
        if key in _started:
            return None
        if len(_started) >= MAX_REMEMBERED:  # a long-running server: forget, at worst rerun
            _started.clear()
        _started.add(key)
    return background.start(
        run, "shirube-prefetch", scope=scope, steps=plan(scope, pages, year, choices)
    )


# The pages whose queries are prefetched, by url path (dashboard.ui.PAGES and the rest).
PAGES = {
    "overview": _overview,
    "compare": _compare,
    "district": _district,
    "support": _support_page,
    "skills": _skills,
    "criteria": _criteria,
    "quality": _quality,
    "school": _school,
}
