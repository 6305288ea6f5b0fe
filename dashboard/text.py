"""Text that came from data, shown on a page: one helper for every view.

School, hub, municipality and file names, values from the URL and anything else a sender wrote
are data, never markup. Streamlit renders titles, headers, captions, messages and widget labels
as Markdown with its own extensions (`:red[…]` colours, `$…$` maths, `:material/…:` icons,
links and images), and Plotly renders a subset of HTML in titles, labels and hover text
(`<a href>`, `<b>`, `<br>`). `md()` and `plot()` make such a value show exactly as written.
Control characters and line breaks become spaces: a name is one line.

Escaping is not enough for links: Streamlit's Markdown (GitHub's flavour) turns bare URLs,
`www.` names and e-mail addresses into links after escapes are read. `md()` puts an invisible
WORD JOINER (U+2060) inside each such pattern, so it shows the same and links nowhere.
"""

from __future__ import annotations

import html
import re

# Every ASCII punctuation mark may be backslash-escaped in CommonMark; escaping all of those that
# start any Markdown or Streamlit construct keeps the text literal.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=^\"'@%])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
WORD_JOINER = "\u2060"
# Where GitHub-flavoured Markdown starts an autolink: a scheme's colon, `www.`, an e-mail's @.
_AUTOLINK = re.compile(
    r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=ftp)(?=:)|(?<=mailto)(?=:)"
    r"|(?<=xmpp)(?=:)|(?<=www)(?=\.)|(?=@)"
)


def one_line(value: object) -> str:
    """The value as one line of plain text: None is empty, control characters become spaces."""
    if value is None:
        return ""
    return _CONTROL.sub(" ", str(value))


def md(value: object, *, links: bool = False) -> str:
    """`value` escaped for st.markdown, st.title, st.caption, st.info and widget labels.

    `links=True` leaves bare URLs and e-mail addresses to be linked (only for text the app
    trusts, such as the signed-in person's own e-mail from the identity provider)."""
    text = one_line(value)
    if not links:
        text = _AUTOLINK.sub(WORD_JOINER, text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def plot(value: object) -> str:
    """`value` escaped for Plotly titles, axis labels, legends and hover text."""
    return html.escape(one_line(value), quote=False)
