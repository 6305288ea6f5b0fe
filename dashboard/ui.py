"""What every page shares: the language, messages, the page guard and the empty states."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polars as pl
import streamlit as st

from dashboard import access, data, prefetch
from dashboard.filters import Filters, current_filters, language
from dashboard.queries import options as q_options
from dashboard.scope import Scope
from dashboard.selection import NATIONAL, Selection, resolve
from dashboard.text import md
from pipelines.i18n import t

log = logging.getLogger("shirube.dashboard")


@dataclass(frozen=True)
class PageSpec:
    file: str  # relative to dashboard/app.py
    url_path: str
    title_key: str
    icon: str
    hidden: bool = False  # registered (reachable by URL) but not in the navigation
    # Reads the sidebar's shared filters (year, area, hub, kind of school). A page that does not
    # (it has its own year, or none) is drawn without them: a filter shown must filter.
    filtered: bool = True


PAGES = (
    PageSpec("views/overview.py", "overview", "page_overview", ":material/map:"),
    PageSpec("views/compare.py", "compare", "page_compare", ":material/compare_arrows:"),
    PageSpec("views/school.py", "school", "page_school", ":material/school:"),
    PageSpec("views/support.py", "support", "page_support", ":material/support:"),
    PageSpec("views/district.py", "district", "page_district", ":material/trending_up:"),
    PageSpec("views/quality.py", "quality", "page_quality", ":material/fact_check:"),
    PageSpec("views/report.py", "report", "page_report", ":material/description:"),
)
# Pages only ASKNET staff get (not even registered for anyone else, so their URL is unknown).
ASKNET_PAGES = (
    PageSpec("views/audit.py", "audit", "page_audit", ":material/policy:", filtered=False),
)


# A school's own login: its profile, its self-assessment and its returns; no page that lists
# other schools is even registered.
SCHOOL_PAGES = ("school", "skills", "self_assessment", "student_record", "quality")
SELF_ASSESSMENT = PageSpec(
    "views/self_assessment.py",
    "self_assessment",
    "page_self_assessment",
    ":material/checklist:",
    filtered=False,  # its own year and term: the return being answered
)
# The student's record: a school's own login only (the query layer refuses anyone else too).
STUDENT_RECORD = PageSpec(
    "views/student_record.py",
    "student_record",
    "page_student_record",
    ":material/badge:",
    filtered=False,  # a student's whole record, every year
)


CRITERIA = PageSpec("views/criteria.py", "criteria", "page_criteria", ":material/rule:")
SKILLS = PageSpec("views/skills.py", "skills", "page_skills", ":material/psychology:")
# Streamlit serves the default page at "/" only, so a school's profile is not its default: a
# hidden landing page opens it, and /school?school=CODE keeps working for a school's login.
SCHOOL_HOME = PageSpec("views/school_home.py", "home", "page_school", ":material/school:", True)
# Every page of the app, whichever role has it.
ALL_PAGES = (*PAGES, CRITERIA, SKILLS, SELF_ASSESSMENT, STUDENT_RECORD, *ASKNET_PAGES, SCHOOL_HOME)


def page_spec(url_path: str) -> PageSpec:
    """The page at `url_path`; the default page (served at "/", url_path "") is a filtered one
    for every role (the overview, or a school's landing page)."""
    return next((p for p in ALL_PAGES if p.url_path == url_path), PAGES[0])


def pages_for(viewer: access.Viewer) -> tuple[PageSpec, ...]:
    if viewer.scope.is_school:
        every = {p.url_path: p for p in ALL_PAGES}
        return (SCHOOL_HOME, *(every[path] for path in SCHOOL_PAGES))
    pages = PAGES[:5] + (CRITERIA, SKILLS) + PAGES[5:]
    if viewer.may_act_for_school:
        pages = pages[:3] + (SELF_ASSESSMENT,) + pages[3:]
    return pages + ASKNET_PAGES if viewer.is_asknet else pages


def pages_not_for(viewer: access.Viewer) -> tuple[PageSpec, ...]:
    """Every page the viewer's role does not have (dashboard.elsewhere answers at their URLs)."""
    mine = {p.url_path for p in pages_for(viewer)}
    return tuple({p.url_path: p for p in ALL_PAGES if p.url_path not in mine}.values())


def lang() -> str:
    return language()


def m(key: str, **values: object) -> str:
    """The dashboard message `key` in the viewer's language."""
    return t(f"dashboard.{key}", lang(), **values)


def m_md(key: str, **values: object) -> str:
    """The message `key` for a Markdown place (title, caption, markdown, alert, widget label),
    with every value escaped: names and codes that came from data or the URL stay literal."""
    return m(key, **{name: md(value) for name, value in values.items()})


def join(items: Iterable[object]) -> str:
    """A list in the viewer's language: 「A、B」 in Japanese, "A, B" in English."""
    return m("list_separator").join(str(item) for item in items)


def link_params(**extra: object) -> dict[str, str]:
    """The current language and filters as URL parameters (plus `extra`), for a link to another
    page that keeps the view: the same names the sidebar writes to the URL."""
    f = filters()
    params = {
        "lang": lang(),
        "year": f.year,
        "level": f.area_level if f.area_code else None,
        "area": f.area_code,
        "hub": f.hub,
        "type": f.school_type,
        "est": f.establishment,
        **extra,
    }
    return {name: str(value) for name, value in params.items() if value not in (None, "")}


def labels(prefix: str, language_code: str) -> Callable[[str], str]:
    """A widget's format_func: code -> the message `<prefix><code>`, bound to one language.

    Bound now, not looked up at call time: Streamlit may format options outside the run.
    """
    return lambda code: t(f"dashboard.{prefix}{code}", language_code)


def scope() -> Scope:
    """The viewer's scope, decided by app.py from the login and the roles file (dashboard.access).

    Every query takes it: school rows outside it are never read.
    """
    return access.current().scope


def filters() -> Filters:
    return current_filters()


def benchmarks() -> pl.DataFrame:
    return data.query(q_options.benchmarks, scope())


# The title of the page being run (set by dashboard/app.py).
PAGE_TITLE = "_page_title"


def run_page(body: Callable[[], None]) -> None:
    """Run a page body; an unexpected error shows a polite message, the traceback goes to the log.

    Streamlit's own control flow (st.rerun, st.stop) derives from BaseException and passes.
    """
    try:
        if data.snapshot() is None and not getattr(body, "works_without_snapshot", False):
            # A page without its body still says which page it is.
            st.title(st.session_state.get(PAGE_TITLE) or m("no_snapshot_heading"))
            show_no_snapshot()
            return
        body()
        _prefetch_sidebar()
    except data.NoSnapshotError:
        show_no_snapshot()
    except Exception:
        log.exception("page failed")
        st.error(m("page_error"))


def _prefetch_sidebar() -> None:
    """Once a session's page has drawn, warm its sidebar's other pages for this viewer's scope
    and sidebar choices in the background (dashboard.prefetch), once per choices. Only on a
    served dashboard (not a test's script runner); never fails the page that has drawn."""
    from streamlit import runtime

    try:
        current = data.snapshot()
        # No sidebar filters without a snapshot, nor on a page that does not read them.
        drawn = st.session_state.get("filters")
        if current is not None and drawn is not None and runtime.exists():
            _start_prefetch(current.version, drawn)
    except Exception:
        log.exception("prefetch not started")


def _start_prefetch(version: str, f: Filters) -> None:
    choices = f.selection()
    key = (version, f.year, tuple(sorted(choices.items())))
    if st.session_state.get("_prefetched") == key:
        return
    st.session_state["_prefetched"] = key
    viewer = access.current()
    pages = tuple(spec.url_path for spec in pages_for(viewer) if not spec.hidden)
    prefetch.start(version, viewer.scope, pages, f.year, choices)


def show_no_snapshot() -> None:
    st.info(m("no_snapshot_title"))
    shared = data.shared_snapshot_dir()
    if shared is not None:  # a replica: files are loaded on the writer, not here
        st.markdown(m("no_snapshot_replica_body", dir=str(shared)))
    else:
        st.markdown(m("no_snapshot_body", db=str(data.db_path())))


def show_data_version(lang: str) -> None:
    """Sidebar footer: when the data this server shows was published, in words; the snapshot's
    id in the tooltip (so several servers behind a load balancer can be compared)."""
    info = data.query(data.snapshot_info, scope())
    if info.is_empty():
        return
    published = info["published_at"][0]
    label = t(
        "dashboard.data_version",
        lang,
        published=t("dashboard.datetime_format", lang, at=published) if published else "—",
    )
    version = t("dashboard.data_version_help", lang, version=info["version"][0])
    # Small grey Markdown rather than st.caption: pages' own captions stay the first ones.
    st.sidebar.markdown(f":small[:gray[{md(label)}]]", help=version)


def no_schools() -> None:
    st.warning(m("no_schools"))


def page_title(title_key: str) -> None:
    st.title(m(title_key))


def name_column(prefix: str = "area_name") -> str:
    return f"{prefix}_{lang()}"


def area_name(level: str, code: str) -> str:
    if level == "national":
        return m("level_national")
    areas = data.query(q_options.areas, scope(), level=level)
    names = dict(zip(areas["area_code"], areas[name_column()], strict=True))
    return names.get(code, code)


def selection(f: Filters) -> Selection:
    """The area this view shows for the sidebar's choices (dashboard.selection, the one place)."""
    return resolve(scope(), **f.selection())


def selection_label(f: Filters) -> str:
    """Words for the area the view shows, e.g. '東京都 / 中学校 / 公立'; when unfiltered, 全国 or
    the viewer's own area (plain text: escape with dashboard.text where it is rendered)."""
    shown = selection(f)
    parts = []
    if (shown.area_level, shown.area_code) != NATIONAL:
        parts.append(area_name(shown.area_level, shown.area_code))
    if shown.hub:
        parts.append(area_name("hub", shown.hub))
    kinds = data.query(q_options.school_kinds, scope())
    names = {(k, c): n for k, c, n in kinds.select("kind", "code", f"name_{lang()}").iter_rows()}
    if shown.school_type:
        parts.append(names.get(("type", shown.school_type), shown.school_type))
    if shown.establishment:
        parts.append(names.get(("establishment", shown.establishment), shown.establishment))
    return " / ".join(parts) if parts else m("level_national")


# Plotly's toolbar offers "Download plot as png": a way for data to leave that no one records.
# Charts keep zoom and hover; images of figures leave only through the audited reports.
CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["toImage"]}


def figure(builder: Callable[..., object], *args: object, **kwargs: object) -> object:
    """`builder(*args, **kwargs)`: a chart builder's figure, built once per server for the same
    arguments (the query results, language and titles it is drawn from) and reused by every
    rerun and session that draws it again. Building and validating a Plotly figure took
    10-30 ms a chart; pages draw it from the same snapshot's cached results over and over.
    The figure is shared: nothing changes it after it is built (chart() only reads it)."""
    name = f"{builder.__module__}.{builder.__qualname__}"
    return _built_figure(name, args, tuple(sorted(kwargs.items())), _builder=builder)


@st.cache_resource(max_entries=256, show_spinner=False)
def _built_figure(
    name: str,  # noqa: ARG001 - part of the cache key: the builder
    args: tuple,
    kwargs: tuple[tuple[str, object], ...],
    _builder: Callable[..., object],
) -> object:
    return _builder(*args, **dict(kwargs))


def chart(figure: object, key: str) -> None:
    """Show a Plotly figure the way every page does: full width, without the image download."""
    st.plotly_chart(figure, key=key, config=CHART_CONFIG)
