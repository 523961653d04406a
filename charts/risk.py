"""Figures of the Risks page: the 5x5 matrix, movement between assessments, the band trend and
exposure against remaining contingency. Every cell and bar carries a text label (count and band)
so the figures read on a grey-scale slide."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from analytics.risk import MOVES
from charts.contrast import text_colour
from charts.template import RAG_COLOURS, apply, category_labels, chart_text, trend_dates
from vocabulary.currencies import symbol

# Low to high: green, amber, orange, red; other band counts are sampled along the same ramp.
# Legends sit under the plot so they never run into a long title.
BAND_RAMP = [RAG_COLOURS["Green"], RAG_COLOURS["Amber"], "#ef6c00", RAG_COLOURS["Red"]]
MOVE_COLOURS = {
    "down 2+ bands": "#1b5e20",
    "down 1 band": "#66bb6a",
    "same band, lower score": "#90caf9",
    "no change": "#bdbdbd",
    "higher after response": "#c62828",
    "not assessed": "#ffffff",
}
CELL_MARKER = 64  # px: large squares that fill most of a cell at the page's chart size


def band_colours(bands: list[str]) -> dict[str, str]:
    """One colour per band, lowest green to highest red, for any number of bands."""
    if len(bands) == len(BAND_RAMP):
        return dict(zip(bands, BAND_RAMP, strict=True))
    if len(bands) == 1:
        return {bands[0]: BAND_RAMP[-1]}
    scale = [[i / (len(BAND_RAMP) - 1), c] for i, c in enumerate(BAND_RAMP)]
    points = [i / (len(bands) - 1) for i in range(len(bands))]
    return dict(zip(bands, sample_colorscale(scale, points, colortype="rgb"), strict=True))


def _text_colour(band: str | None, bands: list[str]) -> str:
    # Whichever of dark or white text contrasts more with the band's fill (WCAG AA, 4.5:1):
    # by position, dark text sat on the green low band (3.1:1), white on orange high (3.1:1).
    return text_colour(band_colours(bands).get(band, "#eeeeee"))


def risk_matrix(cells: pd.DataFrame, bands: list[str], basis: str) -> go.Figure:
    """The 5x5 likelihood x impact matrix as square markers (one point per cell, so a click
    selects a cell). ``customdata`` = [likelihood, impact]; every cell shows its count and band."""
    colours = band_colours(bands)
    fig = go.Figure()
    # Cell backgrounds as shapes: exact squares at any width, in a lighter tint of the band.
    for row in cells.itertuples():
        fig.add_shape(
            type="rect",
            x0=row.impact - 0.5,
            x1=row.impact + 0.5,
            y0=row.likelihood - 0.5,
            y1=row.likelihood + 0.5,
            fillcolor=colours.get(row.band, "#eeeeee"),
            opacity=0.35,
            line={"color": "white", "width": 3},
            layer="below",
        )
    fig.add_scatter(
        x=cells["impact"],
        y=cells["likelihood"],
        mode="markers+text",
        marker={
            "symbol": "square",
            "size": CELL_MARKER,
            "color": [colours.get(b, "#eeeeee") for b in cells["band"]],
            "line": {"color": "#424242", "width": 1},
        },
        text=[f"<b>{n}</b><br>{b}" for n, b in zip(cells["risks"], cells["band"], strict=True)],
        textfont={
            "size": 13,
            "color": [_text_colour(b, bands) for b in cells["band"]],
        },
        textposition="middle center",
        # A plain list: a numpy array is sent base64-encoded and comes back as a dict.
        customdata=cells[["likelihood", "impact"]].astype(int).values.tolist(),
        hovertemplate=(
            "likelihood %{customdata[0]} × impact %{customdata[1]}"
            "<br>%{text}<br>click to list the risks<extra></extra>"
        ),
        # After a click the other cells fade only a little, so the matrix stays readable.
        selected={"marker": {"opacity": 1}},
        unselected={"marker": {"opacity": 0.6}, "textfont": {"color": "#424242"}},
        showlegend=False,
        name="cells",
    )
    # Legend entries for the bands (text, so the legend also reads without colour).
    for b in bands:
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 14, "color": colours[b]},
            name=b,
            hoverinfo="skip",
        )
    axis = {
        "tickmode": "array",
        "tickvals": [1, 2, 3, 4, 5],
        "range": [0.5, 5.5],
        "showgrid": False,
        "zeroline": False,
        "fixedrange": True,
    }
    fig.update_xaxes(title=f"{basis} impact (1-5)", **axis)
    fig.update_yaxes(title=f"{basis} likelihood (1-5)", scaleanchor="x", scaleratio=1, **axis)
    fig.update_layout(
        height=560,
        clickmode="event+select",
        dragmode=False,
        legend_title_text="band:",
        meta={"items": "cells"},
    )
    total = int(cells["risks"].sum())
    return apply(fig, f"Risk matrix ({total} risks)", f"{basis} assessment")


def movement(summary: pd.DataFrame, bands: list[str]) -> go.Figure:
    """Risks per inherent band, split by how their residual assessment moved."""
    fig = go.Figure()
    for move in MOVES:
        part = summary[summary["move"] == move]
        if not part["risks"].any():
            continue
        fig.add_bar(
            y=part["band"],
            x=part["risks"],
            name=move,
            orientation="h",
            marker={"color": MOVE_COLOURS[move], "line": {"color": "#424242", "width": 0.5}},
            text=[str(n) if n else "" for n in part["risks"]],
            textposition="inside",
            hovertemplate=f"inherent %{{y}}: %{{x}} {move}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        xaxis_title="risks",
        yaxis_title="inherent band",
        yaxis={"categoryorder": "array", "categoryarray": bands},
        height=460,
        meta={"items": "inherent bands"},
    )
    return apply(fig, "Inherent to residual band", "how far responses move risks")


def band_trend(trend: pd.DataFrame, bands: list[str]) -> go.Figure:
    """Open risks per band at every review date, stacked areas (highest band on top)."""
    colours = band_colours(bands)
    fig = go.Figure()
    for b in bands:
        part = trend[trend["band"] == b]
        fig.add_scatter(
            x=part["report_date"],
            y=part["risks"],
            name=b,
            mode="lines",
            stackgroup="band",
            line={"color": colours[b], "width": 1},
            hovertemplate=f"%{{x|%d %b %Y}}: %{{y}} {b}<extra></extra>",
        )
    fig.update_layout(
        xaxis_title="review date",
        yaxis_title="open risks",
        hovermode="x unified",
        height=420,
    )
    trend_dates(fig, trend["report_date"])
    return apply(fig, "Open risks per band over the weeks")


def exposure_vs_contingency(table: pd.DataFrame, n: int = 15) -> go.Figure:
    """Exposure against remaining contingency for the n projects with the least headroom;
    projects whose exposure exceeds it are labelled ``⚠ exceeds``. Each bar is in its project's
    currency (``currency``; none: the page's one currency): several currencies share the axis
    unconverted, so the axis says so and the hover carries the symbol."""
    top = table.sort_values("headroom").head(n).iloc[::-1]
    ccy = top["currency"]  # the review fills it: a project with none is in [money] currency
    # Bars are keyed by project id (unique; names need not be); the axis shows the name, cut
    # to one line, and the hover both. The id stays first in customdata for click-through.
    ids = top["project_id"].map(chart_text)
    names = top["name"] if "name" in top else top["project_id"]
    hover = pd.DataFrame(
        {
            "id": top["project_id"].astype(str),
            "name": names.map(chart_text),
            "sym": ccy.map(symbol),
            "shown_id": ids,
        }
    ).to_numpy()
    fig = go.Figure()
    for col, label, marker, word in (
        ("exposure", "exposure (probability × cost)",
         {"color": "#c62828", "pattern": {"shape": "/"}}, "exposure"),
        ("remaining", "remaining contingency", {"color": "#1565c0"}, "remaining"),
    ):  # fmt: skip
        fig.add_bar(
            y=ids,
            x=top[col] / 1e6,
            name=label,
            orientation="h",
            marker=marker,
            customdata=hover,
            hovertemplate="%{customdata[1]} (%{customdata[3]}): "
            f"{word} %{{customdata[2]}}%{{x:.2f}}m<extra></extra>",
        )
    category_labels(
        fig,
        names,
        lines=1,
        values=ids,
        prefixes=["⚠ " if x else "" for x in top["exceeds"]],
    )
    fig.update_layout(
        barmode="group",
        xaxis_title=(
            f"{symbol(ccy.iloc[0]).strip() or ccy.iloc[0]} millions"
            if ccy.nunique() == 1
            else "millions, each project in its own currency (see hover)"
        ),
        yaxis_title=None,
        height=max(420, 30 * len(top) + 200),
        meta={"items": "projects"},
    )
    return apply(
        fig,
        f"Exposure vs contingency: {len(top)} projects",
        "exposure against remaining contingency, least headroom at the top",
    )
