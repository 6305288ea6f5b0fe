"""Entry point: `streamlit run dashboard/app.py` (or `shirube serve`).

Decides who is looking first (dashboard.access): someone who may not see data gets the login,
the refusal or a message, and the script stops before any page, filter or query runs. Then it
sets the pages, the language switch and the shared filters, and runs the chosen page. Pages are
thin layouts in dashboard/views/; they read the marts snapshot through dashboard.data. (Not
pages/: Streamlit treats a pages/ folder beside the entry script as the older multipage mode and,
on a first visit to a page's URL, runs that page without this script, so without the sidebar.)
"""

from __future__ import annotations

import streamlit as st

from dashboard import access, data, elsewhere, preload, ui
from dashboard.filters import flush_url, language_switch, sidebar_filters

st.set_page_config(page_title="Shirube しるべ", layout="wide")
viewer = access.resolve_viewer()
access.remember(viewer)
if not viewer.may_see_data:
    lang = language_switch()
    access.show_gate(viewer, lang)
    flush_url()
    st.stop()
pages = [
    st.Page(
        spec.file,
        title=ui.m(spec.title_key),
        icon=spec.icon,
        url_path=spec.url_path,
        default=index == 0,
        visibility="hidden" if spec.hidden else "visible",
    )
    for index, spec in enumerate(ui.pages_for(viewer))
]
pages += [elsewhere.page(spec, pages[0]) for spec in ui.pages_not_for(viewer)]
# Navigation first: it resolves the page from the URL, and query parameters written before it
# would be lost. The language is already known here (URL or session), so titles are right.
page = st.navigation(pages)
st.session_state.pop("_url_pending", None)
lang = language_switch()
access.show_banner(viewer, lang)
if access.show_role_problems(viewer, lang):  # an area in the roles file with no schools
    flush_url()
    st.stop()
st.session_state.pop("filters", None)
try:
    if data.snapshot() is not None:
        if ui.page_spec(page.url_path).filtered:
            st.session_state["filters"] = sidebar_filters(ui.scope(), lang)
        ui.show_data_version(lang)
except Exception:  # a broken snapshot must not stop the pages from explaining themselves
    ui.log.exception("sidebar filters failed")
st.session_state[ui.PAGE_TITLE] = page.title  # for a page that cannot run its own body
try:
    page.run()
    preload.once_per_session()
finally:
    flush_url()
