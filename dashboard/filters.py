"""Filters that live in the URL, so a link reproduces the view and back/forward work.

Each filter is a widget whose value mirrors one query parameter. Before the widget is drawn the
URL wins if it changed since the app last wrote it (a pasted link, back/forward); after the widget
is drawn its value is written back. A copy in session state survives page switches, which start
the new page with an empty query string.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

from dashboard import data
from dashboard.queries import options as q_options
from dashboard.scope import Scope
from pipelines.i18n import DEFAULT_LANG, LANGS, t
from pipelines.vocabulary import AREA_LEVELS as ALL_AREA_LEVELS

ANY = ""  # the "all" choice of an optional filter; absent from the URL
AREA_LEVELS = tuple(level for level in ALL_AREA_LEVELS if level != "hub")  # hubs: own filter


@dataclass(frozen=True)
class Filters:
    """The viewer's choices shared by every page."""

    year: int | None
    area_level: str
    area_code: str | None
    hub: str | None
    school_type: str | None
    establishment: str | None

    def selection(self) -> dict[str, object]:
        """Keyword arguments for the school-selection queries."""
        return dict(
            area_level=self.area_level,
            area_code=self.area_code,
            hub=self.hub,
            school_type=self.school_type,
            establishment=self.establishment,
        )

    @property
    def is_filtered(self) -> bool:
        return any((self.area_code, self.hub, self.school_type, self.establishment))


def _key(name: str) -> str:
    return f"filter_{name}"


def _sync_from_url(name: str, choices: Sequence[str], default: str) -> None:
    state = st.session_state
    url_value = st.query_params.get(name)
    key, kept = _key(name), f"_kept_{name}"
    if url_value is not None and url_value != state.get(f"_url_{name}") and url_value in choices:
        state[key] = url_value
    elif state.get(key) not in choices:
        state[key] = state[kept] if state.get(kept) in choices else default


def _write_to_url(name: str, value: str) -> None:
    st.session_state[f"_kept_{name}"] = value
    st.session_state[f"_url_{name}"] = value or None
    st.session_state.setdefault("_url_pending", {})[name] = value


def flush_url() -> None:
    """Write this run's filter values to the URL in one go, only when they changed.

    Each write adds a browser history entry, so one write per change keeps back/forward to one
    step per change. Parameters of widgets not drawn on this page are left out.
    """
    pending = {k: v for k, v in st.session_state.pop("_url_pending", {}).items() if v}
    if st.query_params.to_dict() != pending:
        st.query_params.from_dict(pending)


def url_selectbox(
    name: str,
    label: str,
    choices: Sequence[str],
    default: str,
    format_func: Callable[[str], str],
    container=None,
) -> str:
    """A selectbox bound to the query parameter `name` (choices are URL-safe codes)."""
    choices = list(choices)
    if default not in choices:
        default = choices[0] if choices else ANY
    return _url_bound(
        name,
        choices,
        default,
        lambda: (container or st).selectbox(
            label, choices, key=_key(name), format_func=format_func
        ),
    )


def url_segmented(
    name: str, label: str, choices: Sequence[str], default: str, format_func: Callable[[str], str]
) -> str:
    """A row of buttons, one of them chosen, bound to the query parameter `name` like
    url_selectbox. Clicking the chosen button again would leave none chosen: the next run then
    chooses it again (_sync_from_url puts back the value kept), and this run keeps it."""
    choices = list(choices)
    return _url_bound(
        name,
        choices,
        default,
        lambda: st.segmented_control(
            label, choices, key=_key(name), format_func=format_func, selection_mode="single"
        ),
    )


def _url_bound(name: str, choices: list[str], default: str, draw: Callable[[], object]) -> str:
    """The value of the widget `draw` draws, bound to the query parameter `name`: the URL (or
    the value kept from another page) before it is drawn, its value written back after. A widget
    left with no value (no choices, or a button clicked off) gives the value kept, else
    `default`."""
    _sync_from_url(name, choices, default)
    _relabel_after_language_switch(name, choices)
    widget = draw()
    kept = st.session_state.get(f"_kept_{name}")
    value = widget if widget is not None else (kept if kept in choices else default)
    _write_to_url(name, value)
    return value


def _relabel_after_language_switch(name: str, choices: list[str]) -> None:
    """Streamlit's browser side keeps showing a chosen option's label from the run that chose
    it: after a switch of language a box would still read 2025年度 or 全国 until the next page.
    Setting its value again, before it is drawn, sends the label of the language now in force."""
    state, lang, drawn_in = st.session_state, language(), f"_lang_{name}"
    if state.get(drawn_in) not in (None, lang) and state.get(_key(name)) in choices:
        state[_key(name)] = state[_key(name)]
    state[drawn_in] = lang


