"""Small display helpers every page uses: charts with provenance, RAG text, empty states."""

from __future__ import annotations

import re
from urllib.parse import quote

import plotly.graph_objects as go
import streamlit as st

from analytics import money as fmt
from charts.summary import describe
from charts.template import (
    EXPORT_HEIGHT,
    EXPORT_SCALE,
    EXPORT_WIDTH,
    rag_label,
    with_provenance,
)
from exports.neutralise import to_csv_bytes
from ui.context import ReviewContext
from ui.download import png_download_button


def provenance(ctx: ReviewContext, *parts: str) -> None:
    """The caption under a figure: as-of date and filters, then what the caller adds (source).

    Escaped, because filter values and file names come from uploads."""
    st.caption(" · ".join(plain(p) for p in (ctx.describe(), *parts) if p))


def chart_config(filename: str) -> dict:
    """Plotly toolbar: the camera downloads what Download PNG renders (exports.png): the figure
    laid out at the slide layout size (charts.template.export_layout) and drawn at 2x, so the
    1920x1080 image has slide-sized text, not a 1920 px screen layout with 14 px labels."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "width": EXPORT_WIDTH,
            "height": EXPORT_HEIGHT,
            "scale": EXPORT_SCALE,
        },
    }


def export_source(ctx: ReviewContext, source: str) -> tuple[str, str]:
    """(as-of date, source with the sidebar filters): the line every exported chart carries."""
    filters = fmt.filters_text(ctx.filters)
    return fmt.day(ctx.review_date, missing=""), f"{source} · {filters}" if filters else source


def show_chart(fig: go.Figure, key: str, ctx: ReviewContext, source: str, **kwargs):
    """Render a figure with our template (no Streamlit restyling), its as-of/source caption and
    a text summary of what it shows (for screen readers, and without colour).

    The figure on screen carries the as-of/source line as its subtitle, so the toolbar camera's
    image has it as Download PNG's does (the page's cached figure itself is not changed)."""
    shown = with_provenance(fig, *export_source(ctx, source))
    event = st.plotly_chart(
        shown, key=key, theme=None, width="stretch", config=chart_config(key), **kwargs
    )
    provenance(ctx, f"source: {source}")
    st.caption(f"Chart summary: {plain(describe(fig))}")
    png_download_button(fig, key, ctx, source)
    return event


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


def kpi(
    where,
    label: str,
    value: str,
    change: float | None,
    fmt=lambda x: f"{x:+,.0f}",
    up_is_bad: bool | None = None,
    help: str | None = None,
) -> None:
    """A tile with its change since the compare date; "no change" is grey with no arrow.

    ``up_is_bad``: True colours a rise red, False green, None never colours.
    """
    if change is None or change != change:  # first week, or not computable
        where.metric(label, value, help=help, border=True)
        return
    if change == 0:
        where.metric(
            label, value, "no change", delta_color="off", delta_arrow="off", help=help, border=True
        )
        return
    colour = {True: "inverse", False: "normal"}.get(up_is_bad, "off")
    where.metric(label, value, fmt(change), delta_color=colour, help=help, border=True)


def data_table(frame, name: str, **kwargs):
    """A table of data with our CSV download under it. The table's own toolbar download and
    clipboard copy are off (``client.disableDataExport`` in .streamlit/config.toml): they export
    cells such as ``=HYPERLINK(…)`` as they are, and a spreadsheet would run them. Our CSV
    neutralises them (exports.neutralise). ``name`` names the file and keys the button."""
    event = st.dataframe(frame, **kwargs)
    st.download_button(
        "CSV",
        lambda: to_csv_bytes(frame),  # built only on click
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv_{name}",
        on_click="ignore",
        type="tertiary",
        icon=":material/download:",
        help="This table as CSV; text a spreadsheet would run as a formula gets a leading '",
    )
    return event


def rag_column(values):
    """RAG values as text with an icon, for tables (never colour alone)."""
    return values.map(rag_label)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def project_links(ids, ctx: ReviewContext) -> list[str]:
    """Relative links to the project detail page (work under any base path), keeping the date."""
    date = f"&date={fmt.day(ctx.review_date)}" if ctx.has_data else ""
    ids = ids.tolist() if hasattr(ids, "tolist") else ids  # a pyarrow column iterates slowly
    return [f"project?project={quote(str(pid), safe='')}{date}" for pid in ids]


def project_link_column(label: str = "Project"):
    """A table column of project_links() that shows the project id."""
    return st.column_config.LinkColumn(
        label, display_text=r"project=([^&]+)", help="Open the project detail page"
    )


DECISION_COLUMNS = {
    "decision_date": st.column_config.DateColumn("Date"),
    "link": project_link_column("ID"),
    "project": "Project",
    "forum": "Forum",
    "decision": "Decision",
    "decided_by": "Decided by",
    "rationale": st.column_config.TextColumn("Rationale", width="large"),
    "snapshot_date": st.column_config.DateColumn("Status snapshot (report date)"),
    "snapshot_rag": "RAG then",
    "snapshot_label": "Label then",
    "snapshot_spi": st.column_config.NumberColumn("SPI then", format="%.2f"),
    "snapshot_cpi": st.column_config.NumberColumn("CPI then", format="%.2f"),
}


def decision_table(decisions, ctx: ReviewContext, with_project: bool = True) -> None:
    """Gate and board decisions beside the status snapshot each was taken on."""
    shown = decisions.assign(
        snapshot_rag=decisions["snapshot_rag"].map(
            lambda r: rag_label(r) if isinstance(r, str) else "no report before"
        )
    )
    if with_project:
        shown = shown.assign(link=project_links(shown["project_id"], ctx))
    cols = [c for c in DECISION_COLUMNS if c in shown.columns]
    if not with_project:
        cols = [c for c in cols if c not in ("link", "project")]
    data_table(shown[cols], "decisions", hide_index=True, column_config=DECISION_COLUMNS)
