"""Load the browser code of the sidebar's pages while a person reads their first page.

Streamlit's browser client loads the code of an element type the first time a page in the tab
shows one: the first table of a tab fetched and ran about 1.7 MB of JavaScript (the table, Arrow
and their helpers), and the page that showed it took 0.1-0.25 s longer than on later visits
(headless Chromium on the 2-core bench machine). Once a session's first page has run, a small
script asks the browser, when it is idle, to load the code of the element types the other pages
use: the same files Streamlit would load, found by name in the installed Streamlit's static
folder. Nothing is drawn and nothing the person sees changes. If a Streamlit release renames
them, nothing is loaded and the pages load their code as before.

SHIRUBE_PRELOAD=0 turns it off (to measure what it saves).
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

import streamlit as st

PRELOAD_ENV = "SHIRUBE_PRELOAD"
# Element types the pages show after the first one (the landing pages already load the charts,
# the metrics, the select boxes and the markdown): tables, the support page's multiselect, the
# view buttons, the school search, downloads, links to a school, the upload, the report's options.
ELEMENTS = (
    "DataFrame",
    "Multiselect",
    "ButtonGroup",
    "TextInput",
    "DownloadButton",
    "PageLink",
    "FileUploader",
    "Checkbox",
    "Button",
)
STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"
_DONE = "_preloaded"

# Runs once the element is drawn: waits for the browser to be idle, then imports each file from
# the folder of Streamlit's own entry script, so the browser keeps them as the modules Streamlit
# imports later (same address), not a second copy.
_SCRIPT = """<script>
(function () {
  var entry = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!entry) { return; }
  var files = %s;
  var load = function () {
    files.forEach(function (file) { import(new URL(file, entry.src).href).catch(function () {}); });
  };
  if (window.requestIdleCallback) { window.requestIdleCallback(load, {timeout: 5000}); }
  else { window.setTimeout(load, 1000); }
})();
</script>"""


@functools.cache
def element_files(folder: Path = STATIC_JS) -> tuple[str, ...]:
    """The file names of ELEMENTS' code in Streamlit's static folder (`Name.<hash>.js`)."""
    pattern = re.compile(rf"({'|'.join(ELEMENTS)})\.[A-Za-z0-9_-]+\.js")
    try:
        return tuple(sorted(p.name for p in folder.iterdir() if pattern.fullmatch(p.name)))
    except OSError:
        return ()


def script(files: tuple[str, ...]) -> str:
    return _SCRIPT % json.dumps(list(files))


def once_per_session() -> None:
    """After a session's first page: ask the browser to load the other pages' element code."""
    if st.session_state.get(_DONE) or os.environ.get(PRELOAD_ENV, "1") == "0":
        return
    st.session_state[_DONE] = True
    files = element_files()
    if files:
        st.sidebar.html(script(files), unsafe_allow_javascript=True)