def language() -> str:
    """The language chosen in the sidebar (URL `lang`, kept across pages)."""
    state = st.session_state
    if "lang" in state.get("_url_pending", {}):  # the switch has been drawn in this run
        return state["_url_pending"]["lang"]
    url_value = st.query_params.get("lang")
    if url_value in LANGS and url_value != state.get("_url_lang"):
        return url_value  # a link with ?lang= (the switch adopts it when drawn)
    # Before the switch is drawn, its state may still hold what the browser sent: the option's
    # label ("English (英語)"), not its code. Labels change with the language, so read both.
    return (
        _lang_code(state.get(_key("lang"))) or _lang_code(state.get("_kept_lang")) or DEFAULT_LANG
    )


def _lang_code(value: object) -> str | None:
    """The language code for a code or for the switch's label of it in either language."""
    if value in LANGS:
        return str(value)
    for code in LANGS:
        if any(value == t(f"dashboard.language_{code}", shown) for shown in LANGS):
            return code
    return None


def language_switch() -> str:
    current = language()
    return url_selectbox(
        "lang",
        t("dashboard.language", current),
        LANGS,
        DEFAULT_LANG,
        lambda code: t(f"dashboard.language_{code}", current),
        container=st.sidebar,
    )


def sidebar_filters(scope: Scope, lang: str) -> Filters:
    """Draw the shared filters in the sidebar and return the choices."""
    side = st.sidebar
    side.markdown(f"**{t('dashboard.filters', lang)}**")
    years = [str(y) for y in data.query(q_options.academic_years, scope)["academic_year"]]
    year = url_selectbox(
        "year",
        t("dashboard.filter_year", lang),
        years,
        years[0] if years else ANY,
        lambda y: t("dashboard.year_format", lang, year=y),
        side,
    )
    if scope.is_school:
        # A school's pages are about that one school: no area, hub or kind of school to pick.
        return Filters(
            year=int(year) if year else None,
            area_level="national",
            area_code=None,
            hub=None,
            school_type=None,
            establishment=None,
        )
    # No area chosen is the nation for a viewer who may see it, and otherwise all the viewer
    # may see (selection.resolve): the first choice is named for what the pages then show.
    whole = "dashboard.level_national" if scope.is_everything else "dashboard.level_scope"
    level = url_selectbox(
        "level",
        t("dashboard.filter_area_level", lang),
        AREA_LEVELS,
        "national",
        lambda v: t(whole if v == "national" else f"dashboard.level_{v}", lang),
        side,
    )
    area_code = None
    if level != "national":
        areas = data.query(q_options.areas, scope, level=level)
        names = _names(areas, lang)
        area_code = (
            url_selectbox(
                "area",
                t("dashboard.filter_area", lang),
                [ANY, *names],
                ANY,
                _any_or(names, lang),
                side,
            )
            or None
        )
    hubs = _names(data.query(q_options.areas, scope, level="hub"), lang)
    hub = (
        url_selectbox(
            "hub", t("dashboard.filter_hub", lang), [ANY, *hubs], ANY, _any_or(hubs, lang), side
        )
        or None
    )
    kinds = data.query(q_options.school_kinds, scope)
    types = _kind_names(kinds, "type", lang)
    school_type = (
        url_selectbox(
            "type",
            t("dashboard.filter_school_type", lang),
            [ANY, *types],
            ANY,
            _any_or(types, lang),
            side,
        )
        or None
    )
    ests = _kind_names(kinds, "establishment", lang)
    establishment = (
        url_selectbox(
            "est",
            t("dashboard.filter_establishment", lang),
            [ANY, *ests],
            ANY,
            _any_or(ests, lang),
            side,
        )
        or None
    )
    return Filters(
        year=int(year) if year else None,
        area_level=level if area_code else "national",
        area_code=area_code,
        hub=hub,
        school_type=school_type,
        establishment=establishment,
    )


def current_filters() -> Filters:
    """The filters drawn by the app's sidebar in this run (pages call this)."""
    return st.session_state["filters"]


def _names(areas, lang: str) -> dict[str, str]:
    column = "area_name_ja" if lang == "ja" else "area_name_en"
    return dict(zip(areas["area_code"], areas[column], strict=True))


def _kind_names(kinds, kind: str, lang: str) -> dict[str, str]:
    rows = kinds.filter(kinds["kind"] == kind)
    return dict(zip(rows["code"], rows["name_ja" if lang == "ja" else "name_en"], strict=True))


def _any_or(names: dict[str, str], lang: str) -> Callable[[str], str]:
    return lambda code: t("dashboard.any", lang) if code == ANY else names.get(code, code)
