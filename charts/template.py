"""The one plotly template every chart uses, on screen and in exports, and the RAG palette."""

from __future__ import annotations

import base64
import html
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "pmo_lens"
# Colour-blind-aware RAG palette; every use also carries a text label or icon.
RAG_COLOURS = {"Green": "#2e7d32", "Amber": "#f9a825", "Red": "#c62828", "Grey": "#9e9e9e"}
RAG_ICONS = {"Green": "●", "Amber": "▲", "Red": "■", "Grey": "○"}
RAG_ORDER = ["Red", "Amber", "Green", "Grey"]
FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"
# Slide size for the toolbar camera and server-side PNG export (16:9).
SLIDE_WIDTH, SLIDE_HEIGHT = 1920, 1080
# Both exports lay the figure out at 960x540 and draw it at 2x: a 14 px label is 28 px on the
# 1920x1080 image (about 14 pt on a 13.3 in slide), as big relative to the chart as on screen.
EXPORT_WIDTH, EXPORT_HEIGHT = 960, 540
EXPORT_SCALE = SLIDE_WIDTH // EXPORT_WIDTH
# Category labels (portfolio, programme, project names) on an axis: wrapped at this many
# characters, at most LABEL_LINES lines, the rest cut with "…" (the full name is on hover).
LABEL_WIDTH, LABEL_LINES = 24, 2
# A title is one line of at most TITLE_WIDTH characters (18 px); notes and the as-of/source
# line under it wrap at SUBTITLE_WIDTH (12 px): both fit the narrowest chart column, a third
# of a 1280 px page (about 320 px).
TITLE_WIDTH, SUBTITLE_WIDTH = 40, 48


def rag_label(rag: str | None) -> str:
    """``■ Red``: the icon keeps the meaning on a grey-scale print."""
    rag = rag if rag in RAG_COLOURS else "Grey"
    return f"{RAG_ICONS[rag]} {rag}"


def chart_text(text: object) -> str:
    """The escaping rule for data text in a figure (titles, tick labels, legend names, hover,
    text on marks, annotations). Plotly renders a subset of HTML there (``<a href>``, ``<b>``,
    ``<br>``, ``<span style>``, ``<sup>``…) and decodes entities, so ``&``, ``<`` and ``>``
    are escaped: the text shows as written and never becomes a link or markup."""
    return html.escape(str(text), quote=False)


def short_label(text: object, width: int = LABEL_WIDTH, lines: int = LABEL_LINES) -> str:
    """A long name as an axis or legend label: wrapped at word boundaries into at most ``lines``
    lines of about ``width`` characters (``<br>``), cut with "…" when longer; escaped like
    chart_text. Show the full name on hover."""
    words = " ".join(str(text).split())
    wrapped = textwrap.wrap(words, width, break_long_words=True, break_on_hyphens=False)
    if len(wrapped) > lines:
        last = wrapped[lines - 1]
        wrapped = wrapped[: lines - 1] + [last[: width - 1].rstrip() + "…"]
    return "<br>".join(chart_text(line) for line in wrapped)


def category_labels(
    fig: go.Figure, names, axis: str = "y", lines: int = LABEL_LINES, values=None, prefixes=None
) -> None:
    """Show long category names shortened on a category axis (short_label; ``prefixes``, e.g. a
    warning sign, go before each). The traces keep their values (``values``, default the
    escaped names), so hover, selection and clicks still see the full name or the id."""
    names = list(names)
    values = [chart_text(n) for n in names] if values is None else list(values)
    prefixes = [""] * len(names) if prefixes is None else list(prefixes)
    getattr(fig, f"update_{axis}axes")(
        type="category",  # ids or names such as "2024" would otherwise make a numeric axis
        tickmode="array",
        tickvals=values,
        ticktext=[p + short_label(n, lines=lines) for p, n in zip(prefixes, names, strict=True)],
    )


def category_height(n: int, lines: int = LABEL_LINES, base: int = 450) -> int:
    """Screen height for a bar chart with ``n`` categories of up to ``lines`` label lines, so
    the labels never crowd each other (the slide export has its fixed height)."""
    return max(base, n * (12 + 18 * lines) + 220)


# Axis titles keep a gap from the tick labels whatever their width (automargin moves them
# out together with the labels, which may be long names).
_AXIS = {
    "gridcolor": "#eeeeee",
    "zerolinecolor": "#bdbdbd",
    "automargin": True,
    "title": {"standoff": 12},
}


