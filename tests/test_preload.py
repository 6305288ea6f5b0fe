"""dashboard.preload: which of Streamlit's browser files it asks the browser to load early."""

from __future__ import annotations

from dashboard import preload


def test_element_files_are_the_named_elements_code_only(tmp_path):
    for name in (
        "Button.CORxUu4r.js",
        "ButtonGroup.CZAouSUd.js",
        "DataFrame.-f9-1zS0.js",
        "DataFrame.DUkanX9_.css",  # its style: Streamlit loads it with the table
        "BaseButton.GsR4p1Eu.js",  # a helper whose name only contains an element's
        "Buttons.Abc123.js",
        "index.DormvYxC.js",
    ):
        (tmp_path / name).write_text("")
    assert preload.element_files(tmp_path) == (
        "Button.CORxUu4r.js",
        "ButtonGroup.CZAouSUd.js",
        "DataFrame.-f9-1zS0.js",
    )


def test_the_installed_streamlit_has_a_file_for_every_element():
    # A Streamlit release that renames one makes the preload skip it silently: this says so.
    found = {name.split(".")[0] for name in preload.element_files()}
    assert found == set(preload.ELEMENTS)


def test_a_missing_folder_preloads_nothing(tmp_path):
    assert preload.element_files(tmp_path / "absent") == ()


def test_the_script_names_exactly_the_files_it_was_given():
    text = preload.script(("DataFrame.-f9-1zS0.js",))
    assert '["DataFrame.-f9-1zS0.js"]' in text
    assert text.startswith("<script>") and text.rstrip().endswith("</script>")
