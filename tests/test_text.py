"""Data shown on a page is never read as Markdown or HTML (dashboard.text)."""

from __future__ import annotations

import re

from dashboard.text import md, one_line, plot

WORD_JOINER = "\u2060"  # invisible; md() puts it where Markdown would start an autolink
HOSTILE_NAMES = (
    "**bold** school",
    ":red[red] school",
    "$x^2$ school",
    "[click here](http://evil.example/phish)",
    "![x](http://host/track.png)",
    ":material/home: school",
    "# heading",
    "<b>bold</b>",
)


def _unescape(escaped: str) -> str:
    """What the reader sees: escapes read, the invisible word joiners (see below) left out."""
    return re.sub(r"\\(.)", r"\1", escaped).replace(WORD_JOINER, "")


def test_markdown_escape_keeps_every_character_of_a_name():
    for name in HOSTILE_NAMES + ("千代田中学校", "=東京私立高等学校"):
        assert _unescape(md(name)) == name


def test_markdown_escape_leaves_no_unescaped_markup_character():
    for name in HOSTILE_NAMES:
        escaped = md(name)
        unescaped_markup = re.findall(r"(?<!\\)[*\[\]():$<>#!]", escaped)
        assert unescaped_markup == [], (name, escaped)


def test_japanese_names_are_unchanged():
    assert md("千代田区立麹町中学校") == "千代田区立麹町中学校"


def test_control_characters_and_line_breaks_become_spaces():
    assert one_line("a\nb\x1b[31mc\x07") == "a b [31mc "
    assert "\n" not in md("line one\n# line two")


def test_plotly_text_escapes_html():
    assert (
        plot('<a href="http://evil.example">x</a>')
        == '&lt;a href="http://evil.example"&gt;x&lt;/a&gt;'
    )
    assert plot(None) == ""


AUTOLINKED = re.compile(
    r"(?i)(?:https?|ftp|mailto|xmpp)\\?:|www\\?\.|[-.+\w]\\?@[-\w]"
)  # what GitHub-flavoured Markdown would still link once escapes are read


def test_urls_and_emails_in_a_name_are_not_autolinked():
    for name in (
        "[click](http://evil.example/x)",
        "see HTTPS://evil.example",
        "www.evil.example",
        "info@evil.example",
        "mailto:info@evil.example",
    ):
        escaped = md(name)
        assert AUTOLINKED.search(escaped.replace("\\", "")) is None, (name, escaped)
        assert _unescape(escaped) == name


def test_the_signed_in_persons_own_email_may_stay_a_link():
    assert md("coord@example.org", links=True) == "coord\\@example\\.org"
