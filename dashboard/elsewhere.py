"""A page the viewer's role does not have, opened by its address (a bookmark, a link from a
colleague with another role): it says so in the viewer's language and links to the role's first
page. Without it Streamlit shows its own "Page not found" box, in English, whatever the
viewer's language. Nothing is read from the warehouse."""

from __future__ import annotations

import streamlit as st

from dashboard import ui


def page(spec: ui.PageSpec, home: st.Page) -> st.Page:
    """A hidden page at `spec`'s address that only explains; `home`: the role's first page."""

    def not_for_this_role() -> None:
        st.title(ui.m("page_not_for_role_title"))
        st.info(ui.m("page_not_for_role", page=ui.m(spec.title_key)))
        st.page_link(home, label=ui.m("page_not_for_role_link", page=home.title))

    return st.Page(
        not_for_this_role, title=ui.m(spec.title_key), url_path=spec.url_path, visibility="hidden"
    )
