"""``plain``: the one escaping rule for text from data shown as markdown. Imports nothing of
the app, so every ui module (the sidebar, the data boundary, components) can use it."""

from __future__ import annotations

import re

# Every ASCII character Streamlit's markdown gives a meaning to, escaped with a backslash:
# links, images, emphasis, code, headings, tables, maths, HTML, entities and :directives:.
_MARKDOWN_SPECIALS = set("\\`*_[]<>#!|~$:&{}")
# Streamlit runs GFM autolinks and :material/...: icons on the text *after* escapes are
# resolved, so backslashes cannot stop them: a word joiner (U+2060, invisible, no line break)
# after ``:`` or ``@`` before a non-space and between ``www`` and ``.`` breaks those patterns.
WORD_JOINER = "\u2060"
_LINK_PATTERNS = re.compile(r"(?<=[:@])(?=\S)|(?i:(?<=\bwww)(?=\.))")
# Block syntax at the start of the text: lists, setext/thematic lines, numbered lists.
_BLOCK_START = re.compile(r"^(?=[-+=])|^(\d+)(?=[.)])")


def plain(text: object) -> str:
    """The one escaping rule for text that comes from data (uploads, sources, the URL), for
    anything Streamlit renders as markdown: markdown, captions, headers, metric labels, values
    and deltas, alerts, button, download-button, tab and expander labels, radio, pills and
    segmented-control options, ``help``. (Selectbox and multiselect options and table cells
    are shown as plain text: never escape those. Figures use charts.template.chart_text.)

    The text shows as written, on one line: ``![x](http://…)`` is no image, ``[a](b)`` and
    ``http://…`` are no links, ``**x**`` and ``<b>x</b>`` are no emphasis or HTML."""
    text = " ".join(str(text).split())  # one line: no block syntax from embedded newlines
    text = "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in text)
    text = _BLOCK_START.sub(lambda m: (m.group(1) or "") + "\\", text, count=1)
    return _LINK_PATTERNS.sub(WORD_JOINER, text)
