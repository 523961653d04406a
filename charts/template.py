"""The one plotly template every chart uses, on screen and in exports, and the RAG palette."""

from __future__ import annotations

import base64
import html

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


def _register() -> None:
    template = go.layout.Template()
    template.layout = go.Layout(
        font={"family": FONT, "size": 14, "color": "#212121"},
        title={"font": {"size": 18}, "x": 0, "xanchor": "left"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=["#1565c0", "#6a1b9a", "#00838f", "#ef6c00", "#4e342e", "#558b2f"],
        margin={"l": 60, "r": 30, "t": 60, "b": 90},
        # Below the plot: a long legend at the top would run into the title.
        legend={"orientation": "h", "yanchor": "top", "y": -0.26, "x": 0, "xanchor": "left"},
        xaxis={"gridcolor": "#eeeeee", "zerolinecolor": "#bdbdbd"},
        yaxis={"gridcolor": "#eeeeee", "zerolinecolor": "#bdbdbd"},
        hoverlabel={"font": {"family": FONT}},
    )
    pio.templates[TEMPLATE_NAME] = template


_register()


def apply(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(template=TEMPLATE_NAME, title=title)
    return fig


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