def _register() -> None:
    template = go.layout.Template()
    template.layout = go.Layout(
        font={"family": FONT, "size": 14, "color": "#212121"},
        # Title (one line) and its subtitle (a note, the as-of/source line; may wrap) at the
        # top left with a gap to the edge; automargin makes room for them above the plot.
        title={
            "font": {"size": 18},
            "subtitle": {"font": {"size": 12, "color": "#616161"}},
            "x": 0,
            "xref": "container",
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"l": 16, "t": 12},
            "automargin": True,
        },
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=["#1565c0", "#6a1b9a", "#00838f", "#ef6c00", "#4e342e", "#558b2f"],
        # Minimums: axes with long labels, the title and the legend push the margins out.
        margin={"l": 16, "r": 24, "t": 40, "b": 12},
        # At the bottom of the figure (not the plot), so it pushes the bottom margin and never
        # sits on the axis title whatever the figure's height; at the top a long legend would
        # run into the title.
        legend={
            "orientation": "h",
            "xref": "container",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
        },
        # A small gap under the plot: the first date label and the y axis's "0" at the corner
        # would otherwise touch.
        xaxis={**_AXIS, "ticklabelstandoff": 8},
        yaxis={**_AXIS, "ticklabelstandoff": 6},
        hoverlabel={"font": {"family": FONT}},
    )
    pio.templates[TEMPLATE_NAME] = template


_register()


def wrap(text: str, width: int) -> str:
    """Already escaped text broken into ``<br>`` lines of about ``width`` characters (only at
    spaces, so no entity is split). Plotly never wraps: a long line would run past the edge of
    a chart in a narrow column. (Subtitles only: a title of several lines is drawn partly above
    the figure.)"""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) or text


def apply(fig: go.Figure, title: str, note: str | None = None) -> go.Figure:
    """Our template, a short one-line ``title`` (at most TITLE_WIDTH characters fit half a
    1280 px page) and an optional ``note`` under it (how to read the chart), wrapped."""
    fig.update_layout(
        template=TEMPLATE_NAME,
        title={"text": title, "subtitle": {"text": wrap(note, SUBTITLE_WIDTH) if note else None}},
    )
    return fig


def trend_dates(fig: go.Figure, dates) -> None:
    """A review-date x axis that reads as dates however many there are. With one date plotly
    zooms to a millisecond ("23:59:59.999 Mar 30, 2023"): the axis is a fortnight around it
    with that one date as its tick, and the traces draw points (a line or an area of one
    point draws nothing). Every trend over review dates uses this."""
    days = pd.to_datetime(pd.Series(list(dates)), errors="coerce").dropna().unique()
    fig.update_xaxes(type="date", tickformat="%d %b %Y")
    if len(days) == 1:
        day = pd.Timestamp(days[0])
        week = pd.Timedelta(days=7)
        fig.update_xaxes(range=[day - week, day + week], tickvals=[day])
        fig.update_traces(mode="lines+markers", marker={"size": 10}, selector={"type": "scatter"})


def provenance_text(as_of: str, source: str) -> str:
    """The as-of and source line every exported chart carries (source escaped: file names and
    filter values come from uploads)."""
    parts = [f"as of {as_of}" if as_of else "", f"source: {chart_text(source)}" if source else ""]
    return wrap(" · ".join(p for p in parts if p), SUBTITLE_WIDTH)


def with_provenance(fig: go.Figure, as_of: str, source: str) -> go.Figure:
    """A copy of ``fig`` whose subtitle ends with the as-of/source line, so any image of it
    (the toolbar camera, Download PNG, the deck) says when and where from. The figure itself is
    not changed: pages keep their figures cached."""
    out = go.Figure(fig)
    note = out.layout.title.subtitle.text if out.layout.title.subtitle else None
    line = provenance_text(as_of, source)
    out.update_layout(title_subtitle_text=f"{note}<br>{line}" if note else line)
    return out


def export_layout(fig: go.Figure, as_of: str, source: str) -> go.Figure:
    """The slide layout both the toolbar camera and Download PNG draw: the figure with its
    as-of/source line at EXPORT_WIDTH x EXPORT_HEIGHT (scaled by EXPORT_SCALE to 1920x1080).
    The camera gets the same size from ui.components.chart_config."""
    out = with_provenance(fig, as_of, source)
    out.update_layout(width=EXPORT_WIDTH, height=EXPORT_HEIGHT, autosize=False)
    return out


def _values(v) -> np.ndarray:
    # Plotly stores numpy data as base64 "typed arrays" ({"dtype", "bdata"}) in figure JSON.
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).astype(object)
    return np.asarray(v, dtype=object).ravel()


def has_points(fig: go.Figure) -> bool:
    """True when some trace draws something: a heatmap cell with a value, or a point (bar,
    bubble, line vertex, slice) whose coordinates are all present. A figure without any would
    render as empty axes; callers show a plain message instead."""
    for trace in fig.data:
        keys = ("z",) if trace.type == "heatmap" else ("x", "y", "values")
        cols = [_values(v) for k in keys if (v := getattr(trace, k, None)) is not None]
        if not cols:
            continue
        n = min(len(c) for c in cols)
        present = np.ones(n, dtype=bool)
        for c in cols:
            present &= ~pd.isna(c[:n]).astype(bool)
        if present.any():
            return True
    return False
