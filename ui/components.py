"""Small display helpers every page uses: charts with provenance, RAG text, empty states."""

from __future__ import annotations

from urllib.parse import quote

import plotly.graph_objects as go
import streamlit as st

from charts.template import SLIDE_HEIGHT, SLIDE_WIDTH, rag_label
from ui.context import ReviewContext
from ui.download import png_download_button


def provenance(ctx: ReviewContext, *parts: str) -> None:
    """The caption under a figure: as-of date and filters, then what the caller adds (source).

    Escaped, because filter values and file names come from uploads."""
    st.caption(" · ".join(plain(p) for p in (ctx.describe(), *parts) if p))


def chart_config(filename: str) -> dict:
    """Plotly toolbar: the camera downloads a 1920x1080 PNG that looks like the screen."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "width": SLIDE_WIDTH,
            "height": SLIDE_HEIGHT,
            "scale": 1,
        },
    }


def show_chart(fig: go.Figure, key: str, ctx: ReviewContext, source: str, **kwargs):
    """Render a figure with our template (no Streamlit restyling) and its as-of/source caption."""
    event = st.plotly_chart(
        fig, key=key, theme=None, width="stretch", config=chart_config(key), **kwargs
    )
    provenance(ctx, f"source: {source}")
    png_download_button(fig, key, ctx, source)
    return event


# Enough to stop links, images, emphasis, code, headings, tables, maths and :emoji: codes.
_MARKDOWN_SPECIALS = set("\\`*_[]<>#!|~$:")


def plain(text: object) -> str:
    """Text from uploads, URLs or sources, escaped so Streamlit's markdown shows it as written:
    a sheet named ``![x](http://…)`` must not become an image, ``**x**`` not bold."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in str(text))


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


def rag_column(values):
    """RAG values as text with an icon, for tables (never colour alone)."""
    return values.map(rag_label)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def project_links(ids, ctx: ReviewContext) -> list[str]:
    """Relative links to the project detail page (work under any base path), keeping the date."""
    date = f"&date={ctx.review_date.date().isoformat()}" if ctx.has_data else ""
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
    st.dataframe(shown[cols], hide_index=True, column_config=DECISION_COLUMNS)
